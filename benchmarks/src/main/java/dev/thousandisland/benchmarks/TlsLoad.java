package dev.thousandisland.benchmarks;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS 1.3 load generator in its own JVM: {@code TlsLoad <handshakes|bulk> <port> <trust store>
 * <threads> <seconds> [warm-up ms]}. {@code handshakes}: each thread connects, completes a
 * handshake, echoes one byte and closes, over and over; prints completed handshakes. {@code bulk}:
 * each thread keeps one connection and echoes 16 KiB chunks; prints bytes echoed. Only what
 * completes after the warm-up (none by default) is counted, over the following {@code seconds}.
 */
public final class TlsLoad {

	private TlsLoad() {
	}

	public static void main(String[] args) throws Exception {
		String mode = args[0];
		int port = Integer.parseInt(args[1]);
		SSLContext context = BenchmarkCertificate.clientContext(Path.of(args[2]));
		int threads = Integer.parseInt(args[3]);
		long warmupEnd = System.nanoTime() + ((args.length > 5) ? Long.parseLong(args[5]) * 1_000_000L : 0);
		long deadline = warmupEnd + Long.parseLong(args[4]) * 1_000_000_000L;
		LongAdder done = new LongAdder();
		LongAdder failures = new LongAdder();
		Thread[] workers = new Thread[threads];
		for (int i = 0; i < threads; i++) {
			workers[i] = Thread.ofPlatform().start(() -> {
				try {
					if (mode.equals("handshakes")) {
						handshakes(context, port, warmupEnd, deadline, done, failures);
					}
					else {
						bulk(context, port, warmupEnd, deadline, done);
					}
				}
				catch (Exception ex) {
					failures.increment();
				}
			});
		}
		for (Thread worker : workers) {
			worker.join();
		}
		System.out.println(done.sum() + " " + failures.sum());
	}

	private static void handshakes(SSLContext context, int port, long warmupEnd, long deadline, LongAdder done,
			LongAdder failures) {
		while (System.nanoTime() < deadline) {
			try (SSLSocket socket = connect(context, port)) {
				socket.startHandshake();
				socket.getOutputStream().write(1);
				if (socket.getInputStream().read() == 1 && System.nanoTime() - warmupEnd >= 0) {
					done.increment();
				}
			}
			catch (Exception ex) {
				failures.increment();
			}
		}
	}

	private static void bulk(SSLContext context, int port, long warmupEnd, long deadline, LongAdder done)
			throws Exception {
		byte[] chunk = new byte[16 * 1024];
		try (SSLSocket socket = connect(context, port)) {
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			while (System.nanoTime() < deadline) {
				out.write(chunk);
				out.flush();
				int received = in.readNBytes(chunk, 0, chunk.length);
				if (System.nanoTime() - warmupEnd >= 0) {
					done.add(received);
				}
			}
		}
	}

	private static SSLSocket connect(SSLContext context, int port) throws Exception {
		java.net.Socket plain = new java.net.Socket();
		plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
		plain.setTcpNoDelay(true);
		plain.setSoTimeout(10_000);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
		socket.setEnabledProtocols(new String[] { "TLSv1.3" });
		return socket;
	}

}
