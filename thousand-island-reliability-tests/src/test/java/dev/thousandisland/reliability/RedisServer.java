package dev.thousandisland.reliability;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a loopback port, with no persistence, that a test can kill
 * (SIGKILL) and start again on the same port, and ask a command of ({@link #command}, one
 * connection per command, RESP replies parsed into strings, numbers and lists).
 *
 * <p>Its pub/sub output buffer limit is raised from Redis's default (32 MB, or 8 MB for 60 s),
 * which would otherwise disconnect an instance's subscriber connection while a test pushes some
 * hundred megabytes through one channel as fast as it can: that is Redis protecting itself from a
 * slow subscriber, a different test.
 */
final class RedisServer {

	private final Path executable;

	private final int port;

	private final Path log;

	private Process process;

	private RedisServer(Path executable, int port, Path log) {
		this.executable = executable;
		this.port = port;
		this.log = log;
	}

	/** Starts redis-server on a free loopback port; fails (never skips) when it is not installed. */
	static RedisServer start(Path directory, int port) throws IOException, InterruptedException {
		Path executable = executable();
		if (executable == null) {
			throw new IllegalStateException(
					"redis-server is not installed (apt-get install redis-server; .ci/run installs it)");
		}
		RedisServer redis = new RedisServer(executable, port, directory.resolve("redis.log"));
		redis.start();
		return redis;
	}

	int port() {
		return this.port;
	}

	/** Starts the server (again) on its port and waits until it answers PING. */
	void start() throws IOException, InterruptedException {
		this.process = new ProcessBuilder(this.executable.toString(), "--port", String.valueOf(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--client-output-buffer-limit",
				"pubsub 512mb 512mb 0")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() - deadline < 0) {
			try {
				if ("PONG".equals(command("PING"))) {
					return;
				}
			}
			catch (IOException ex) {
				if (!this.process.isAlive()) {
					throw new IOException("redis-server exited: " + Files.readString(this.log), ex);
				}
			}
			Thread.sleep(20);
		}
		throw new IOException("redis-server did not answer on " + this.port + " within 10 s");
	}

	/** Kills the server at once (SIGKILL): nothing it held is written anywhere. */
	void kill() throws InterruptedException {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	/**
	 * Sends one command on a connection of its own and returns the reply: a {@code String} for a
	 * simple or bulk string, a {@code Long} for an integer, a {@code List} for an array,
	 * {@code null} for a null reply.
	 * @throws IOException if the server cannot be reached or answers with an error
	 */
	Object command(String... arguments) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(Clients.LOOPBACK, this.port), 1000);
			socket.setSoTimeout(5000);
			StringBuilder request = new StringBuilder("*").append(arguments.length).append("\r\n");
			for (String argument : arguments) {
				request.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
				request.append(argument).append("\r\n");
			}
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			return reply(new BufferedInputStream(socket.getInputStream()));
		}
	}

	private static Object reply(InputStream in) throws IOException {
		int type = in.read();
		String line = line(in);
		return switch (type) {
			case '+' -> line;
			case ':' -> Long.parseLong(line);
			case '-' -> throw new IOException("Redis error: " + line);
			case '$' -> {
				int length = Integer.parseInt(line);
				if (length < 0) {
					yield null;
				}
				byte[] bytes = in.readNBytes(length + 2);
				yield new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*' -> {
				int count = Integer.parseInt(line);
				List<Object> items = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					items.add(reply(in));
				}
				yield items;
			}
			default -> throw new IOException("Not a RESP reply: type " + type + " " + line);
		};
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		// Bounded: a reply line of this test's commands is short.
		while ((b = in.read()) >= 0 && b != '\n' && line.length() < 1_000_000) {
			if (b != '\r') {
				line.append((char) b);
			}
		}
		if (b < 0) {
			throw new IOException("Redis closed the connection mid-reply");
		}
		return line.toString();
	}

	private static Path executable() {
		List<Path> candidates = new ArrayList<>();
		for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (!entry.isEmpty()) {
				candidates.add(Path.of(entry, "redis-server"));
			}
		}
		candidates.add(Path.of("/usr/bin/redis-server"));
		return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
	}

	String logText() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

}
