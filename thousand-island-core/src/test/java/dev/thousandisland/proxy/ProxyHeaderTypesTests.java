package dev.thousandisland.proxy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ProxyHeaderTypesTests {

	@Test
	void tlvNeverSharesItsBytes() {
		byte[] value = { 1, 2, 3 };
		ProxyTlv tlv = new ProxyTlv(0xE1, value);
		value[0] = 9;
		tlv.value()[1] = 9;

		assertThat(tlv.value()).containsExactly(1, 2, 3);
		assertThat(tlv).isEqualTo(new ProxyTlv(0xE1, new byte[] { 1, 2, 3 }));
		assertThat(tlv).hasSameHashCodeAs(new ProxyTlv(0xE1, new byte[] { 1, 2, 3 }));
		assertThat(tlv).hasToString("ProxyTlv[type=0xe1, value=010203]");
	}

	@Test
	void tlvTypeIsOneByte() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ProxyTlv(256, new byte[0]));
		assertThatIllegalArgumentException().isThrownBy(() -> new ProxyTlv(-1, new byte[0]));
	}

	@Test
	void headerCarriesBothAddressesOrNeither() {
		InetSocketAddress address = new InetSocketAddress("127.0.0.1", 1);

		assertThatIllegalArgumentException().isThrownBy(() -> new ProxyHeader(ProxyHeader.Version.V1,
				ProxyHeader.Command.PROXY, ProxyHeader.Family.INET, ProxyHeader.Protocol.STREAM, address, null, List.of()));
	}

	@Test
	void typedAccessorsReadTheFirstTlvOfTheirType() {
		ProxyHeader header = new ProxyHeader(ProxyHeader.Version.V2, ProxyHeader.Command.LOCAL,
				ProxyHeader.Family.UNSPEC, ProxyHeader.Protocol.UNSPEC, null, null,
				List.of(new ProxyTlv(ProxyTlv.AUTHORITY, utf8("b\u00fccher.example")),
						new ProxyTlv(ProxyTlv.AUTHORITY, utf8("second.example")),
						new ProxyTlv(ProxyTlv.SSL, new byte[] { 0, 0, 0, 0, 1 })));

		assertThat(header.authority()).hasValue("b\u00fccher.example");
		assertThat(header.alpn()).isEmpty();
		assertThat(header.ssl()).hasValueSatisfying((ssl) -> {
			assertThat(ssl.clientConnectedOverTls()).isFalse();
			assertThat(ssl.verify()).isEqualTo(1);
			assertThat(ssl.clientCertificateVerified()).isFalse();
			assertThat(ssl.subTlvs()).isEmpty();
		});
	}

	@Test
	void sslDecodesTheVerifyFieldAsUnsigned() {
		ProxySsl ssl = ProxySsl.decode(new byte[] { 0x03, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF });

		assertThat(ssl.verify()).isEqualTo(0xFFFF_FFFFL);
		assertThat(ssl.clientCertificateOnConnection()).isTrue();
		assertThat(ssl.clientCertificateVerified()).isFalse();
	}

	@Test
	void reasonsHaveLowerCaseTelemetryNames() {
		ProxyHeaderException ex = new ProxyHeaderException(ProxyHeaderException.Reason.V1_TOO_LONG, "no CRLF");

		assertThat(ex.reason().telemetryName()).isEqualTo("v1_too_long");
		assertThat(ex).hasMessage("PROXY header refused (v1_too_long): no CRLF");
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
