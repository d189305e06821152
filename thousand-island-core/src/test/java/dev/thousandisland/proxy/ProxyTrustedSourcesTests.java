package dev.thousandisland.proxy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Who may send a PROXY header: addresses and CIDR blocks of both IP families, and Unix peers. */
class ProxyTrustedSourcesTests {

	@Test
	void loopbackTrustsBothLoopbacksAndNothingElse() {
		ProxyTrustedSources loopback = ProxyTrustedSources.loopback();
		assertThat(loopback.trusts(new InetSocketAddress("127.0.0.1", 1))).isTrue();
		assertThat(loopback.trusts(new InetSocketAddress("127.200.3.4", 1))).isTrue();
		assertThat(loopback.trusts(new InetSocketAddress("::1", 1))).isTrue();
		assertThat(loopback.trusts(new InetSocketAddress("10.0.0.1", 1))).isFalse();
		assertThat(loopback.trusts(new InetSocketAddress("::2", 1))).isFalse();
	}

	@Test
	void blocksMatchTheirPrefixBitsOnly() {
		ProxyTrustedSources sources = ProxyTrustedSources.of(List.of("10.1.0.0/17", "2001:db8:8000::/33", "192.0.2.7"));
		assertThat(sources.trusts(new InetSocketAddress("10.1.127.255", 1))).isTrue();
		assertThat(sources.trusts(new InetSocketAddress("10.1.128.0", 1))).isFalse();
		assertThat(sources.trusts(new InetSocketAddress("2001:db8:8000::1", 1))).isTrue();
		assertThat(sources.trusts(new InetSocketAddress("2001:db8:7fff::1", 1))).isFalse();
		assertThat(sources.trusts(new InetSocketAddress("192.0.2.7", 1))).isTrue();
		assertThat(sources.trusts(new InetSocketAddress("192.0.2.8", 1))).isFalse();
	}

	@Test
	void unixPeersAreAlwaysTrustedAndAnEmptyListTrustsNoIpPeer() {
		ProxyTrustedSources none = ProxyTrustedSources.of(List.of());
		assertThat(none.trusts(UnixDomainSocketAddress.of(""))).isTrue();
		assertThat(none.trusts(new InetSocketAddress("127.0.0.1", 1))).isFalse();
	}

	@Test
	void entriesThatAreNotIpLiteralsWithAFittingPrefixAreRefused() {
		for (String bad : List.of("localhost", "10.0.0.0/33", "::1/129", "10.0.0/8", "10.0.0.0/", "300.1.1.1", "10.0.0.0/-1")) {
			assertThatIllegalArgumentException().as(bad)
				.isThrownBy(() -> ProxyTrustedSources.of(List.of(bad)))
				.withMessageContaining(bad);
		}
	}

	@Test
	void sourcesAreEqualByTheirEntries() {
		assertThat(ProxyTrustedSources.of(List.of("127.0.0.0/8", "::1"))).isEqualTo(ProxyTrustedSources.loopback())
			.hasSameHashCodeAs(ProxyTrustedSources.loopback());
	}

}
