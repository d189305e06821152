package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.proxy.ProxyTrustedSources;
import org.jspecify.annotations.Nullable;

/**
 * PROXY protocol settings of a Thousand Island server, under {@code thousandisland.proxy-protocol.*}
 * (every server's default) and {@code thousandisland.servers.<name>.proxy-protocol.*}.
 *
 * @see ThousandIslandServerProperties
 */
public class ThousandIslandProxyProtocolProperties {

	/**
	 * Whether each connection starts with a PROXY protocol header (v1 or v2) telling the
	 * client's address: off, required, or optional (detected from the first bytes).
	 */
	private ProxyProtocolMode mode = ProxyProtocolMode.OFF;

	/**
	 * Addresses and CIDR blocks (IPv4 or IPv6) a header is accepted from. Peers on a Unix
	 * domain socket are always trusted.
	 */
	private List<String> trustedSources = new ArrayList<>(ProxyTrustedSources.loopback().sources());

	/**
	 * Time the whole header may take to arrive. Defaults to the read timeout.
	 */
	private @Nullable Duration headerTimeout;

	public ProxyProtocolMode getMode() {
		return this.mode;
	}

	public void setMode(ProxyProtocolMode mode) {
		this.mode = mode;
	}

	public List<String> getTrustedSources() {
		return this.trustedSources;
	}

	public void setTrustedSources(List<String> trustedSources) {
		this.trustedSources = trustedSources;
	}

	public @Nullable Duration getHeaderTimeout() {
		return this.headerTimeout;
	}

	public void setHeaderTimeout(@Nullable Duration headerTimeout) {
		this.headerTimeout = headerTimeout;
	}

}
