package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.StressFrame.Kind;
import dev.thousandisland.StressScript.Op;


/**
 * One client of the lifecycle stress test: connects (retrying while the server is suspended),
 * plays its script one operation per method, and reads on a thread of its own, checking that
 * every byte it receives carries its tag and the pattern of its frame.
 */
final class StressClient implements Runnable {

	/** Longer than any operation takes on a loaded machine: waiting this long is a stall. */
	private static final Duration STALL = Duration.ofSeconds(20);

	/**
	 * Where and how to connect.
	 * @param port the server's port
	 * @param tls the client context for a TLS server, {@code null} for a plain one
	 * @param startTls the client context for STARTTLS
	 * @param sendTimeout the server's send timeout
	 * @param stopping whether the round's server is stopping (a failed expectation is then normal)
	 * @param invariants where violations go
	 */
	record Target(int port, SSLContext tls, SSLContext startTls, Duration sendTimeout, BooleanSupplier stopping,
			LifecycleInvariants invariants) {
	}

	private final StressScript script;

	private final Target target;

	/** What the reader of the current connection attempt has received; a new one per attempt. */
	private volatile StressInbox inbox = new StressInbox();

	private java.net.Socket plain;

	private volatile java.net.Socket socket;

	private volatile OutputStream out;

	private int seq;

	StressClient(StressScript script, Target target) {
		this.script = script;
		this.target = target;
	}

	@Override
	public void run() {
		try {
			Thread.sleep(this.script.startDelayMillis());
			if (!connect()) {
				return;
			}
			for (Op op : this.script.ops()) {
				if (!perform(op)) {
					break;
				}
			}
		}
		catch (IOException | InterruptedException ex) {
			// The server stopped, closed or reset the connection under the script: part of the test.
		}
		finally {
			closeQuietly();
		}
	}

	private boolean perform(Op op) throws IOException, InterruptedException {
		return switch (op.type()) {
			case ECHO -> echo(op.argument());
			case SPLIT_ECHO -> splitEcho(op.argument());
			case BURST -> burst(op.argument());
			case RECV_NEXT -> recvNext();
			case PUSH -> request(Kind.PUSH, op.argument(), Kind.PUSHED, op.argument());
			case TELL -> request(Kind.TELL, op.argument(), Kind.TOLD, op.argument());
			case PAUSE -> pause(op.argument());
			case STARTTLS -> startTls(op.argument());
			case OUTSIDE_CLOSE -> requestEnd(Kind.CLOSE_OUTSIDE, op.argument());
			case OUTSIDE_SOCKET_CLOSE -> requestEnd(Kind.CLOSE_OUTSIDE, 1000 + op.argument());
			case FLOOD -> flood();
			case IDLE -> requestEnd(Kind.IDLE, op.argument());
			case RECV_TIMEOUT -> requestEnd(Kind.RECV_TIMEOUT, op.argument());
			case CLOSE_REQUEST -> requestEnd(Kind.CLOSE, 0);
			case FAIL -> requestEnd(Kind.FAIL, op.argument());
			case CLIENT_CLOSE -> clientClose();
			case LINGER -> awaitEnd("the server to stop");
		};
	}

	/** Connects and says hello; retries while connects are refused (a suspended server). */
	private boolean connect() throws InterruptedException {
		for (int attempt = 0; attempt < 100 && !this.target.stopping().getAsBoolean(); attempt++) {
			try {
				open();
				send(frame(Kind.HELLO, this.script.keepsSlices() ? 1 : 0, 0));
				StressInbox.Outcome outcome = this.inbox.awaitCount(Kind.ECHOED, 1, STALL);
				if (outcome != StressInbox.Outcome.ENDED) {
					if (outcome == StressInbox.Outcome.STALLED) {
						stalled("the answer to hello");
					}
					return outcome == StressInbox.Outcome.REACHED;
				}
			}
			catch (IOException ex) {
				// Refused or reset: the server is suspended, or was when the connect was queued.
			}
			closeQuietly();
			Thread.sleep(20);
		}
		return false;
	}

	private void open() throws IOException {
		java.net.Socket plain = new java.net.Socket();
		// A small window keeps the flood that makes a send time out small.
		plain.setReceiveBufferSize(16 * 1024);
		plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.target.port()), 5_000);
		plain.setSoTimeout((int) STALL.toMillis());
		this.plain = plain;
		this.socket = (this.target.tls() != null) ? handshake(this.target.tls(), plain) : plain;
		this.out = this.socket.getOutputStream();
		this.seq = 0;
		StressInbox inbox = new StressInbox();
		this.inbox = inbox;
		InputStream in = this.socket.getInputStream();
		Thread.ofVirtual().name("stress-client-" + this.script.tag() + "-reader").start(() -> read(inbox, in));
	}

	private boolean echo(int length) throws IOException, InterruptedException {
		send(frame(Kind.ECHO, 0, length));
		return awaitCount(Kind.ECHOED, this.inbox.count(Kind.ECHOED) + 1, "an echo");
	}

	/** Writes a frame in two parts, so that the handler holds a partial frame between reads. */
	private boolean splitEcho(int length) throws IOException, InterruptedException {
		int expected = this.inbox.count(Kind.ECHOED) + 1;
		byte[] bytes = frame(Kind.ECHO, 0, length);
		int half = Math.max(1, bytes.length / 2);
		this.out.write(bytes, 0, half);
		this.out.flush();
		Thread.sleep(3);
		this.out.write(bytes, half, bytes.length - half);
		this.out.flush();
		return awaitCount(Kind.ECHOED, expected, "a split echo");
	}

	/** Writes several frames at once, so that one handleData sees several. */
	private boolean burst(int count) throws IOException, InterruptedException {
		int expected = this.inbox.count(Kind.ECHOED) + count;
		ByteBuffer all = ByteBuffer.allocate(count * (StressFrame.HEADER + 64));
		for (int i = 0; i < count; i++) {
			all.put(frame(Kind.ECHO, 0, i * 7));
		}
		send(java.util.Arrays.copyOf(all.array(), all.position()));
		return awaitCount(Kind.ECHOED, expected, "a burst of echoes");
	}

	/** The handler announces it is inside its callback, then receives the next frame with recv. */
	private boolean recvNext() throws IOException, InterruptedException {
		int ready = this.inbox.count(Kind.RECV_READY) + 1;
		int echoed = this.inbox.count(Kind.ECHOED) + 1;
		send(frame(Kind.RECV_NEXT, 0, 0));
		if (!awaitCount(Kind.RECV_READY, ready, "recv to be ready")) {
			return false;
		}
		send(frame(Kind.ECHO, 0, 100));
		return awaitCount(Kind.ECHOED, echoed, "the echo of a received frame");
	}

	private boolean request(Kind kind, int argument, Kind answer, int answers) throws IOException, InterruptedException {
		int expected = this.inbox.count(answer) + answers;
		send(frame(kind, argument, 0));
		return awaitCount(answer, expected, answers + " " + answer);
	}

	private boolean pause(int millis) throws InterruptedException {
		Thread.sleep(millis);
		return true;
	}

	/** STARTTLS: the reader upgrades on the answer; the frames pushed meanwhile must arrive encrypted. */
	private boolean startTls(int pushes) throws IOException, InterruptedException {
		int expected = this.inbox.count(Kind.PUSHED) + pushes;
		send(frame(Kind.STARTTLS, pushes, 0));
		StressInbox.Outcome upgrade = this.inbox.awaitUpgraded(STALL);
		if (upgrade == StressInbox.Outcome.STALLED) {
			stalled("STARTTLS");
		}
		return upgrade == StressInbox.Outcome.REACHED
				&& awaitCount(Kind.PUSHED, expected, pushes + " pushes after STARTTLS");
	}

	/** Stops reading while another thread sends, then reads again once the send must have timed out. */
	private boolean flood() throws IOException, InterruptedException {
		this.inbox.pause(true);
		send(frame(Kind.FLOOD, 0, 0));
		Thread.sleep(this.target.sendTimeout().toMillis() * 4);
		this.inbox.pause(false);
		return awaitEnd("the send timeout to close the connection");
	}

	private boolean requestEnd(Kind kind, int argument) throws IOException, InterruptedException {
		send(frame(kind, argument, 0));
		return awaitEnd("the connection to end after " + kind);
	}

	private boolean clientClose() {
		closeQuietly();
		return false;
	}

	private boolean awaitCount(Kind kind, int count, String what) throws InterruptedException {
		StressInbox.Outcome outcome = this.inbox.awaitCount(kind, count, STALL);
		if (outcome == StressInbox.Outcome.STALLED) {
			stalled(what);
		}
		return outcome == StressInbox.Outcome.REACHED;
	}

	private boolean awaitEnd(String what) throws InterruptedException {
		if (this.inbox.awaitEnd(STALL) == StressInbox.Outcome.STALLED) {
			stalled(what);
		}
		return false;
	}

	private void stalled(String what) {
		this.target.invariants().clientFail("client stalled", this.script.tag(), "waited " + STALL.toSeconds()
				+ " s for " + what);
	}

	/** The reader: checks every frame, counts it, and performs the client's half of STARTTLS. */
	private void read(StressInbox inbox, InputStream input) {
		InputStream in = input;
		try {
			while (true) {
				inbox.awaitUnpaused();
				byte[] header = in.readNBytes(StressFrame.HEADER);
				if (header.length < StressFrame.HEADER) {
					break;
				}
				StressFrame frame = StressFrame.header(ByteBuffer.wrap(header));
				ByteBuffer body = ByteBuffer.wrap(in.readNBytes(frame.bodyLength()));
				if (body.remaining() < frame.bodyLength()) {
					break;
				}
				frame.checkBody(body);
				if (frame.tag() != this.script.tag()) {
					throw new StressFrame.CorruptFrameException("frame " + frame + " carries another client's tag");
				}
				if (frame.kind() == Kind.STARTTLS_OK) {
					in = upgrade(inbox);
				}
				inbox.received(frame.kind());
			}
		}
		catch (StressFrame.CorruptFrameException ex) {
			this.target.invariants().clientFail("bytes of another connection (or garbage) reached a client",
					this.script.tag(), ex.getMessage());
		}
		catch (IOException ex) {
			// The connection ended: how is the server's side of the story.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			inbox.ended();
		}
	}

	/** Layers TLS over the plain socket once the server said OK to STARTTLS. */
	private InputStream upgrade(StressInbox inbox) throws IOException {
		try {
			SSLSocket tls = handshake(this.target.startTls(), this.plain);
			this.socket = tls;
			this.out = tls.getOutputStream();
			inbox.upgraded();
			return tls.getInputStream();
		}
		catch (javax.net.ssl.SSLException ex) {
			if (!this.target.stopping().getAsBoolean()) {
				this.target.invariants().clientFail("STARTTLS handshake broken", this.script.tag(),
						"the client's TLS handshake after STARTTLS failed: " + ex);
			}
			throw ex;
		}
	}

	private static SSLSocket handshake(SSLContext context, java.net.Socket plain) throws IOException {
		SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
		tls.setSoTimeout((int) STALL.toMillis());
		tls.startHandshake();
		return tls;
	}

	private byte[] frame(Kind kind, int argument, int bodyLength) {
		return new StressFrame(kind, this.script.tag(), this.seq++, argument, bodyLength).bytes();
	}

	private void send(byte[] bytes) throws IOException {
		OutputStream out = this.out;
		out.write(bytes);
		out.flush();
	}

	private void closeQuietly() {
		java.net.Socket socket = (this.socket != null) ? this.socket : this.plain;
		try {
			if (socket != null) {
				socket.close();
			}
			if (this.plain != null) {
				this.plain.close();
			}
		}
		catch (IOException ex) {
			// Closed either way.
		}
	}

}
