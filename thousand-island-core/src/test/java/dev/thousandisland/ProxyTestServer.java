package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.awaitility.Awaitility.await;

/**
 * A server reading PROXY headers, with an echo handler that records every callback and the socket
 * it saw on connection, and the raw bytes clients write: the fixture of the PROXY protocol tests.
 */
final class ProxyTestServer implements AutoCloseable {

	static final Duration WAIT = Duration.ofSeconds(20);

	static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

	final List<String> callbacks = new CopyOnWriteArrayList<>();

	final CompletableFuture<Socket> connected = new CompletableFuture<>();

	final TelemetryRecorder telemetry = new TelemetryRecorder();

	final Server server;

	ProxyTestServer(ProxyProtocolMode mode, UnaryOperator<ServerConfig.Builder> customizer) throws IOException {
		Handler<Void> echo = new Handler<>() {

			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				ProxyTestServer.this.callbacks.add("connection");
				ProxyTestServer.this.connected.complete(socket);
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
				ProxyTestServer.this.callbacks.add("data");
				socket.send(data);
				return Result.continueWith(state);
			}

			@Override
			public void handleClose(Socket socket, Void state) {
				ProxyTestServer.this.callbacks.add("close");
			}

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				ProxyTestServer.this.callbacks.add("error");
			}

			@Override
			public void handleTimeout(Socket socket, Void state) {
				ProxyTestServer.this.callbacks.add("timeout");
			}

		};
		ServerConfig.Builder builder = ServerConfig.builder(echo)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.proxyProtocol(mode)
			.telemetryListener(this.telemetry);
		this.server = customizer.apply(builder).start();
	}

	TestClient connect() throws IOException {
		return TestClient.connect(this.server);
	}

	/** Waits for the n-th connection's stop event and returns its reason. */
	String awaitStopReason(int count) {
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) >= count);
		return (String) this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(count - 1).metadata().get("reason");
	}

	/** The start metadata of the n-th connection. */
	TelemetryEvent start(int index) {
		return this.telemetry.named(TelemetryEvent.CONNECTION_START).get(index);
	}

	@Override
	public void close() {
		this.server.stop(Duration.ofSeconds(2));
	}

	static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/** A version 2 PROXY header for TCP over IPv4 or IPv6 (by the address lengths), no TLVs. */
	static byte[] v2Proxy(InetAddress source, int sourcePort, InetAddress destination, int destinationPort) {
		byte[] src = source.getAddress();
		byte[] dst = destination.getAddress();
		ByteBuffer header = ByteBuffer.allocate(16 + 2 * src.length + 4).order(ByteOrder.BIG_ENDIAN);
		header.put(V2_SIGNATURE).put((byte) 0x21).put((byte) ((src.length == 4) ? 0x11 : 0x21));
		header.putShort((short) (2 * src.length + 4)).put(src).put(dst);
		header.putShort((short) sourcePort).putShort((short) destinationPort);
		return header.array();
	}

	/** A version 2 LOCAL header, as a proxy's health check sends. */
	static byte[] v2Local() {
		return ByteBuffer.allocate(16).put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0).array();
	}

	static byte[] concat(byte[] first, byte[] second) {
		byte[] both = new byte[first.length + second.length];
		System.arraycopy(first, 0, both, 0, first.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

}
