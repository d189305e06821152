package dev.thousandisland.autoconfigure;

import java.util.List;

/**
 * Thrown when two Handler (or FramedHandler, or ClientHandler) beans have names that Spring Boot's
 * relaxed binding reads as one, such as {@code echoServer} and {@code echo-server}: both would be
 * the server {@code echo-server}, configured by the same properties.
 */
public class HandlerNameClashException extends IllegalStateException {

	private final String name;

	private final List<String> beanNames;

	private final String propertyPrefix;

	/**
	 * Creates the exception.
	 * @param name the one name the beans' names come to
	 * @param beanNames the beans' names
	 * @param propertyPrefix where that name's properties live
	 */
	HandlerNameClashException(String name, List<String> beanNames, String propertyPrefix) {
		super("Beans " + quoted(beanNames) + " would all be the server '" + name + "', configured under "
				+ propertyPrefix + ".*");
		this.name = name;
		this.beanNames = List.copyOf(beanNames);
		this.propertyPrefix = propertyPrefix;
	}

	/**
	 * Returns the one name the beans' names come to.
	 * @return the canonical name
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * Returns the beans whose names clash.
	 * @return their names
	 */
	public List<String> getBeanNames() {
		return this.beanNames;
	}

	/**
	 * Returns where the clashing name's properties live.
	 * @return the property prefix
	 */
	public String getPropertyPrefix() {
		return this.propertyPrefix;
	}

	static String quoted(List<String> names) {
		return String.join(", ", names.stream().map((name) -> "'" + name + "'").toList());
	}

}
