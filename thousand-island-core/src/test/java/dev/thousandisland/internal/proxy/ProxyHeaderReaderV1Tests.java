package dev.thousandisland.internal.proxy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ProxyHeaderReaderV1Tests {

	private static final long DEADLINE = System.nanoTime() + 60_000_000_000L;

	private final ProxyHeaderReader reader = new ProxyHeaderReader();

	@Test
	void readsTcp4LineAndLeavesTheApplicationBytes() throws Exception {
		ScriptedSource source = ScriptedSource.of(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n"));

		ProxyHeader header = this.reader.readRequired(source, DEADLINE);

		assertThat(header.version()).isEqualTo(ProxyHeader.Version.V1);
		assertThat(header.command()).isEqualTo(ProxyHeader.Command.PROXY);
		assertThat(header.family()).isEqualTo(ProxyHeader.Family.INET);
		assertThat(header.protocol()).isEqualTo(ProxyHeader.Protocol.STREAM);
		assertThat(header.source()).isEqualTo(new InetSocketAddress("192.168.0.1", 56324));
		assertThat(header.destination()).isEqualTo(new InetSocketAddress("192.168.0.11", 443));
		assertThat(header.tlvs()).isEmpty();
		assertThat(source.unread()).isEqualTo(ascii("GET / HTTP/1.1\r\n"));
	}

	@Test
	void readsTcp6LineWithCompressedAndMappedAddresses() throws Exception {
		ScriptedSource source = ScriptedSource.of(ascii("PROXY TCP6 2001:DB8::1 ::ffff:10.0.0.1 0 65535\r\nX"));

		ProxyHeader header = this.reader.readRequired(source, DEADLINE);

		assertThat(header.family()).isEqualTo(ProxyHeader.Family.INET6);
		assertThat(header.source()).isEqualTo(new InetSocketAddress("2001:db8:0:0:0:0:0:1", 0));
		assertThat(header.destination()).isEqualTo(new InetSocketAddress("10.0.0.1", 65535));
		assertThat(source.unread()).isEqualTo(ascii("X"));
	}

	@Test
	void readsFullTcp6LineDeliveredOneByteAtATime() throws Exception {
		String line = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 0:0:0:0:0:0:0:1 65535 65535\r\n";
		ScriptedSource source = ScriptedSource.byteByByte(ascii(line + "after"));

		ProxyHeader header = this.reader.readRequired(source, DEADLINE);

		assertThat(header.destination()).isEqualTo(new InetSocketAddress("::1", 65535));
		assertThat(source.consumed()).isEqualTo(line.length());
	}

	@Test
	void readsShortUnknownLineWithoutAddresses() throws Exception {
		ScriptedSource source = ScriptedSource.of(ascii("PROXY UNKNOWN\r\nhello"));

		ProxyHeader header = this.reader.readRequired(source, DEADLINE);

		assertThat(header.family()).isEqualTo(ProxyHeader.Family.UNSPEC);
		assertThat(header.hasAddresses()).isFalse();
		assertThat(header.source()).isNull();
		assertThat(source.unread()).isEqualTo(ascii("hello"));
	}

	@Test
	void readsLongestUnknownLineOf107BytesIgnoringItsRest() throws Exception {
		String line = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
		assertThat(line).hasSize(107);
		ScriptedSource source = ScriptedSource.byteByByte(ascii(line + "z"));

		ProxyHeader header = this.reader.readRequired(source, DEADLINE);

		assertThat(header.hasAddresses()).isFalse();
		assertThat(source.unread()).isEqualTo(ascii("z"));
	}

	@Test
	void refusesLineWithoutCrlfInItsFirst107Bytes() {
		String line = "PROXY UNKNOWN " + "a".repeat(93) + "\r\n";
		ScriptedSource source = ScriptedSource.of(ascii(line));

		assertRefused(source, Reason.V1_TOO_LONG);
		assertThat(source.consumed()).isEqualTo(107);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			no space after PROXY            | PROXYTCP4 1.2.3.4 5.6.7.8 1 2
			unknown protocol                | PROXY UDP4 1.2.3.4 5.6.7.8 1 2
			lower-case protocol             | PROXY tcp4 1.2.3.4 5.6.7.8 1 2
			UNKNOWN glued to more text      | PROXY UNKNOWNX
			missing destination port        | PROXY TCP4 1.2.3.4 5.6.7.8 1
			extra field                     | PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3
			two spaces                      | PROXY TCP4 1.2.3.4  5.6.7.8 1 2
			trailing space                  | 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 '
			octet over 255                  | PROXY TCP4 1.2.3.256 5.6.7.8 1 2
			leading zero in octet           | PROXY TCP4 1.2.3.04 5.6.7.8 1 2
			three octets                    | PROXY TCP4 1.2.3 5.6.7.8 1 2
			host name instead of address    | PROXY TCP4 localhost 5.6.7.8 1 2
			port over 65535                 | PROXY TCP4 1.2.3.4 5.6.7.8 65536 2
			leading zero in port            | PROXY TCP4 1.2.3.4 5.6.7.8 01 2
			negative port                   | PROXY TCP4 1.2.3.4 5.6.7.8 -1 2
			signed port                     | PROXY TCP4 1.2.3.4 5.6.7.8 +1 2
			two double colons               | PROXY TCP6 1::2::3 ::1 1 2
			group of five hex digits        | PROXY TCP6 12345::1 ::1 1 2
			nine groups                     | PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2
			seven groups without gap        | PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2
			non-ASCII digit                 | PROXY TCP4 1.2.3.\u0664 5.6.7.8 1 2
			NUL inside                      | PROXY TCP4 1.2.3.4\u0000 5.6.7.8 1 2
			""")
	void refusesMalformedField(String description, String line) {
		assertRefused(ScriptedSource.of((line + "\r\n").getBytes(StandardCharsets.UTF_8)), Reason.V1_BAD_FIELD);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			IPv6 source in a TCP4 line      | PROXY TCP4 ::1 5.6.7.8 1 2
			IPv4 destination in a TCP6 line | PROXY TCP6 ::1 5.6.7.8 1 2
			""")
	void refusesAddressOfTheOtherFamily(String description, String line) {
		assertRefused(ScriptedSource.of(ascii(line + "\r\n")), Reason.ADDRESS_MISMATCH);
	}

	@Test
	void refusesLoneLineFeed() {
		assertRefused(ScriptedSource.of(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\nGET /")), Reason.V1_BAD_FIELD);
	}

	@Test
	void refusesLoneCarriageReturnEvenWhenDeliveredByteByByte() {
		assertRefused(ScriptedSource.byteByByte(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rGET /\r\n")),
				Reason.V1_BAD_FIELD);
	}

	@Test
	void refusesLineShorterThanTheShortestHeader() {
		ScriptedSource source = ScriptedSource.of(ascii("PROXY TCP4\r\nGET / HTTP/1.1\r\n"));

		assertRefused(source, Reason.V1_BAD_FIELD);
	}

	@Test
	void reportsTruncatedWhenThePeerClosesMidLine() {
		assertRefused(ScriptedSource.of(ascii("PROXY TCP4 1.2.3.4 5.6")), Reason.TRUNCATED);
	}

	@Test
	void reportsTimeoutWhenTheLineStalls() {
		assertRefused(ScriptedSource.stalling(ascii("PROXY TCP4 1.2.3.4 5.6")), Reason.TIMEOUT);
	}

	@Test
	void reportsTimeoutWhenTheDeadlineHasAlreadyPassed() {
		ScriptedSource source = ScriptedSource.of(ascii("PROXY UNKNOWN\r\n"));

		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(source, System.nanoTime() - 1))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
		assertThat(source.consumed()).isZero();
	}

	private void assertRefused(ScriptedSource source, Reason reason) {
		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(source, DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(reason));
	}

	static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
