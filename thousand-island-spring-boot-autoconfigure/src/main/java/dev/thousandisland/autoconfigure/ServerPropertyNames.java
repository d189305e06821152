package dev.thousandisland.autoconfigure;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Names the property behind a server's setting for error messages: the server's own
 * ({@code thousandisland.servers.<name>.<suffix>}) when it is set or nothing is, else the
 * top-level default it inherited ({@code thousandisland.<suffix>}).
 */
final class ServerPropertyNames {

	static final String PREFIX = "thousandisland";

	private final Binder binder;

	ServerPropertyNames(Binder binder) {
		this.binder = binder;
	}

	String propertyFor(String serverName, String suffix) {
		String own = ownProperty(serverName, suffix);
		String inherited = PREFIX + "." + suffix;
		if (!isSet(own) && isSet(inherited)) {
			return inherited;
		}
		return own;
	}

	String ownProperty(String serverName, String suffix) {
		return serverPrefix(serverName) + "." + suffix;
	}

	boolean isSet(String property) {
		// A list may be set by index (trusted-sources[0]=...), which binds as a list, not a String.
		return this.binder.bind(property, Bindable.of(String.class)).isBound()
				|| this.binder.bind(property, Bindable.listOf(String.class)).isBound();
	}

	static String serverPrefix(String name) {
		return RelaxedNames.prefix(PREFIX + ".servers", name);
	}

}
