package dev.thousandisland.internal.proxy;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;
import org.junit.jupiter.api.Test;

import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV1Tests.ascii;
import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV2Tests.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ProxyHeaderOptionalModeTests {

	private static final long DEADLINE = System.nanoTime() + 60_000_000_000L;

	private final ProxyHeaderReader reader = new ProxyHeaderReader();

	@Test
	void findsVersion1Header() throws Exception {
		ScriptedSource source = ScriptedSource.of(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\nrest"));

		ProxyHeaderOutcome outcome = this.reader.readOptional(source, DEADLINE);

		assertThat(outcome).isInstanceOfSatisfying(ProxyHeaderOutcome.Present.class,
				(present) -> assertThat(present.header().version()).isEqualTo(ProxyHeader.Version.V1));
		assertThat(source.unread()).isEqualTo(ascii("rest"));
	}

	@Test
	void findsVersion2Header() throws Exception {
		byte[] header = V2HeaderBytes.local().build();
		ScriptedSource source = ScriptedSource.byteByByte(concat(header, ascii("rest")));

		ProxyHeaderOutcome outcome = this.reader.readOptional(source, DEADLINE);

		assertThat(outcome).isInstanceOfSatisfying(ProxyHeaderOutcome.Present.class,
				(present) -> assertThat(present.header().command()).isEqualTo(ProxyHeader.Command.LOCAL));
		assertThat(source.unread()).isEqualTo(ascii("rest"));
	}

	@Test
	void givesBackTheBytesOfAConnectionWithoutHeader() throws Exception {
		ScriptedSource source = ScriptedSource.of(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));

		ProxyHeaderOutcome outcome = this.reader.readOptional(source, DEADLINE);

		byte[] consumed = ((ProxyHeaderOutcome.Absent) outcome).consumed();
		assertThat(consumed).isEqualTo(ascii("GET / HTTP/1.1\r"));
		assertThat(concat(consumed, source.unread())).isEqualTo(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
	}

	@Test
	void stopsAtTheFirstByteThatMatchesNoSignatureWhenBytesTrickleIn() throws Exception {
		ScriptedSource source = ScriptedSource.byteByByte(ascii("PROXIMITY"));

		ProxyHeaderOutcome outcome = this.reader.readOptional(source, DEADLINE);

		assertThat(((ProxyHeaderOutcome.Absent) outcome).consumed()).isEqualTo(ascii("PROXI"));
		assertThat(source.unread()).isEqualTo(ascii("MITY"));
	}

	@Test
	void givesBackATlsClientHello() throws Exception {
		byte[] hello = { 0x16, 0x03, 0x01, 0x00, (byte) 0xF4, 0x01 };
		ScriptedSource source = ScriptedSource.byteByByte(hello);

		ProxyHeaderOutcome outcome = this.reader.readOptional(source, DEADLINE);

		assertThat(((ProxyHeaderOutcome.Absent) outcome).consumed()).containsExactly(0x16);
	}

	@Test
	void treatsSilenceUntilTheDeadlineAsNoHeader() throws Exception {
		ProxyHeaderOutcome outcome = this.reader.readOptional(ScriptedSource.stalling(new byte[0]), DEADLINE);

		assertThat(((ProxyHeaderOutcome.Absent) outcome).consumed()).isEmpty();
	}

	@Test
	void treatsEndOfStreamInsideASignatureAsNoHeader() throws Exception {
		ProxyHeaderOutcome outcome = this.reader.readOptional(ScriptedSource.of(ascii("PRO")), DEADLINE);

		assertThat(((ProxyHeaderOutcome.Absent) outcome).consumed()).isEqualTo(ascii("PRO"));
	}

	@Test
	void timesOutOnAPartialSignatureThatStalls() {
		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readOptional(ScriptedSource.stalling(ascii("PRO")), DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
	}

	@Test
	void refusesAMalformedHeaderOnceItsSignatureWasSeen() {
		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readOptional(ScriptedSource.of(ascii("PROXY TCP5 x\r\n")), DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.V1_BAD_FIELD));
		byte[] version3 = V2HeaderBytes.local().versionAndCommand(0x30).build();
		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readOptional(ScriptedSource.of(version3), DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.BAD_VERSION));
	}

	@Test
	void requiredModeRefusesWhatOptionalModeGivesBack() {
		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(ScriptedSource.of(ascii("GET /")), DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.BAD_SIGNATURE));
		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(ScriptedSource.stalling(new byte[0]), DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(ScriptedSource.of(ascii("PRO")), DEADLINE))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TRUNCATED));
	}

}
