package dev.thousandisland.benchmarks;

/**
 * The servers every comparison runs, in the order of the results table.
 */
enum Peer {

	/** Thousand Island: one virtual thread per connection, its own epoll readiness poller. */
	THOUSAND_ISLAND("thousand-island", "Thousand Island"),

	/** Netty 4.2 on its native epoll transport, one worker event loop per core. */
	NETTY_EPOLL("netty-epoll", "Netty epoll"),

	/** Reactor Netty's {@code TcpServer} on native epoll, its default loop resources. */
	REACTOR_NETTY("reactor-netty", "Reactor Netty"),

	/** Spring Integration IP's TCP connection factory on virtual threads. */
	SPRING_INTEGRATION("spring-integration", "Spring Integration"),

	/** The JDK alone: one virtual thread per connection, blocking 8 KiB reads. */
	NAIVE_VIRTUAL_THREADS("naive-vt", "naive VT");

	private final String id;

	private final String label;

	Peer(String id, String label) {
		this.id = id;
		this.label = label;
	}

	/**
	 * Returns whether this server takes part in the TLS workloads.
	 * @return {@code false} for Spring Integration, whose TLS is not wired into the benchmark
	 */
	boolean speaksTls() {
		return this != SPRING_INTEGRATION;
	}

	/**
	 * Returns the name used on command lines.
	 * @return the id
	 */
	String id() {
		return this.id;
	}

	/**
	 * Returns the name used in tables and charts.
	 * @return the label
	 */
	String label() {
		return this.label;
	}

	static Peer of(String id) {
		for (Peer peer : values()) {
			if (peer.id.equals(id)) {
				return peer;
			}
		}
		throw new IllegalArgumentException("Unknown server '" + id + "'");
	}

}
