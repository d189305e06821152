package com.example.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Runs the packaged application as a user would (java -jar, its own JVM), echoes a line through the server its
 * Handler bean became, then stops it with SIGTERM and checks that the port is closed.
 */
class EchoApplicationIT {

	private static final Duration START_DEADLINE = Duration.ofSeconds(120);

	@Test
	void packagedApplicationServesItsHandlerAndStopsOnSigterm() throws Exception {
		File jar = findBootJar();
		// The JVM that Failsafe forked, so the toolchain's JDK, not necessarily the one that runs Maven.
		String java = ProcessHandle.current().info().command().orElseThrow();
		int port = freePort();
		Path log = Path.of("target", "echo-app.log");
		Process app = new ProcessBuilder(java, "-jar", jar.getPath(), "--thousandisland.address=127.0.0.1",
				"--thousandisland.port=" + port)
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			byte[] reply;
			try (Socket client = connectWithin(port, app)) {
				client.setSoTimeout(10_000);
				OutputStream out = client.getOutputStream();
				out.write("hello thousand island\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
				reply = readExactly(client.getInputStream(), 22);
			}
			assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("hello thousand island\n");
		}
		finally {
			app.destroy();
			if (!app.waitFor(60, TimeUnit.SECONDS)) {
				app.destroyForcibly();
			}
			System.out.println("---- echo application log ----");
			System.out.println(Files.readString(log));
		}
		assertThat(app.exitValue()).as("exit code after SIGTERM").isIn(0, 143);
		assertThatExceptionOfType(ConnectException.class).as("port %d after stop", port)
			.isThrownBy(() -> new Socket("127.0.0.1", port).close());
		String output = Files.readString(log);
		assertThat(output).contains("Started EchoApplication").contains("Thousand Island server 'echo' started");
		System.out.println("consumer application ran on Java " + Runtime.version() + " (" + java + ")");
	}

	private static File findBootJar() {
		File[] jars = new File("target").listFiles((dir, name) -> name.endsWith(".jar"));
		assertThat(jars).as("the jar that spring-boot:repackage made in target/").hasSize(1);
		return jars[0];
	}

	private static int freePort() throws IOException {
		try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return probe.getLocalPort();
		}
	}

	private static Socket connectWithin(int port, Process app) throws Exception {
		Instant deadline = Instant.now().plus(START_DEADLINE);
		while (true) {
			Socket client = new Socket();
			try {
				client.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
				return client;
			}
			catch (ConnectException ex) {
				client.close();
				assertThat(app.isAlive()).as("the application is still running").isTrue();
				assertThat(Instant.now()).as("the application listens within %s", START_DEADLINE).isBefore(deadline);
				Thread.sleep(250);
			}
		}
	}

	private static byte[] readExactly(InputStream in, int length) throws IOException {
		byte[] bytes = in.readNBytes(length);
		assertThat(bytes).as("bytes echoed before the stream ended").hasSize(length);
		return bytes;
	}

}
