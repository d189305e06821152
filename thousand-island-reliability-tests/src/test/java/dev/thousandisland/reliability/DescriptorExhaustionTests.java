package dev.thousandisland.reliability;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.thousandisland.Server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Descriptor exhaustion: a server whose process may hold only 256 descriptors is sent more
 * connections than that. accept(2) then fails with EMFILE for as long as the connections stay; the
 * server must count it ({@code acceptor.emfile}), back off instead of spinning on the listen socket
 * that stays readable (CPU stays low while it is starved), keep the connections it has, and
 * recover by itself when descriptors are freed: the clients that waited in the listen backlog
 * are served, and so is a new one.
 *
 * <p>The server runs in a child JVM ({@link FdLimitedServer}) started through
 * {@code bash -c 'ulimit -n 256 && exec java ...'}, so that the limit is the child's alone. The
 * test talks to it over a control connection opened before the descriptors run out.
 */
class DescriptorExhaustionTests {

	private static final int LIMIT = 256;

	private static final int FLOOD = 300;

	private static final int KEPT = 100;

	private static final Duration WAIT = Duration.ofSeconds(30);

	private final List<Socket> flood = new ArrayList<>();

	private Process child;

	private Socket control;

	private Path log;

	@AfterEach
	void stopTheChild() throws Exception {
		this.flood.forEach(Clients::closeQuietly);
		if (this.control != null) {
			try {
				this.control.getOutputStream().write("EXIT\n".getBytes(StandardCharsets.US_ASCII));
			}
			catch (IOException ex) {
				// It exits when the control connection closes, too.
			}
			Clients.closeQuietly(this.control);
		}
		if (this.child != null && !this.child.waitFor(15, TimeUnit.SECONDS)) {
			this.child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	/**
	 * 300 connections against a 256-descriptor limit: the child counts EMFILE, keeps what it holds,
	 * uses well under a second of CPU in two seconds of starvation, and once 200 clients leave
	 * serves the 100 that waited in the backlog and a new one, all by itself.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void aServerOutOfDescriptorsBacksOffCheaplyAndRecoversByItselfWhenDescriptorsAreFreed() throws Exception {
		assumeTrue(JvmStats.procAvailable(), "needs /proc");
		Path directory = Files.createTempDirectory("thousand-island-fd-limited");
		directory.toFile().deleteOnExit();
		Path portFile = directory.resolve("ports");
		this.log = directory.resolve("child.log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String classpath = location(FdLimitedServer.class) + File.pathSeparator + location(Server.class);
		this.child = new ProcessBuilder("bash", "-c", "ulimit -n " + LIMIT + " && exec \"$@\"", "bash", java,
				"-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-MaxFDLimit", "-cp", classpath,
				FdLimitedServer.class.getName(), portFile.toString())
			.redirectErrorStream(true)
			.redirectOutput(this.log.toFile())
			.start();
		await().atMost(WAIT).until(() -> Files.exists(portFile) || !this.child.isAlive());
		if (!Files.exists(portFile)) {
			String output = childOutput();
			assumeTrue(!output.contains("ulimit"), "ulimit -n " + LIMIT + " cannot be applied here: " + output);
			fail("The child server did not start: " + output);
		}
		String[] ports = Files.readString(portFile).trim().split(" ");
		int echoPort = Integer.parseInt(ports[0]);
		this.control = Clients.connect(Integer.parseInt(ports[1]));
		Map<String, String> idle = status();
		assumeTrue(String.valueOf(LIMIT).equals(idle.get("limit")),
				"the child's descriptor limit is " + idle.get("limit") + ", not " + LIMIT);
		long idleFds = Long.parseLong(idle.get("fds"));

		for (int i = 0; i < FLOOD; i++) {
			this.flood.add(Clients.connect(echoPort));
		}
		await().atMost(WAIT).until(() -> number(status(), "emfile") > 0);
		Map<String, String> starved = status();
		long held = number(starved, "active");
		assertThat(held).as("connections held while starved").isLessThan(LIMIT).isGreaterThan(LIMIT - idleFds - 20);

		double cpuBefore = JvmStats.cpuSeconds(this.child.pid());
		long emfileBefore = number(status(), "emfile");
		long windowStart = System.nanoTime();
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(this.child::isAlive);
		double cpuUsed = JvmStats.cpuSeconds(this.child.pid()) - cpuBefore;
		Duration window = Duration.ofNanos(System.nanoTime() - windowStart);
		long emfileDuring = number(status(), "emfile") - emfileBefore;
		assertThat(cpuUsed).as("CPU seconds the starved server used in %s ms", window.toMillis()).isLessThan(1.0);
		assertThat(emfileDuring).as("acceptor.emfile events while starved (it keeps trying)").isPositive();
		assertThat(number(status(), "active")).as("connections kept while starved").isEqualTo(held);

		long freed = System.nanoTime();
		for (Socket socket : this.flood.subList(0, FLOOD - KEPT)) {
			socket.close();
		}
		List<Socket> kept = this.flood.subList(FLOOD - KEPT, FLOOD);
		await().atMost(WAIT).ignoreExceptions().until(() -> {
			try (Socket fresh = Clients.connect(echoPort)) {
				return Clients.roundTrip(fresh, "fresh".getBytes(StandardCharsets.US_ASCII)).length == 5;
			}
		});
		Duration recovered = Duration.ofNanos(System.nanoTime() - freed);
		byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
		for (Socket socket : kept) {
			assertThat(Clients.roundTrip(socket, ping)).as("a client that waited in the backlog").isEqualTo(ping);
		}
		await().atMost(WAIT).until(() -> number(status(), "active") == KEPT);
		Map<String, String> after = status();
		assertThat(number(after, "started")).as("connections started in the child")
			.isEqualTo(number(after, "ended") + KEPT);
		await().atMost(WAIT).until(() -> childOutput().contains("accepts connections again"));
		assertThat(childOutput()).contains("failed to accept (emfile)");

		this.control.getOutputStream().write("EXIT\n".getBytes(StandardCharsets.US_ASCII));
		assertThat(FdLimitedServer.readLine(this.control.getInputStream())).isEqualTo("BYE");
		assertThat(this.child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the child exited").isTrue();
		assertThat(this.child.exitValue()).isZero();

		String test = "descriptor exhaustion (child JVM, ulimit -n " + LIMIT + ")";
		Figures.record(test, "descriptors open in the idle child", idleFds);
		Figures.record(test, "connections opened / held while starved", FLOOD + " / " + held);
		Figures.record(test, "CPU used while starved (s of CPU over " + window.toMillis() + " ms)", cpuUsed);
		Figures.record(test, "acceptor.emfile events in that window", emfileDuring);
		Figures.record(test, "time from freeing descriptors to a new client served (ms)", recovered.toMillis());
		Figures.record(test, "status after recovery", after);
	}

	private Map<String, String> status() throws IOException {
		this.control.getOutputStream().write("STATUS\n".getBytes(StandardCharsets.US_ASCII));
		return FdLimitedServer.parse(FdLimitedServer.readLine(this.control.getInputStream()));
	}

	private static long number(Map<String, String> status, String key) {
		return Long.parseLong(status.get(key));
	}

	private String childOutput() throws IOException {
		return Files.readString(this.log, StandardCharsets.UTF_8);
	}

	private static String location(Class<?> type) throws URISyntaxException {
		return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

}
