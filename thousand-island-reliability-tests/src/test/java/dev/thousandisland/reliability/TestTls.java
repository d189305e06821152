package dev.thousandisland.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Key material made at test time with the JDK's {@code keytool}: three self-signed EC key pairs,
 * made side by side (each keytool run is a JVM start). The server's certificate is for localhost /
 * 127.0.0.1; the server trusts the client's certificate and nothing else, so "stranger" is a
 * client with a certificate the server does not trust. Each context asked for is new, with
 * session caches of its own, over key material loaded once. Nothing is committed.
 */
final class TestTls {

	private static final char[] PASSWORD = "changeit".toCharArray();

	private static final String SERVER = "server";

	private static final String CLIENT = "client";

	private static final String STRANGER = "stranger";

	private static TestTls instance;

	private final Path directory;

	private final Map<String, KeyManager[]> keyManagers = new ConcurrentHashMap<>();

	private final Map<String, TrustManager[]> trustManagers = new ConcurrentHashMap<>();

	private TestTls(Path directory) {
		this.directory = directory;
	}

	static synchronized TestTls get() {
		if (instance == null) {
			try {
				Path directory = Files.createTempDirectory("thousand-island-reliability-tls");
				directory.toFile().deleteOnExit();
				TestTls tls = new TestTls(directory);
				tls.generate();
				instance = tls;
			}
			catch (IOException | InterruptedException ex) {
				throw new IllegalStateException("Could not generate test certificates with keytool", ex);
			}
		}
		return instance;
	}

	/** The server's key; trusts the client certificate (for client authentication). */
	SSLContext serverContext() {
		return context(SERVER, CLIENT);
	}

	/** Trusts the server and presents no certificate. */
	SSLContext clientContext() {
		return context(null, SERVER);
	}

	/** Trusts the server and presents the certificate the server trusts. */
	SSLContext clientContextWithCertificate() {
		return context(CLIENT, SERVER);
	}

	/** Trusts the server and presents a self-signed certificate the server does not trust. */
	SSLContext clientContextWithUntrustedCertificate() {
		return context(STRANGER, SERVER);
	}

	/** The server's key store file (PKCS12, password {@link #password()}). */
	Path serverKeyStore() {
		return this.directory.resolve(SERVER + ".p12");
	}

	/** A trust store file (PKCS12) holding the client certificate, for a server that asks for one. */
	synchronized Path clientTrustStore() {
		Path file = this.directory.resolve("client-trust.p12");
		if (!Files.exists(file)) {
			try {
				KeyStore store = KeyStore.getInstance("PKCS12");
				store.load(null, null);
				store.setCertificateEntry(CLIENT, certificate(CLIENT));
				try (OutputStream out = Files.newOutputStream(file)) {
					store.store(out, PASSWORD);
				}
			}
			catch (GeneralSecurityException | IOException ex) {
				throw new IllegalStateException(ex);
			}
		}
		return file;
	}

	/** The password of every store. */
	static String password() {
		return new String(PASSWORD);
	}

	/** A new context (with its own session caches) each time, over key material loaded once. */
	private SSLContext context(String key, String trusted) {
		try {
			KeyManager[] keys = (key != null) ? this.keyManagers.computeIfAbsent(key, this::keyManagers) : null;
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keys, this.trustManagers.computeIfAbsent(trusted, this::trustManagers), null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private KeyManager[] keyManagers(String key) {
		try {
			KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keys.init(load(key), PASSWORD);
			return keys.getKeyManagers();
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private TrustManager[] trustManagers(String trusted) {
		try {
			KeyStore trustStore = KeyStore.getInstance("PKCS12");
			trustStore.load(null, null);
			trustStore.setCertificateEntry(trusted, certificate(trusted));
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trustStore);
			return trust.getTrustManagers();
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private Certificate certificate(String name) throws GeneralSecurityException, IOException {
		return load(name).getCertificate(name);
	}

	private KeyStore load(String name) throws GeneralSecurityException, IOException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(this.directory.resolve(name + ".p12"))) {
			store.load(in, PASSWORD);
		}
		return store;
	}

	private void generate() throws IOException, InterruptedException {
		List<Process> processes = new ArrayList<>();
		processes.add(keytool(SERVER, "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1"));
		processes.add(keytool(CLIENT, "CN=Reliability Client", null));
		processes.add(keytool(STRANGER, "CN=Stranger", null));
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
