package dev.thousandisland;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gathering send of a few small buffers is written as one joined buffer, not as a vector (see
 * {@code PlainChannel}): the bytes must still arrive whole and in order, and every buffer's
 * position must still say what was sent, also when the socket takes only part of a write.
 */
class GatheringSendTests {

	/** Sends of three small parts each, 1,300 bytes together: under the joining limit. */
	private static final int SENDS = 100;

	private Server server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void smallGatheringSendsArriveWholeAndInOrderThroughPartialWrites() throws Exception {
		CompletableFuture<Boolean> positionsAdvanced = new CompletableFuture<>();
		Handler<Void> sender = new Handler<>() {

			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				boolean advanced = true;
				for (int i = 0; i < SENDS; i++) {
					ByteBuffer[] parts = { header(i), body(i, 1_000), body(i + 1, 296) };
					socket.send(parts);
					for (ByteBuffer part : parts) {
						advanced &= !part.hasRemaining();
					}
				}
				positionsAdvanced.complete(advanced);
				return Result.continueWith(state);
			}

		};
		// A small send buffer and a client that waits before it reads: most joined writes are
		// taken only in part, and the rest of each must follow from the right place.
		this.server = ServerConfig.builder(sender)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.socketOption(StandardSocketOptions.SO_SNDBUF, 4096)
			.start();
		try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), this.server.port())) {
			client.setReceiveBufferSize(4096);
			client.setSoTimeout(10_000);
			Thread.sleep(200);
			DataInputStream in = new DataInputStream(client.getInputStream());
			for (int i = 0; i < SENDS; i++) {
				assertThat(in.readInt()).as("header of send %d", i).isEqualTo(i);
				byte[] first = new byte[1_000];
				in.readFully(first);
				assertThat(first).as("first body of send %d", i).isEqualTo(body(i, 1_000).array());
				byte[] second = new byte[296];
				in.readFully(second);
				assertThat(second).as("second body of send %d", i).isEqualTo(body(i + 1, 296).array());
			}
		}
		assertThat(positionsAdvanced.get(10, TimeUnit.SECONDS)).as("every part's position reached its limit").isTrue();
	}

	private static ByteBuffer header(int send) {
		return ByteBuffer.allocate(4).putInt(0, send);
	}

	/** Bytes that differ from send to send and from offset to offset, so that a misplaced byte shows. */
	private static ByteBuffer body(int seed, int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (seed * 31 + i);
		}
		return ByteBuffer.wrap(bytes);
	}

}
