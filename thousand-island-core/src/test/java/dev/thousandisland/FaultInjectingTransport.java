package dev.thousandisland;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;


/**
 * The plain transport, except that accept first throws the failures queued with {@link #failNext}:
 * the acceptor tests' way of making accept(2) fail on demand, with real sockets otherwise.
 */
final class FaultInjectingTransport implements Transport {

	private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

	private final Set<Thread> acceptingThreads = ConcurrentHashMap.newKeySet();

	private final AtomicInteger failuresThrown = new AtomicInteger();

	private volatile long firstFailure;

	private volatile long lastFailure;

	/** Queues {@code times} failures, each made by {@code failure}, for the next accepts. */
	void failNext(int times, Supplier<Throwable> failure) {
		for (int i = 0; i < times; i++) {
			this.failures.add(failure.get());
		}
	}

	/** The threads that have called accept. */
	Set<Thread> acceptingThreads() {
		return this.acceptingThreads;
	}

	int failuresThrown() {
		return this.failuresThrown.get();
	}

	/** Nanoseconds from the first failure thrown to the last. */
	long failureSpan() {
		return this.lastFailure - this.firstFailure;
	}

	@Override
	public SocketChannel accept(ServerSocketChannel listenSocket) throws IOException {
		this.acceptingThreads.add(Thread.currentThread());
		Throwable failure = this.failures.poll();
		if (failure != null) {
			long now = System.nanoTime();
			if (this.failuresThrown.incrementAndGet() == 1) {
				this.firstFailure = now;
			}
			this.lastFailure = now;
			switch (failure) {
				case IOException io -> throw io;
				case RuntimeException runtime -> throw runtime;
				case Error error -> throw error;
				default -> throw new IllegalArgumentException("Cannot inject " + failure);
			}
		}
		return Transport.plain().accept(listenSocket);
	}

	@Override
	public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline) throws IOException {
		return Transport.plain().handshake(socket, readiness, deadline);
	}

	@Override
	public boolean isSecure() {
		return false;
	}

	@Override
	public String name() {
		return "fault-injecting";
	}

}
