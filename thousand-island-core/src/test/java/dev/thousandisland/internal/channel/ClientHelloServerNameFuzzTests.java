package dev.thousandisland.internal.channel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link ClientHelloServerName} against the JDK's own server
 * {@link SSLEngine} reading the same bytes. The reader must never throw, never read past what it
 * was offered, and finish within its bounds; a name it returns is a lower-case ASCII host name.
 * And the two must agree: whenever the engine's parse of the ClientHello hands a host name to its
 * SNI matcher, the reader has read the same name (but for case), refused the ClientHello's
 * server_name, or given up on bytes it does not understand (then the server serves the default
 * context and its check after the handshake closes the connection, which the socket tests cover).
 *
 * <p>Input layout, so that seeds can be written by hand (the corpus under
 * {@code src/test/resources}): byte 0 chooses the size of the pieces the reader is offered,
 * {@code 1 + 16 * byte}; the rest are the connection's first bytes.
 */
@Tag("fuzz")
class ClientHelloServerNameFuzzTests {

	private static final SSLContext KEYLESS = keyless();

	@FuzzTest(maxDuration = "60s")
	void readerAgreesWithTheJdkEngine(byte[] input) {
		if (input.length < 2) {
			return;
		}
		int step = 1 + 16 * (input[0] & 0xFF);
		byte[] raw = Arrays.copyOfRange(input, 1, input.length);
		ClientHelloServerName search = new ClientHelloServerName();
		boolean done = false;
		for (int offered = Math.min(step, raw.length); !done; offered = Math.min(raw.length, offered + step)) {
			done = search.offer(ByteBuffer.wrap(raw, 0, offered).slice().asReadOnlyBuffer());
			if (offered == raw.length) {
				break;
			}
		}
		String name = search.serverName();
		if (name != null) {
			assertThat(done).isTrue();
			assertThat(search.refusal()).isNull();
			assertThat(name).hasSizeLessThanOrEqualTo(HostNameSyntax.MAX_LENGTH).matches("[a-z0-9.-]+");
		}
		String engineName = engineName(raw);
		if (engineName != null && done && search.understood() && search.refusal() == null) {
			assertThat(name).as("the reader's name, where the engine read %s", engineName)
				.isEqualTo(engineName.toLowerCase(Locale.ROOT));
		}
	}

	/**
	 * The agreement above is not vacuous: the engine does read names out of hand-built
	 * ClientHellos, and out of the item 1 inputs it reads the name the reader must refuse.
	 */
	@Test
	void theEngineReadsNamesOutOfHandBuiltClientHellosAsTheIssueDescribes() {
		byte[] api = hostName("api.example.com".getBytes(StandardCharsets.US_ASCII));
		byte[] unknown = hostName("unknown.test".getBytes(StandardCharsets.US_ASCII));
		assertThat(engineName(ClientHelloServerNameTests.helloWithServerName(api))).isEqualTo("api.example.com");
		assertThat(engineName(ClientHelloServerNameTests.helloWithServerName(api, unknown)))
			.as("two extensions: the JDK keeps the last").isEqualTo("unknown.test");
		assertThat(engineName(ClientHelloServerNameTests.helloWithServerName(
				hostName("\uFF41pi.example.com".getBytes(StandardCharsets.UTF_8)))))
			.as("fullwidth a, mapped by the JDK").isEqualTo("api.example.com");
	}

	private static byte[] hostName(byte[] name) {
		return ByteBuffer.allocate(5 + name.length).putShort((short) (3 + name.length)).put((byte) 0)
			.putShort((short) name.length).put(name).array();
	}

	/** The host name the engine's SNI matcher is handed while it reads the ClientHello, if it gets that far. */
	private static String engineName(byte[] raw) {
		String[] seen = new String[1];
		SNIMatcher recorder = new SNIMatcher(StandardConstants.SNI_HOST_NAME) {

			@Override
			public boolean matches(SNIServerName serverName) {
				if (serverName instanceof SNIHostName host) {
					seen[0] = host.getAsciiName();
				}
				return true;
			}

		};
		SSLEngine engine = KEYLESS.createSSLEngine();
		engine.setUseClientMode(false);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setSNIMatchers(List.of(recorder));
		engine.setSSLParameters(parameters);
		ByteBuffer in = ByteBuffer.wrap(raw);
		ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
		try {
			engine.beginHandshake();
			// Bounded: each unwrap consumes a record or stops; the input is finite.
			for (int round = 0; round < raw.length + 2 && seen[0] == null; round++) {
				switch (engine.getHandshakeStatus()) {
					case NEED_TASK -> TlsChannel.runDelegatedTasks(engine);
					case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
						SSLEngineResult result = engine.unwrap(in, app);
						if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesConsumed() == 0) {
							return seen[0];
						}
					}
					default -> {
						return seen[0];
					}
				}
			}
		}
		catch (Exception ex) {
			// Refused: whatever the matcher saw before is what counts.
		}
		return seen[0];
	}

	/** A server context without key material: the engine reads a whole ClientHello, then fails to answer it. */
	private static SSLContext keyless() {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, null, null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
