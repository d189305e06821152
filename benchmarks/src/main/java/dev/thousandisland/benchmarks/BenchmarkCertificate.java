package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed EC P-256 certificate for localhost, made with the JDK's keytool for one benchmark
 * run. The same PKCS12 file is the server's key store and the load generator's trust store.
 */
final class BenchmarkCertificate {

	static final char[] PASSWORD = "benchmark".toCharArray();

	private BenchmarkCertificate() {
	}

	static Path create() throws IOException, InterruptedException {
		Path directory = Files.createTempDirectory("thousand-island-bench");
		Path store = directory.resolve("server.p12");
		Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(),
				"-storetype", "PKCS12", "-storepass", new String(PASSWORD)))
			.redirectErrorStream(true)
			.start();
		String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (keytool.waitFor() != 0) {
			throw new IOException("keytool failed: " + output);
		}
		return store;
	}

	static SSLContext serverContext(Path store) throws GeneralSecurityException, IOException {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(keyManagers(store).getKeyManagers(), null, null);
		return context;
	}

	static KeyManagerFactory keyManagers(Path store) throws GeneralSecurityException, IOException {
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(load(store), PASSWORD);
		return keys;
	}

	static SSLContext clientContext(Path store) throws GeneralSecurityException, IOException {
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(load(store));
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		return context;
	}

	private static KeyStore load(Path path) throws GeneralSecurityException, IOException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(path)) {
			store.load(in, PASSWORD);
		}
		return store;
	}

}
