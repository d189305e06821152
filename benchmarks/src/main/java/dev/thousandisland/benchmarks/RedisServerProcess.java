package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} on a free loopback port, without persistence, for the client benchmark.
 */
final class RedisServerProcess implements AutoCloseable {

	private final Process process;

	private final int port;

	private RedisServerProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	static RedisServerProcess start() throws IOException, InterruptedException {
		int port;
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = probe.getLocalPort();
		}
		Path log = Files.createTempFile("redis-benchmark", ".log");
		Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--daemonize", "no")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() - deadline < 0) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
				return new RedisServerProcess(process, port);
			}
			catch (IOException ex) {
				if (!process.isAlive()) {
					throw new IOException("redis-server exited: " + Files.readString(log), ex);
				}
				Thread.sleep(20);
			}
		}
		process.destroyForcibly();
		throw new IOException("redis-server did not listen on " + port + " within 10 s");
	}

	int port() {
		return this.port;
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
