package dev.thousandisland.internal.client;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.thousandisland.client.ConnectionLostException;
import dev.thousandisland.client.FrameKind;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.transport.TransportChannel;

/**
 * One live connection of a client, from the end of its handshake until it drops or the client
 * stops: the event loop on the client's thread. It writes requests as they come without waiting
 * for replies (pipelining), cuts replies from the stream with the reply framing and completes the
 * oldest request in flight with each, first in, first out.
 *
 * <p>Memory stays bounded whatever the peer does: the read buffer never grows past the framing's
 * {@link Framing#maxBufferedBytes()}, and a frame that answers no request in flight goes to
 * {@link dev.thousandisland.client.ClientHandler#handleFrame}, whose default makes it a protocol
 * error that ends the connection rather than something to keep.
 */
final class ClientSession {

	private final TransportChannel channel;

	private final SelectorReadiness readiness;

	private final SelectionKey key;

	private final Framing requestFraming;

	private final ClientInbox inbox;

	private final ClientLoop loop;

	private final ArrayDeque<PendingRequest> inFlight = new ArrayDeque<>();

	private final ArrayDeque<ByteBuffer> outgoing = new ArrayDeque<>();

	private final List<PendingRequest> taken = new ArrayList<>();

	private final ReplyBuffer replyBuffer;

	private final LateReplies late;

	private long replies;

	/** The idle check, or {@code null} when the client has none. */
	private final IdleCheck idleCheck;

	ClientSession(TransportChannel channel, SelectorReadiness readiness, SelectionKey key, ClientLoop loop) {
		this.channel = channel;
		this.readiness = readiness;
		this.key = key;
		this.loop = loop;
		this.inbox = loop.inbox();
		this.replyBuffer = new ReplyBuffer(loop.config().replyFraming());
		this.requestFraming = loop.config().requestFraming();
		this.late = new LateReplies(loop);
		this.idleCheck = IdleCheck.of(loop.config().liveness());
	}

	/**
	 * Runs until the connection ends. Returns normally only when the client is stopping and
	 * nothing is left in flight; otherwise throws why the connection ended.
	 */
	void run() throws IOException {
		while (true) {
			if (this.loop.requestTimedOutInFlight()) {
				throw new RequestTimeoutException("A request written to the server got no reply within its timeout", true);
			}
			long lateWait = this.late.check(this.loop.generation());
			this.loop.deliverMessages();
			takeRequests();
			long checkAgain = checkIdle();
			boolean writesPending = write();
			if (this.loop.stopping() && !writesPending && inFlight() == 0 && !this.inbox.hasRequests()) {
				return;
			}
			long wait = lateWait;
			if (this.loop.stopping()) {
				long toDeadline = this.loop.stopDeadline() - System.nanoTime();
				if (toDeadline <= 0) {
					return;
				}
				wait = (wait == 0) ? toDeadline : Math.min(wait, toDeadline);
			}
			else if (checkAgain > 0) {
				wait = (wait == 0) ? checkAgain : Math.min(wait, checkAgain);
			}
			if (this.channel.hasBufferedInput()) {
				read();
				continue;
			}
			this.key.interestOps(SelectionKey.OP_READ | (writesPending ? SelectionKey.OP_WRITE : 0));
			int ready = this.readiness.select(wait);
			if ((ready & SelectionKey.OP_READ) != 0) {
				read();
			}
		}
	}

	/** Fails what is in flight: the connection ended before their replies came. */
	void failInFlight(Throwable cause, String why) {
		for (PendingRequest request : this.inFlight) {
			request.reply.completeExceptionally(new ConnectionLostException(
					why + "; the request was sent and may or may not have been executed", cause));
		}
		this.inFlight.clear();
	}

	/** Requests written whose callers still wait for their replies (not those that timed out). */
	int inFlight() {
		return this.inFlight.size() - this.late.owing();
	}

	/** Whether the server answered at least once: a connection that did is not a failed attempt. */
	boolean answered() {
		return this.replies > 0;
	}

	/** Runs the idle check, if any; returns nanoseconds until it is due again (0: never). */
	private long checkIdle() throws IOException {
		if (this.idleCheck == null || this.loop.stopping()) {
			return 0;
		}
		return this.idleCheck.run(this.inFlight.size(), this.loop.callbacks()::ping, this::sendPing);
	}

	/** Writes the idle check's ping after everything before it, so the next reply is its reply. */
	private void sendPing(PendingRequest ping) {
		ByteBuffer[] wire = (this.requestFraming != null) ? this.requestFraming.encode(ping.wire[0]) : ping.wire;
		for (ByteBuffer buffer : wire) {
			this.outgoing.add(buffer);
		}
		ping.sentOn = this.loop.generation();
		ping.sent = true;
		this.inFlight.add(ping);
	}

	private void takeRequests() {
		this.inbox.drainRequests(this.taken);
		for (PendingRequest request : this.taken) {
			if (request.isDone()) {
				continue; // timed out while queued: never sent
			}
			ByteBuffer[] wire = request.wire;
			if (this.requestFraming != null && wire.length == 1) {
				wire = this.requestFraming.encode(wire[0]);
			}
			for (ByteBuffer buffer : wire) {
				this.outgoing.add(buffer);
			}
			request.sentOn = this.loop.generation();
			request.sent = true;
			this.inFlight.add(request);
		}
		this.taken.clear();
	}

	/** Writes what the socket takes now; returns whether bytes are still waiting. */
	private boolean write() throws IOException {
		while (!this.outgoing.isEmpty()) {
			ByteBuffer[] batch = this.outgoing.toArray(ByteBuffer[]::new);
			this.channel.write(batch);
			while (!this.outgoing.isEmpty() && !this.outgoing.peek().hasRemaining()) {
				this.outgoing.poll();
			}
			if (!this.outgoing.isEmpty()) {
				return true;
			}
		}
		return !this.channel.flush();
	}

	private void read() throws IOException {
		int read = this.channel.read(this.replyBuffer.readInto());
		if (read < 0) {
			throw new EOFException("The server closed the connection");
		}
		if (read > 0) {
			if (this.idleCheck != null) {
				this.idleCheck.received();
			}
			this.replyBuffer.cut(this::reply);
		}
	}

	/**
	 * The handler's {@code classify} says what the frame is: the oldest request in flight gets a
	 * reply; a push, or a reply with none in flight, goes to {@code handleFrame} (by default a
	 * protocol error).
	 */
	private void reply(ByteBuffer payload) throws IOException {
		FrameKind kind = this.loop.callbacks().classify(payload, this.inFlight.size());
		if (kind == FrameKind.IGNORE) {
			return;
		}
		PendingRequest request = (kind == FrameKind.PUSH) ? null : this.inFlight.poll();
		if (request == null) {
			this.loop.callbacks().unsolicited(payload);
			this.replies++;
			return;
		}
		if (kind == FrameKind.REPLY_AND_PUSH) {
			ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.duplicate()).flip();
			complete(request, payload);
			this.loop.callbacks().unsolicited(copy);
			return;
		}
		complete(request, payload);
	}

	private void complete(PendingRequest request, ByteBuffer copy) {
		this.replies++;
		// Measured before completing: the caller owns the buffer from then on and may consume it.
		long length = copy.remaining();
		if (!request.reply.complete(copy)) {
			this.late.arrived(request, length);
		}
		else if (request.span != null) {
			request.span.stop(Map.of("reply_bytes", length), null);
		}
	}

}
