package dev.thousandisland.reliability;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chat member saying numbered lines at a steady pace on a virtual thread of its own, until
 * stopped or {@link #MAX_LINES} lines, remembering when it sent each (so that a test can tell
 * what was sent before, during and after an outage).
 */
final class PacedSender {

	static final int MAX_LINES = 5_000;

	final ChatLineClient member;

	private final Duration pace;

	private final long[] sentAt = new long[MAX_LINES];

	private final AtomicBoolean stop = new AtomicBoolean();

	private volatile int sent;

	private volatile IOException failure;

	private Thread thread;

	PacedSender(ChatLineClient member, Duration pace) {
		this.member = member;
		this.pace = pace;
	}

	void start() {
		this.thread = Thread.ofVirtual().name("paced-" + this.member.name()).start(() -> {
			try {
				for (int n = 0; n < MAX_LINES && !this.stop.get(); n++) {
					this.sentAt[n] = System.nanoTime();
					this.member.say(RoomLines.text(n, 0));
					this.sent = n + 1;
					Thread.sleep(this.pace);
				}
			}
			catch (IOException ex) {
				this.failure = ex;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
	}

	/** Stops after the line under way and waits for the thread. */
	void stop() throws InterruptedException {
		this.stop.set(true);
		if (!this.thread.join(Duration.ofSeconds(10))) {
			throw new AssertionError("sender " + this.member.name() + " did not stop");
		}
		if (this.failure != null) {
			throw new AssertionError("sender " + this.member.name() + " failed after " + this.sent + " lines",
					this.failure);
		}
	}

	/** Lines sent so far, numbered from 0. */
	int sent() {
		return this.sent;
	}

	/** When line {@code n} was sent ({@link System#nanoTime}). */
	long sentAt(long n) {
		return this.sentAt[(int) n];
	}

	String node() {
		return this.member.node();
	}

	String name() {
		return this.member.name();
	}

}
