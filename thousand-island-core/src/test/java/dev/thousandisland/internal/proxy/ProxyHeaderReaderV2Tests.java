package dev.thousandisland.internal.proxy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;
import dev.thousandisland.proxy.ProxySsl;
import dev.thousandisland.proxy.ProxyTlv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ProxyHeaderReaderV2Tests {

	private static final long DEADLINE = System.nanoTime() + 60_000_000_000L;

	private static final byte[] APPLICATION = "\u0016\u0003\u0001 client hello".getBytes(StandardCharsets.ISO_8859_1);

	private final ProxyHeaderReader reader = new ProxyHeaderReader();

	@Test
	void readsTcp4HeaderAndLeavesTheApplicationBytes() throws Exception {
		byte[] header = tcp4().build();
		ScriptedSource source = ScriptedSource.of(concat(header, APPLICATION));

		ProxyHeader read = this.reader.readRequired(source, DEADLINE);

		assertThat(read.version()).isEqualTo(ProxyHeader.Version.V2);
		assertThat(read.command()).isEqualTo(ProxyHeader.Command.PROXY);
		assertThat(read.family()).isEqualTo(ProxyHeader.Family.INET);
		assertThat(read.protocol()).isEqualTo(ProxyHeader.Protocol.STREAM);
		assertThat(read.source()).isEqualTo(new InetSocketAddress("203.0.113.7", 50000));
		assertThat(read.destination()).isEqualTo(new InetSocketAddress("192.0.2.1", 443));
		assertThat(read.tlvs()).isEmpty();
		assertThat(source.consumed()).isEqualTo(header.length);
		assertThat(source.unread()).isEqualTo(APPLICATION);
	}

	@Test
	void readsTcp6HeaderDeliveredOneByteAtATime() throws Exception {
		byte[] header = V2HeaderBytes.proxy(0x21)
			.bytes(HexFormat.of().parseHex("20010db8000000000000000000000001"))
			.bytes(HexFormat.of().parseHex("00000000000000000000000000000001"))
			.port(65535)
			.port(0)
			.build();
		ScriptedSource source = ScriptedSource.byteByByte(concat(header, APPLICATION));

		ProxyHeader read = this.reader.readRequired(source, DEADLINE);

		assertThat(read.family()).isEqualTo(ProxyHeader.Family.INET6);
		assertThat(read.source()).isEqualTo(new InetSocketAddress("2001:db8::1", 65535));
		assertThat(read.destination()).isEqualTo(new InetSocketAddress("::1", 0));
		assertThat(source.unread()).isEqualTo(APPLICATION);
	}

	@Test
	void readsUnixHeaderWithPathsAndAnAbstractName() throws Exception {
		byte[] header = V2HeaderBytes.proxy(0x31)
			.bytes(Arrays.copyOf("/run/client.sock".getBytes(StandardCharsets.UTF_8), 108))
			.bytes(Arrays.copyOf("\u0000abstract".getBytes(StandardCharsets.UTF_8), 108))
			.build();

		ProxyHeader read = this.reader.readRequired(ScriptedSource.of(header), DEADLINE);

		assertThat(read.family()).isEqualTo(ProxyHeader.Family.UNIX);
		assertThat(read.source()).isEqualTo(UnixDomainSocketAddress.of("/run/client.sock"));
		assertThat(read.destination()).isEqualTo(UnixDomainSocketAddress.of(""));
	}

	@Test
	void readsLocalHeaderWithoutAddressesEvenWhenItCarriesSome() throws Exception {
		byte[] local = V2HeaderBytes.local().build();
		byte[] localWithAddresses = tcp4().versionAndCommand(0x20).build();

		for (byte[] header : new byte[][] { local, localWithAddresses }) {
			ScriptedSource source = ScriptedSource.of(concat(header, APPLICATION));
			ProxyHeader read = this.reader.readRequired(source, DEADLINE);
			assertThat(read.command()).isEqualTo(ProxyHeader.Command.LOCAL);
			assertThat(read.hasAddresses()).isFalse();
			assertThat(source.unread()).isEqualTo(APPLICATION);
		}
	}

	@Test
	void readsUnspecifiedFamilyWithoutAddresses() throws Exception {
		ProxyHeader read = this.reader.readRequired(ScriptedSource.of(V2HeaderBytes.proxy(0x00).build()), DEADLINE);

		assertThat(read.family()).isEqualTo(ProxyHeader.Family.UNSPEC);
		assertThat(read.hasAddresses()).isFalse();
	}

	@Test
	void readsRegisteredTlvsAndVerifiesTheChecksum() throws Exception {
		byte[] ssl = concat(new byte[] { 0x07, 0, 0, 0, 0 }, subTlv(0x21, "TLSv1.3"), subTlv(0x22, "client.example"),
				subTlv(0x23, "TLS_AES_128_GCM_SHA256"), subTlv(0x24, "SHA256"), subTlv(0x25, "RSA2048"));
		byte[] header = tcp4().tlv(ProxyTlv.ALPN, utf8("h2"))
			.tlv(ProxyTlv.AUTHORITY, utf8("app.example"))
			.tlv(ProxyTlv.UNIQUE_ID, new byte[128])
			.tlv(ProxyTlv.SSL, ssl)
			.tlv(ProxyTlv.NOOP)
			.tlv(ProxyTlv.NETNS, utf8("blue"))
			.tlv(0xE0, 1, 2, 3)
			.crc32c()
			.build();
		ScriptedSource source = ScriptedSource.of(concat(header, APPLICATION));

		ProxyHeader read = this.reader.readRequired(source, DEADLINE);

		assertThat(read.alpn()).hasValue("h2");
		assertThat(read.authority()).hasValue("app.example");
		assertThat(read.uniqueId()).hasValueSatisfying((id) -> assertThat(id).hasSize(128));
		assertThat(read.networkNamespace()).hasValue("blue");
		assertThat(read.tlv(0xE0)).hasValue(new ProxyTlv(0xE0, new byte[] { 1, 2, 3 }));
		assertThat(read.tlv(ProxyTlv.CRC32C)).isPresent();
		assertThat(read.tlvs()).extracting(ProxyTlv::type).containsExactly(1, 2, 5, 0x20, 4, 0x30, 0xE0, 3);
		ProxySsl tls = read.ssl().orElseThrow();
		assertThat(tls.clientConnectedOverTls()).isTrue();
		assertThat(tls.clientCertificateOnConnection()).isTrue();
		assertThat(tls.clientCertificateInSession()).isTrue();
		assertThat(tls.clientCertificateVerified()).isTrue();
		assertThat(tls.version()).hasValue("TLSv1.3");
		assertThat(tls.commonName()).hasValue("client.example");
		assertThat(tls.cipher()).hasValue("TLS_AES_128_GCM_SHA256");
		assertThat(tls.signatureAlgorithm()).hasValue("SHA256");
		assertThat(tls.keyAlgorithm()).hasValue("RSA2048");
		assertThat(source.unread()).isEqualTo(APPLICATION);
	}

	@Test
	void refusesHeaderWhoseChecksumDoesNotMatch() {
		byte[] header = tcp4().tlv(ProxyTlv.AUTHORITY, utf8("app.example")).crc32c().build();
		header[header.length - 1] ^= 1;

		assertRefused(header, Reason.CHECKSUM_MISMATCH);
	}

	@Test
	void refusesWrongSignature() {
		byte[] header = tcp4().build();
		header[11] = 0x0B;

		assertRefused(header, Reason.BAD_SIGNATURE);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x01, 0x11, 0x31, 0xF1 })
	void refusesVersionOtherThanTwo(int versionAndCommand) {
		assertRefused(tcp4().versionAndCommand(versionAndCommand).build(), Reason.BAD_VERSION);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x22, 0x2F })
	void refusesUnassignedCommand(int versionAndCommand) {
		assertRefused(tcp4().versionAndCommand(versionAndCommand).build(), Reason.BAD_COMMAND);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x41, 0xF1, 0x13, 0x1F })
	void refusesUnassignedFamilyOrProtocol(int familyAndProtocol) {
		byte[] header = tcp4().build();
		header[13] = (byte) familyAndProtocol;

		assertRefused(header, Reason.BAD_FAMILY);
	}

	@Test
	void refusesDeclaredLengthOverTheCapBeforeReadingIt() {
		byte[] header = V2HeaderBytes.proxy(0x11).bytes(new byte[2049]).build();
		ScriptedSource source = ScriptedSource.of(header);

		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(source, DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.LENGTH_EXCEEDS));
		assertThat(source.consumed()).isEqualTo(16);
	}

	@Test
	void acceptsDeclaredLengthUpToTheCap() throws Exception {
		byte[] header = tcp4().tlv(ProxyTlv.NOOP, new byte[2048 - 12 - 3]).build();

		assertThat(this.reader.readRequired(ScriptedSource.of(header), DEADLINE).tlvs()).hasSize(1);
		assertThat(new ProxyHeaderReader(4096).readRequired(ScriptedSource.of(tcp4().tlv(4, new byte[3000]).build()),
				DEADLINE).tlvs()).hasSize(1);
	}

	@Test
	void refusesDeclaredLengthBeyondThePacket() {
		byte[] header = tcp4().declaredLength(40).build();

		assertRefused(header, Reason.TRUNCATED);
		assertThat(refusal(ScriptedSource.stalling(header)).reason()).isEqualTo(Reason.TIMEOUT);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x11, 0x21, 0x31 })
	void refusesAddressBlockShorterThanTheFamilyNeeds(int familyAndProtocol) {
		byte[] header = V2HeaderBytes.proxy(familyAndProtocol).bytes(new byte[11]).build();

		assertRefused(header, Reason.ADDRESS_MISMATCH);
	}

	@Test
	void refusesIpv4AddressesUnderAnIpv6Family() {
		byte[] header = tcp4().build();
		header[13] = 0x21;

		assertRefused(header, Reason.ADDRESS_MISMATCH);
	}

	@Test
	void refusesTlvRunningPastTheHeader() {
		byte[] header = tcp4().bytes((byte) ProxyTlv.ALPN, (byte) 0, (byte) 10, (byte) 'h', (byte) '2').build();

		assertRefused(header, Reason.TLV_OVERFLOW);
	}

	@Test
	void refusesBytesTooFewForATlv() {
		assertRefused(tcp4().bytes((byte) 1, (byte) 0).build(), Reason.TLV_OVERFLOW);
	}

	@Test
	void refusesInvalidRegisteredTlvs() {
		assertRefused(tcp4().tlv(ProxyTlv.UNIQUE_ID, new byte[129]).build(), Reason.BAD_TLV);
		assertRefused(tcp4().tlv(ProxyTlv.CRC32C, 1, 2, 3).build(), Reason.BAD_TLV);
		assertRefused(tcp4().tlv(ProxyTlv.SSL, 1, 0, 0, 0).build(), Reason.BAD_TLV);
		assertRefused(tcp4().tlv(ProxyTlv.SSL, 1, 0, 0, 0, 0, 0x21, 0, 9, 'T').build(), Reason.BAD_TLV);
		assertRefused(tcp4().tlv(ProxyTlv.AUTHORITY, 0xC3, 0x28).build(), Reason.BAD_TLV);
		assertRefused(tcp4().crc32c().crc32c().build(), Reason.BAD_TLV);
	}

	@Test
	void reportsTruncatedFixedPart() {
		assertRefused(Arrays.copyOf(tcp4().build(), 14), Reason.TRUNCATED);
	}

	private static V2HeaderBytes tcp4() {
		return V2HeaderBytes.proxy(0x11).bytes(new byte[] { (byte) 203, 0, 113, 7, (byte) 192, 0, 2, 1 }).port(50000).port(443);
	}

	private void assertRefused(byte[] header, Reason reason) {
		assertThat(refusal(ScriptedSource.of(header)).reason()).isEqualTo(reason);
	}

	private ProxyHeaderException refusal(ScriptedSource source) {
		try {
			ProxyHeader header = this.reader.readRequired(source, DEADLINE);
			throw new AssertionError("Expected a refusal, read " + header);
		}
		catch (ProxyHeaderException ex) {
			return ex;
		}
	}

	private static byte[] subTlv(int type, String value) {
		byte[] bytes = utf8(value);
		return concat(new byte[] { (byte) type, (byte) (bytes.length >> 8), (byte) bytes.length }, bytes);
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] concat(byte[]... parts) {
		int length = Arrays.stream(parts).mapToInt((part) -> part.length).sum();
		byte[] joined = new byte[length];
		int at = 0;
		for (byte[] part : parts) {
			System.arraycopy(part, 0, joined, at, part.length);
			at += part.length;
		}
		return joined;
	}

}
