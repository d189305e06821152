package dev.thousandisland.autoconfigure;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.transport.TlsTransport;
import dev.thousandisland.transport.TlsTransport.Builder;

/**
 * Builds a server's {@link TlsTransport} from its SSL bundles: the default bundle, and one bundle
 * per host name (SNI). Every bundle is watched: when Spring Boot reloads one
 * ({@code reload-on-update}), new connections get its new context, for the default or for its
 * host name alone, and live connections keep the context they started with.
 *
 * <p>The protocols and cipher suites come from the server's {@code ssl.*} properties, else from
 * the default bundle's options; they apply to every host name's bundle too, since one listener
 * negotiates them before it knows which certificate it will present.
 */
final class SslBundleTransports {

	private final ObjectProvider<SslBundles> sslBundles;

	private final UnaryOperator<String> property;

	/**
	 * @param sslBundles the SSL bundles, if any
	 * @param property names the property that sets a server's option, given its path under the
	 * server, such as {@code ssl.bundle}: the server's own if set, else the top-level default
	 */
	SslBundleTransports(ObjectProvider<SslBundles> sslBundles, UnaryOperator<String> property) {
		this.sslBundles = sslBundles;
		this.property = property;
	}

	TlsTransport create(String bundleName, ThousandIslandSslProperties ssl) {
		SslBundles bundles = this.sslBundles.getIfAvailable();
		SslBundle bundle = bundle(bundles, bundleName, "ssl.bundle");
		Builder builder = TlsTransport.builder(bundle.createSslContext())
			.clientAuth(ssl.getClientAuth())
			.rejectUnknownServerNames(ssl.isRejectUnknownServerNames());
		List<String> protocols = !ssl.getEnabledProtocols().isEmpty() ? ssl.getEnabledProtocols()
				: asList(bundle.getOptions().getEnabledProtocols());
		if (protocols != null) {
			builder.protocols(protocols);
		}
		List<String> ciphers = !ssl.getCiphers().isEmpty() ? ssl.getCiphers()
				: asList(bundle.getOptions().getCiphers());
		if (ciphers != null) {
			builder.cipherSuites(ciphers);
		}
		builder.applicationProtocols(ssl.getApplicationProtocols());
		List<ThousandIslandSslProperties.ServerNameSslBundle> named = ssl.getServerNameBundles();
		for (int i = 0; i < named.size(); i++) {
			String entry = "ssl.server-name-bundles[" + i + "]";
			String serverName = required(named.get(i).getServerName(), entry + ".server-name");
			String nameBundle = required(named.get(i).getBundle(), entry + ".bundle");
			SslBundle bundleForName = bundle(bundles, nameBundle, entry + ".bundle");
			try {
				builder.serverName(serverName, bundleForName.createSslContext());
			}
			catch (InvalidOptionException ex) {
				throw new InvalidConfigurationPropertyValueException(this.property.apply(entry + ".server-name"),
						serverName, ex.problem());
			}
		}
		TlsTransport transport = builder.build();
		// Renewed certificates reach new connections; live ones keep the context they started with.
		bundles.addBundleUpdateHandler(bundleName, (updated) -> transport.sslContext(updated.createSslContext()));
		for (ThousandIslandSslProperties.ServerNameSslBundle entry : named) {
			String serverName = entry.getServerName();
			bundles.addBundleUpdateHandler(entry.getBundle(),
					(updated) -> transport.serverName(serverName, updated.createSslContext()));
		}
		return transport;
	}

	private SslBundle bundle(@Nullable SslBundles bundles, String bundleName, String option) {
		try {
			if (bundles == null) {
				throw new NoSuchSslBundleException(bundleName, "No SSL bundles are configured");
			}
			return bundles.getBundle(bundleName);
		}
		catch (NoSuchSslBundleException ex) {
			throw new InvalidConfigurationPropertyValueException(this.property.apply(option), bundleName,
					"No SSL bundle named '" + bundleName + "' is configured under spring.ssl.bundle.*");
		}
	}

	private String required(@Nullable String value, String option) {
		if (value == null || value.isBlank()) {
			throw new MissingPropertyException(this.property.apply(option),
					"Each entry of server-name-bundles needs both a server-name and a bundle");
		}
		return value;
	}

	private static @Nullable List<String> asList(String @Nullable [] values) {
		return (values != null) ? Arrays.asList(values) : null;
	}

}
