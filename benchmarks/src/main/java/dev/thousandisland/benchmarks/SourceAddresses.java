package dev.thousandisland.benchmarks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Client source addresses spread over 127.0.0.2–127.0.0.254, handed out in turn. Binding each
 * client socket to one of them before connecting gives every address its own range of ephemeral
 * ports, so tens of thousands of connections to one server port do not run short.
 */
final class SourceAddresses {

	private static final int FIRST = 2;

	private static final int COUNT = 253;

	private final InetSocketAddress[] addresses = new InetSocketAddress[COUNT];

	private final AtomicInteger next = new AtomicInteger();

	SourceAddresses() throws UnknownHostException {
		for (int i = 0; i < COUNT; i++) {
			InetAddress address = InetAddress.getByAddress(new byte[] { 127, 0, 0, (byte) (FIRST + i) });
			this.addresses[i] = new InetSocketAddress(address, 0);
		}
	}

	/**
	 * Returns the next source address, with port 0 so that the kernel picks the port.
	 * @return the address to bind
	 */
	InetSocketAddress next() {
		return this.addresses[Math.floorMod(this.next.getAndIncrement(), COUNT)];
	}

}
