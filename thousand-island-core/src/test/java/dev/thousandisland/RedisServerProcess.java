package dev.thousandisland;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's {@code redis-server}, run by a test on a free loopback port with no persistence,
 * optionally with a password, and restarted on the same port when a test wants its clients to
 * see Redis go away and come back. Without redis-server installed the tests using it are skipped,
 * except in CI ({@code CI} set), where {@code .ci/run} installs it and its absence fails them.
 * Public, in core's test jar, for the other modules' Redis tests.
 */
public final class RedisServerProcess implements AutoCloseable {

	private final Path executable;

	private final int port;

	private final Path log;

	private final String password;

	private Process process;

	private RedisServerProcess(Path executable, int port, Path log, String password) {
		this.executable = executable;
		this.port = port;
		this.log = log;
		this.password = password;
	}

	public static RedisServerProcess start(Path directory) throws IOException, InterruptedException {
		return start(directory, null);
	}

	public static RedisServerProcess start(Path directory, String password) throws IOException, InterruptedException {
		RedisServerProcess redis = notStarted(directory, password);
		redis.start();
		return redis;
	}

	/** A server with its port chosen, not yet started: for a client that must start first. */
	public static RedisServerProcess notStarted(Path directory, String password) throws IOException {
		Path executable = executable();
		if (executable == null) {
			if (System.getenv("CI") != null) {
				fail("redis-server is not installed; CI must install it (.ci/run does) so that this test runs");
			}
			assumeTrue(false, "redis-server is not installed (apt-get install redis-server); skipped outside CI");
		}
		return new RedisServerProcess(executable, freePort(), directory.resolve("redis.log"), password);
	}

	public int port() {
		return this.port;
	}

	public void start() throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(this.executable.toString(), "--port",
				String.valueOf(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize",
				"no"));
		if (this.password != null) {
			command.addAll(List.of("--requirepass", this.password));
		}
		this.process = new ProcessBuilder(command).redirectErrorStream(true)
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
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

	/**
	 * Freezes the server (SIGSTOP): its connections stay open and the kernel still acknowledges
	 * what clients send, but nothing is answered, as a peer gone silent without a FIN.
	 */
	public void pause() throws IOException, InterruptedException {
		signal("-STOP");
	}

	/** Lets a {@link #pause() paused} server run again (SIGCONT). */
	public void resume() throws IOException, InterruptedException {
		signal("-CONT");
	}

	private void signal(String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", signal, String.valueOf(this.process.pid())).start();
		if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
			throw new IOException("kill " + signal + " " + this.process.pid() + " failed");
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			kill();
		}
	}

	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static Path executable() {
		List<String> dirs = new ArrayList<>(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
		String path = System.getenv("PATH");
		if (path != null) {
			dirs.addAll(List.of(path.split(File.pathSeparator)));
		}
		for (String dir : dirs) {
			Path candidate = Path.of(dir, "redis-server");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

}
