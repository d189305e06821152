package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made at test time with the JDK's {@code keytool} and written out as PEM
 * files for {@code spring.ssl.bundle.pem.*}: a server certificate for localhost / 127.0.0.1, a
 * renewed server certificate (for reload tests), a certificate for api.example.com (for SNI
 * tests) and a client certificate. Nothing is committed;
 * the key stores live in a temporary directory for the life of the test JVM.
 */
final class PemCertificates {

	static final String SERVER = "server";

	static final String RENEWED_SERVER = "renewed";

	static final String CLIENT = "client";

	/** A server certificate for api.example.com, for SNI tests. */
	static final String API_SERVER = "api";

	private static final char[] PASSWORD = "changeit".toCharArray();

	private static PemCertificates instance;

	private final Path directory;

	private PemCertificates(Path directory) {
		this.directory = directory;
	}

	static synchronized PemCertificates get() {
		if (instance == null) {
			try {
				Path directory = Files.createTempDirectory("thousand-island-pem");
				directory.toFile().deleteOnExit();
				PemCertificates certificates = new PemCertificates(directory);
				certificates.generate();
				instance = certificates;
			}
			catch (IOException | InterruptedException ex) {
				throw new IllegalStateException("Could not generate test certificates with keytool", ex);
			}
		}
		return instance;
	}

	/**
	 * Writes a certificate as a PEM file.
	 * @param name {@link #SERVER}, {@link #RENEWED_SERVER} or {@link #CLIENT}
	 * @param file where to write it
	 */
	void writeCertificate(String name, Path file) throws IOException {
		try {
			write(file, "CERTIFICATE", certificate(name).getEncoded());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Writes a private key as an unencrypted PKCS#8 PEM file.
	 * @param name {@link #SERVER}, {@link #RENEWED_SERVER} or {@link #CLIENT}
	 * @param file where to write it
	 */
	void writePrivateKey(String name, Path file) throws IOException {
		try {
			PrivateKey key = (PrivateKey) load(name).getKey(name, PASSWORD);
			write(file, "PRIVATE KEY", key.getEncoded());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	X509Certificate certificate(String name) {
		try {
			return (X509Certificate) load(name).getCertificate(name);
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A client context trusting both server certificates and presenting none of its own. */
	SSLContext clientContext() {
		return clientContext(false);
	}

	/** A client context trusting both server certificates and presenting the client certificate. */
	SSLContext clientContextWithCertificate() {
		return clientContext(true);
	}

	private SSLContext clientContext(boolean withCertificate) {
		try {
			KeyStore trusted = KeyStore.getInstance("PKCS12");
			trusted.load(null, null);
			trusted.setCertificateEntry(SERVER, certificate(SERVER));
			trusted.setCertificateEntry(RENEWED_SERVER, certificate(RENEWED_SERVER));
			trusted.setCertificateEntry(API_SERVER, certificate(API_SERVER));
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			KeyManagerFactory keys = null;
			if (withCertificate) {
				keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
				keys.init(load(CLIENT), PASSWORD);
			}
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
		try (InputStream in = Files.newInputStream(this.directory.resolve(name + ".p12"))) {
			store.load(in, PASSWORD);
		}
		return store;
	}

	private static void write(Path file, String type, byte[] der) throws IOException {
		String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
		Files.writeString(file, "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n",
				StandardCharsets.US_ASCII);
	}

	/** Each keytool run starts a JVM, so the key pairs are made side by side. */
	private void generate() throws IOException, InterruptedException {
		List<Process> processes = new ArrayList<>();
		processes.add(keytool(SERVER, "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1"));
		processes.add(keytool(RENEWED_SERVER, "CN=localhost, OU=Renewed", "SAN=dns:localhost,ip:127.0.0.1"));
		processes.add(keytool(CLIENT, "CN=Test Client", null));
		processes.add(keytool(API_SERVER, "CN=api.example.com", "SAN=dns:api.example.com"));
		for (Process process : processes) {
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.waitFor() != 0) {
				throw new IOException("keytool failed: " + output);
			}
		}
	}

	private Process keytool(String name, String dname, String san) throws IOException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
			.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
				"-validity", "2", "-keystore", name + ".p12", "-storetype", "PKCS12", "-storepass",
				new String(PASSWORD)));
		if (san != null) {
			command.addAll(List.of("-ext", san));
		}
		return new ProcessBuilder(command).directory(this.directory.toFile()).redirectErrorStream(true).start();
	}

}
