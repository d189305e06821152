package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time with the JDK's {@code keytool}: a throwaway CA, a server
 * certificate for localhost / 127.0.0.1 / ::1, a client certificate, and a second server
 * certificate (for swap tests), all signed by the CA and valid for two days. Nothing is committed;
 * the key stores live in a temporary directory for the life of the test JVM.
 */
public final class TestCertificates {

	static final char[] PASSWORD = "changeit".toCharArray();

	private static TestCertificates instance;

	private final Path directory;

	private final Set<String> named = new HashSet<>();

	private TestCertificates(Path directory) {
		this.directory = directory;
	}

	public static synchronized TestCertificates get() {
		if (instance == null) {
			try {
				Path directory = Files.createTempDirectory("thousand-island-certs");
				directory.toFile().deleteOnExit();
				TestCertificates certificates = new TestCertificates(directory);
				certificates.generate();
				instance = certificates;
			}
			catch (IOException | InterruptedException ex) {
				throw new IllegalStateException("Could not generate test certificates with keytool", ex);
			}
		}
		return instance;
	}

	/** A server context: the server's key, trusting the CA (for client certificates). */
	public SSLContext serverContext() {
		return context("server.p12", "trust.p12");
	}

	/** A second server context, with a different certificate from the same CA. */
	SSLContext otherServerContext() {
		return context("server2.p12", "trust.p12");
	}

	/**
	 * A server context with a certificate of its own for a host name (its subject's CN and its
	 * DNS name), signed by the CA; made on first use.
	 * @param hostName such as {@code api.example.com}, or a wildcard such as {@code *.example.org}
	 */
	public synchronized SSLContext serverContextFor(String hostName) {
		String store = "named-" + hostName.replace('*', '_');
		if (this.named.add(hostName)) {
			try {
				signed(store, "CN=" + hostName, "SAN=dns:" + hostName);
			}
			catch (IOException | InterruptedException ex) {
				throw new IllegalStateException("Could not make a certificate for " + hostName, ex);
			}
		}
		return context(store + ".p12", "trust.p12");
	}

	/**
	 * A server context for a host name, as {@link #serverContextFor(String)}, that trusts client
	 * certificates from a second CA (a tenant's own) and not from the usual one.
	 */
	synchronized SSLContext serverContextTrustingTenantFor(String hostName) {
		serverContextFor(hostName);
		tenantMaterial();
		return context("named-" + hostName.replace('*', '_') + ".p12", "tenant-trust.p12");
	}

	/** A client context that trusts the CA and presents a certificate issued by the tenant CA. */
	synchronized SSLContext tenantClientContext() {
		tenantMaterial();
		return context("tenant-client.p12", "trust.p12");
	}

	/** A client context that trusts the CA and presents no certificate. */
	public SSLContext clientContext() {
		return context(null, "trust.p12");
	}

	/** A client context that trusts the CA and presents the client certificate. */
	SSLContext clientContextWithCertificate() {
		return context("client.p12", "trust.p12");
	}

	/** A client context that presents a self-signed certificate the server does not trust. */
	SSLContext clientContextWithUntrustedCertificate() {
		return context("stranger.p12", "trust.p12");
	}

	Path file(String name) {
		return this.directory.resolve(name);
	}

	private SSLContext context(String keyStore, String trustStore) {
		try {
			KeyManagerFactory keys = null;
			if (keyStore != null) {
				keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
				keys.init(load(keyStore), PASSWORD);
			}
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(load(trustStore));
			SSLContext context = SSLContext.getInstance("TLS");
			context.init((keys != null) ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private KeyStore load(String name) throws GeneralSecurityException, IOException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(this.directory.resolve(name))) {
			store.load(in, PASSWORD);
		}
		return store;
	}

	private void generate() throws IOException, InterruptedException {
		keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Test CA",
				"-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
		keytool("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.crt");
		keytool("-importcert", "-alias", "ca", "-keystore", "trust.p12", "-file", "ca.crt", "-noprompt");
		signed("server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1,ip:::1");
		signed("server2", "CN=localhost second", "SAN=dns:localhost,ip:127.0.0.1,ip:::1");
		signed("client", "CN=Test Client", null);
		keytool("-genkeypair", "-alias", "stranger", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=Stranger", "-validity", "2", "-keystore", "stranger.p12");
	}

	/** A second CA, its trust store, and a client certificate it issued; made on first use. */
	private void tenantMaterial() {
		if (Files.exists(this.directory.resolve("tenant-client.p12"))) {
			return;
		}
		try {
			keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
					"CN=Tenant CA", "-ext", "bc:c", "-validity", "2", "-keystore", "tenant-ca.p12");
			keytool("-exportcert", "-alias", "ca", "-keystore", "tenant-ca.p12", "-rfc", "-file", "tenant-ca.crt");
			keytool("-importcert", "-alias", "ca", "-keystore", "tenant-trust.p12", "-file", "tenant-ca.crt",
					"-noprompt");
			signed("tenant-client", "CN=Tenant Client", null, "tenant-ca");
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException("Could not make the tenant CA", ex);
		}
	}

	private void signed(String name, String dname, String san) throws IOException, InterruptedException {
		signed(name, dname, san, "ca");
	}

	private void signed(String name, String dname, String san, String ca) throws IOException, InterruptedException {
		String store = name + ".p12";
		keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
				"-validity", "2", "-keystore", store);
		keytool("-certreq", "-alias", name, "-keystore", store, "-file", name + ".csr");
		List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", ca + ".p12", "-infile",
				name + ".csr", "-outfile", name + ".crt", "-validity", "2", "-rfc"));
		if (san != null) {
			gencert.addAll(List.of("-ext", san));
		}
		keytool(gencert.toArray(String[]::new));
		keytool("-importcert", "-alias", "ca", "-keystore", store, "-file", ca + ".crt", "-noprompt");
		keytool("-importcert", "-alias", name, "-keystore", store, "-file", name + ".crt", "-noprompt");
	}

	private void keytool(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(args));
		command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD)));
		Process process = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (process.waitFor() != 0) {
			throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
		}
	}

}
