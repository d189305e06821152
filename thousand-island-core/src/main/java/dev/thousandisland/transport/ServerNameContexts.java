package dev.thousandisland.transport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.StandardConstants;

import dev.thousandisland.InvalidOptionException;
import javax.net.ssl.SSLContext;

/**
 * An immutable mapping from TLS host names to the {@link SSLContext} that serves each: exact names
 * and wildcards. A wildcard {@code *.example.com} stands for exactly one label in front of
 * {@code example.com}: it matches {@code api.example.com} but neither {@code example.com} nor
 * {@code a.b.example.com}, as a wildcard certificate would. An exact name wins over a wildcard.
 * Names are compared in lower case and in their ASCII form (an internationalised name is given
 * and matched as its {@code xn--} A-label, which is what clients send).
 */
final class ServerNameContexts {

	static final String OPTION = "serverNames";

	/** Accepts no host name: an engine with it refuses every name a client asks for. */
	static final SNIMatcher REJECT_EVERY_NAME = new SNIMatcher(StandardConstants.SNI_HOST_NAME) {

		@Override
		public boolean matches(SNIServerName serverName) {
			return false;
		}

	};

	private final Map<String, SSLContext> contexts;

	private ServerNameContexts(Map<String, SSLContext> contexts) {
		this.contexts = contexts;
	}

	/**
	 * @param normalised host names and wildcards, each as {@link #normalise} returned it, to
	 * their contexts
	 */
	static ServerNameContexts of(Map<String, SSLContext> normalised) {
		return new ServerNameContexts(Collections.unmodifiableMap(new LinkedHashMap<>(normalised)));
	}

	/**
	 * Checks and normalises every name.
	 * @throws InvalidOptionException naming {@code serverNames} for a name that is not a host name
	 * or wildcard, or a name mapped twice
	 */
	static ServerNameContexts checked(Map<String, SSLContext> serverNames) {
		Map<String, SSLContext> checked = new LinkedHashMap<>();
		serverNames.forEach((name, context) -> {
			if (checked.putIfAbsent(checkedName(name), context) != null) {
				throw new InvalidOptionException(OPTION, name, "is mapped twice");
			}
		});
		return of(checked);
	}

	/**
	 * Normalises a name, as {@link #normalise}.
	 * @throws InvalidOptionException naming {@code serverNames} if it is not a host name or wildcard
	 */
	static String checkedName(String serverName) {
		try {
			return normalise(serverName);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidOptionException(OPTION, serverName, ex.getMessage());
		}
	}

	/** This mapping with one name added or replaced. */
	ServerNameContexts with(String normalisedName, SSLContext context) {
		Map<String, SSLContext> copy = new LinkedHashMap<>(this.contexts);
		copy.put(normalisedName, context);
		return new ServerNameContexts(Collections.unmodifiableMap(copy));
	}

	Map<String, SSLContext> asMap() {
		return this.contexts;
	}

	boolean isEmpty() {
		return this.contexts.isEmpty();
	}

	/**
	 * Finds the context for a name a client asked for.
	 * @param serverName the name, lower case, or {@code null}
	 * @return the context, or {@code null} when no entry matches
	 */
	SSLContext find(String serverName) {
		if (serverName == null) {
			return null;
		}
		SSLContext exact = this.contexts.get(serverName);
		if (exact != null) {
			return exact;
		}
		int firstDot = serverName.indexOf('.');
		return (firstDot > 0) ? this.contexts.get("*" + serverName.substring(firstDot)) : null;
	}

	/**
	 * Validates a host name or wildcard the way the JDK validates an SNI host name, and returns
	 * its lower-case ASCII form.
	 * @throws IllegalArgumentException saying what is wrong, to follow the name
	 */
	static String normalise(String name) {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("must be a host name such as api.example.com");
		}
		boolean wildcard = name.startsWith("*.");
		String host = wildcard ? name.substring(2) : name;
		if (wildcard && host.indexOf('.') < 0) {
			throw new IllegalArgumentException("needs at least two labels after the wildcard, such as *.example.com");
		}
		if (host.contains("*")) {
			throw new IllegalArgumentException("may only have a wildcard as its whole first label, such as *.example.com");
		}
		String ascii;
		try {
			ascii = new SNIHostName(host).getAsciiName();
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("is not a valid host name: " + ex.getMessage(), ex);
		}
		return (wildcard ? "*." : "") + ascii.toLowerCase(Locale.ROOT);
	}

}
