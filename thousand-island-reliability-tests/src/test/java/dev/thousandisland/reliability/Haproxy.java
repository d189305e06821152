package dev.thousandisland.reliability;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code haproxy} process on a generated configuration: started in the foreground
 * ({@code -db}), its output in a log file, and its runtime API on a Unix socket, through which
 * {@link #stat} reads a server's row of {@code show stat} (its state as the health checks see it,
 * its retry and redispatch counters).
 */
final class Haproxy {

	private final Path executable;

	private final Path directory;

	private Process process;

	private Haproxy(Path executable, Path directory) {
		this.executable = executable;
		this.directory = directory;
	}

	/** The installed haproxy, or {@code null}: the PATH, then /usr/sbin, where Debian puts it. */
	static Path executable() {
		List<Path> candidates = new ArrayList<>();
		for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (!entry.isEmpty()) {
				candidates.add(Path.of(entry, "haproxy"));
			}
		}
		candidates.add(Path.of("/usr/sbin/haproxy"));
		return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
	}

	/**
	 * Checks the configuration ({@code haproxy -c}) and starts haproxy on it. The configuration
	 * may name the runtime API socket with {@code %STATS%}, replaced by {@link #statsSocket()}.
	 */
	static Haproxy start(Path executable, Path directory, String configuration) throws IOException,
			InterruptedException {
		Haproxy haproxy = new Haproxy(executable, directory);
		Path config = directory.resolve("haproxy.cfg");
		Files.writeString(config, configuration.replace("%STATS%", haproxy.statsSocket().toString()));
		Process check = new ProcessBuilder(executable.toString(), "-c", "-f", config.toString())
			.redirectErrorStream(true)
			.start();
		String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
			throw new IllegalStateException("haproxy -c refused the configuration:\n" + checked + "\n" + configuration);
		}
		haproxy.process = new ProcessBuilder(executable.toString(), "-db", "-f", config.toString())
			.redirectErrorStream(true)
			.redirectOutput(haproxy.log().toFile())
			.start();
		return haproxy;
	}

	Path statsSocket() {
		return this.directory.resolve("haproxy.sock");
	}

	Path log() {
		return this.directory.resolve("haproxy.log");
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * A server's row of {@code show stat}, by column name ({@code status}: {@code UP},
	 * {@code DOWN}, {@code UP 1/2} while rising..., {@code wretr}, {@code wredis}, {@code econ},
	 * {@code stot}...), or an empty map when the runtime API does not answer yet.
	 */
	Map<String, String> stat(String backend, String server) {
		String csv;
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(statsSocket()));
			channel.write(StandardCharsets.US_ASCII.encode("show stat\n"));
			StringBuilder text = new StringBuilder();
			ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
			// Bounded: haproxy closes the connection after one command's answer.
			while (channel.read(buffer) >= 0 && text.length() < 1_000_000) {
				buffer.flip();
				text.append(StandardCharsets.US_ASCII.decode(buffer));
				buffer.clear();
			}
			csv = text.toString();
		}
		catch (IOException ex) {
			return Map.of();
		}
		String[] lines = csv.split("\n");
		if (lines.length == 0 || !lines[0].startsWith("# ")) {
			return Map.of();
		}
		String[] columns = lines[0].substring(2).split(",", -1);
		for (String line : lines) {
			String[] values = line.split(",", -1);
			if (values.length >= 2 && values[0].equals(backend) && values[1].equals(server)) {
				Map<String, String> row = new HashMap<>();
				for (int i = 0; i < Math.min(columns.length, values.length); i++) {
					row.put(columns[i], values[i]);
				}
				return row;
			}
		}
		return Map.of();
	}

	/** Whether the health checks have the server {@code UP} (fully risen). */
	boolean isUp(String backend, String server) {
		return "UP".equals(stat(backend, server).get("status"));
	}

	/** A server's counter from {@code show stat}, 0 when it is empty. */
	long counter(String backend, String server, String column) {
		String value = stat(backend, server).getOrDefault(column, "");
		return value.isEmpty() ? 0 : Long.parseLong(value);
	}

	String logText() {
		try {
			return Files.readString(log());
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	/** Stops haproxy (SIGTERM, then SIGKILL if it has not exited after 10 s). */
	void stop() throws InterruptedException {
		if (this.process != null) {
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

}
