package dev.thousandisland.autoconfigure.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at test time with the JDK's
 * {@code keytool} (the recipe of the core module's {@code TestCertificates}, reduced to one key).
 * Nothing is committed; the key store lives in a temporary directory for the life of the test JVM.
 */
final class KeytoolCertificate {

	private static final char[] PASSWORD = "changeit".toCharArray();

	private static KeytoolCertificate instance;

	private final KeyStore keyStore;

	private KeytoolCertificate(KeyStore keyStore) {
		this.keyStore = keyStore;
	}

	static synchronized KeytoolCertificate get() {
		if (instance == null) {
			try {
				Path directory = Files.createTempDirectory("thousand-island-observability-certs");
				directory.toFile().deleteOnExit();
				keytool(directory, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
						"-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
						"-keystore", "server.p12");
				Path file = directory.resolve("server.p12");
				file.toFile().deleteOnExit();
				KeyStore store = KeyStore.getInstance("PKCS12");
				try (InputStream in = Files.newInputStream(file)) {
					store.load(in, PASSWORD);
				}
				instance = new KeytoolCertificate(store);
			}
			catch (IOException | InterruptedException | GeneralSecurityException ex) {
				throw new IllegalStateException("Could not make a test certificate with keytool", ex);
			}
		}
		return instance;
	}

	/** A server context presenting the certificate. */
	SSLContext serverContext() {
		try {
			KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keys.init(this.keyStore, PASSWORD);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keys.getKeyManagers(), null, null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A client context that trusts the certificate and nothing else. */
	SSLContext clientContext() {
		try {
			Certificate certificate = this.keyStore.getCertificate("server");
			KeyStore trusted = KeyStore.getInstance("PKCS12");
			trusted.load(null, null);
			trusted.setCertificateEntry("server", certificate);
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void keytool(Path directory, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(args));
		command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD)));
		Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (process.waitFor() != 0) {
			throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
		}
	}

}
