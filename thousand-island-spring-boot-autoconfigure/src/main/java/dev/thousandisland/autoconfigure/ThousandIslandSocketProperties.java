package dev.thousandisland.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * Kernel socket options of a Thousand Island server: the listen queue and the options set on listen
 * sockets and accepted connections. A superclass rather than a nested group so that the options
 * keep their flat names ({@code thousandisland.backlog}, {@code thousandisland.tcp-no-delay}, ...),
 * which a nested group would move under a prefix of its own.
 *
 * @see ThousandIslandServerProperties
 */
public abstract class ThousandIslandSocketProperties {

	/**
	 * Length of the listen queue.
	 */
	private int backlog = 1024;

	/**
	 * Whether to set TCP_NODELAY on accepted connections.
	 */
	private boolean tcpNoDelay = true;

	/**
	 * Whether to set SO_REUSEADDR on listen sockets.
	 */
	private boolean reuseAddress = true;

	/**
	 * Whether to set SO_REUSEPORT on listen sockets.
	 */
	private boolean reusePort;

	/**
	 * Whether to set SO_KEEPALIVE on accepted connections. Left to the system when not set.
	 */
	private @Nullable Boolean tcpKeepAlive;

	/**
	 * Size of the kernel send buffer of accepted connections (SO_SNDBUF). Left to the system
	 * when not set.
	 */
	private @Nullable DataSize sendBufferSize;

	/**
	 * Size of the kernel receive buffer of accepted connections (SO_RCVBUF). Left to the system
	 * when not set.
	 */
	private @Nullable DataSize receiveBufferSize;

	public int getBacklog() {
		return this.backlog;
	}

	public void setBacklog(int backlog) {
		this.backlog = backlog;
	}

	public boolean isTcpNoDelay() {
		return this.tcpNoDelay;
	}

	public void setTcpNoDelay(boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
	}

	public boolean isReuseAddress() {
		return this.reuseAddress;
	}

	public void setReuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
	}

	public boolean isReusePort() {
		return this.reusePort;
	}

	public void setReusePort(boolean reusePort) {
		this.reusePort = reusePort;
	}

	public @Nullable Boolean getTcpKeepAlive() {
		return this.tcpKeepAlive;
	}

	public void setTcpKeepAlive(@Nullable Boolean tcpKeepAlive) {
		this.tcpKeepAlive = tcpKeepAlive;
	}

	public @Nullable DataSize getSendBufferSize() {
		return this.sendBufferSize;
	}

	public void setSendBufferSize(@Nullable DataSize sendBufferSize) {
		this.sendBufferSize = sendBufferSize;
	}

	public @Nullable DataSize getReceiveBufferSize() {
		return this.receiveBufferSize;
	}

	public void setReceiveBufferSize(@Nullable DataSize receiveBufferSize) {
		this.receiveBufferSize = receiveBufferSize;
	}

}
