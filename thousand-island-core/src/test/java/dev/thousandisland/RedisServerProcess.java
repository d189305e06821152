package dev.thousandisland;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's {@code redis-server}, run by a test on a loopback port with no persistence, and
 * restarted on the same port when a test wants the client to see its server go away. Without
 * redis-server installed the tests using it are skipped, except in CI ({@code CI} set), where
 * {@code .ci/run} installs it and its absence fails them.
 */
final class RedisServerProcess implements AutoCloseable {

	private final Path executable;

	private final int port;

	private final Path log;

	private Process process;

	private RedisServerProcess(Path executable, int port, Path log) {
		this.executable = executable;
		this.port = port;
		this.log = log;
	}

	static RedisServerProcess start(Path directory) throws IOException, InterruptedException {
		Path executable = executable();
		if (executable == null) {
			if (System.getenv("CI") != null) {
				fail("redis-server is not installed; CI must install it (.ci/run does) so that this test runs");
			}
			assumeTrue(false, "redis-server is not installed (apt-get install redis-server); skipped outside CI");
		}
		RedisServerProcess redis = new RedisServerProcess(executable, ClientConnectionTests.freePort(),
				directory.resolve("redis.log"));
		redis.start();
		return redis;
	}

	int port() {
		return this.port;
	}

	void start() throws IOException, InterruptedException {
		this.process = new ProcessBuilder(this.executable.toString(), "--port", String.valueOf(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() - deadline < 0) {
			try (Socket probe = new Socket()) {
				probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 200);
				return;
			}
			catch (IOException ex) {
				if (!this.process.isAlive()) {
					throw new IOException("redis-server exited: " + Files.readString(this.log), ex);
				}
				Thread.sleep(20);
			}
		}
		throw new IOException("redis-server did not listen on " + this.port + " within 10 s");
	}

	/** Kills the server at once (SIGKILL): clients see their connections reset or closed. */
	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			kill();
		}
	}

	private static Path executable() {
		for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
			Path candidate = Path.of(dir, "redis-server");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(File.pathSeparator)) {
				Path candidate = Path.of(dir, "redis-server");
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		return null;
	}

}
