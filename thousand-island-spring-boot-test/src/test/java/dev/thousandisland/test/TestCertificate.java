package dev.thousandisland.test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for localhost and 127.0.0.1, made by the JDK's keytool at test time:
 * a PKCS12 key store for the server and a trust store holding only the certificate.
 */
record TestCertificate(Path keyStore, Path trustStore, String password) {

	static TestCertificate create(Path directory) throws IOException, InterruptedException, GeneralSecurityException {
		String password = "secret";
		Path keyStore = directory.resolve("server.p12");
		Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
		Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
				"-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
				"-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", password)
			.redirectErrorStream(true)
			.start();
		process.getOutputStream().close();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IllegalStateException("keytool failed: " + output);
		}
		KeyStore trusted = KeyStore.getInstance("PKCS12");
		trusted.load(null, null);
		trusted.setCertificateEntry("server", load(keyStore, password).getCertificate("server"));
		Path trustStore = directory.resolve("trust.p12");
		try (OutputStream out = Files.newOutputStream(trustStore)) {
			trusted.store(out, password.toCharArray());
		}
		return new TestCertificate(keyStore, trustStore, password);
	}

	SSLContext serverContext() throws IOException, GeneralSecurityException {
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(load(this.keyStore, this.password), this.password.toCharArray());
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(keys.getKeyManagers(), null, null);
		return context;
	}

	KeyStore trustedStore() throws IOException, GeneralSecurityException {
		return load(this.trustStore, this.password);
	}

	private static KeyStore load(Path file, String password) throws IOException, GeneralSecurityException {
		return KeyStore.getInstance(file.toFile(), password.toCharArray());
	}

}
