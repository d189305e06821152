package dev.thousandisland.internal.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.thousandisland.client.Liveness;
import jdk.net.ExtendedSocketOptions;

/**
 * Sets a client's TCP keep-alive on each new socket: {@code SO_KEEPALIVE}, and the probe timing
 * the JDK offers as extended options (Linux, macOS, Windows 10+). Where the platform lacks one,
 * keep-alive still goes on with the system's timing for it, and a warning says so once per client
 * rather than on every reconnect.
 */
final class KeepAliveOptions {

	private static final System.Logger logger = System.getLogger(KeepAliveOptions.class.getName());

	private final Liveness liveness;

	private final String clientName;

	private final AtomicBoolean warned = new AtomicBoolean();

	KeepAliveOptions(Liveness liveness, String clientName) {
		this.liveness = liveness;
		this.clientName = clientName;
	}

	/** Sets the options on a TCP socket before it connects. */
	void apply(SocketChannel socket) throws IOException {
		if (!this.liveness.keepAlive()) {
			return;
		}
		socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
		setSeconds(socket, ExtendedSocketOptions.TCP_KEEPIDLE, this.liveness.keepAliveIdle());
		setSeconds(socket, ExtendedSocketOptions.TCP_KEEPINTERVAL, this.liveness.keepAliveInterval());
		if (this.liveness.keepAliveCount() > 0) {
			set(socket, ExtendedSocketOptions.TCP_KEEPCOUNT, this.liveness.keepAliveCount());
		}
	}

	private void setSeconds(SocketChannel socket, SocketOption<Integer> option, Duration value) throws IOException {
		if (value != null) {
			set(socket, option, (int) value.getSeconds());
		}
	}

	private void set(SocketChannel socket, SocketOption<Integer> option, int value) throws IOException {
		if (socket.supportedOptions().contains(option)) {
			socket.setOption(option, value);
		}
		else if (this.warned.compareAndSet(false, true)) {
			logger.log(Level.WARNING, "Client " + this.clientName + ": this platform does not support "
					+ option.name() + "; TCP keep-alive is on with the system's own probe timing for it");
		}
	}

}
