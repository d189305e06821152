package dev.thousandisland;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyProtocolMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.thousandisland.ProxyTestServer.WAIT;
import static dev.thousandisland.ProxyTestServer.ascii;
import static dev.thousandisland.ProxyTestServer.concat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Version 2 {@code LOCAL} headers over real sockets, hand-built: the PROXY protocol specification
 * (section 2.2) says a receiver must accept {@code LOCAL}, use the real connection endpoints and
 * discard the protocol block, family included. So whatever block follows (a full address block
 * and TLVs, a junk block under UNSPEC, a family or protocol out of range, a TLV whose CRC32C is
 * wrong) the connection is served as the proxy's own, and the bytes after the declared length are
 * the application's, every one of them. The declared length is still bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolLocalTests {

	static Stream<Arguments> localHeaders() {
		byte[] inetBlock = { (byte) 203, 0, 113, 7, (byte) 192, 0, 2, 1, (byte) 0xC7, 0x38, 0x01, (byte) 0xBB };
		byte[] noop = { 0x04, 0x00, 0x02, 'x', 'y' };
		byte[] badCrc = { 0x03, 0x00, 0x04, 1, 2, 3, 4 };
		return Stream.of(Arguments.of("INET, full address block then TLVs", 0x11, concat(inetBlock, noop)),
				Arguments.of("INET, full address block then junk", 0x11, concat(inetBlock, ascii("junk"))),
				Arguments.of("INET, short junk block", 0x11, ascii("abc")),
				Arguments.of("UNSPEC with a 12-byte block", 0x00, inetBlock),
				Arguments.of("UNSPEC with a block and TLVs", 0x00, concat(inetBlock, noop)),
				Arguments.of("INET6 with a block of zeros and a wrong CRC32C TLV", 0x21, concat(new byte[36], badCrc)),
				Arguments.of("UNIX with a 216-byte block then junk", 0x31, concat(new byte[216], ascii("??"))),
				Arguments.of("family and protocol out of range", 0xFF, ascii("anything")),
				Arguments.of("a TLV declaring more than the block holds", 0x00, new byte[] { 0x04, 0x7F, 0x7F }),
				Arguments.of("the longest block accepted", 0x11, new byte[2048]));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("localHeaders")
	void localHeaderIsServedWithTheRealEndpointsAndItsBlockIgnored(String name, int familyAndProtocol,
			byte[] block) throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED, (builder) -> builder);
				TestClient client = proxied.connect()) {
			client.send(concat(local(familyAndProtocol, block), ascii("ping")));
			assertThat(client.read(4)).isEqualTo("ping");
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.remoteAddress()).isEqualTo(client.socket().getLocalSocketAddress());
			ProxyHeader header = socket.proxyHeader().orElseThrow();
			assertThat(header.command()).isEqualTo(ProxyHeader.Command.LOCAL);
			assertThat(header.hasAddresses()).isFalse();
			assertThat(header.family()).isEqualTo(ProxyHeader.Family.UNSPEC);
			assertThat(header.protocol()).isEqualTo(ProxyHeader.Protocol.UNSPEC);
			assertThat(header.tlvs()).isEmpty();
		}
	}

	@Test
	void localHeaderSentOneByteAtATimeLeavesEveryApplicationByte() throws Exception {
		byte[] header = local(0x11, concat(new byte[12], new byte[] { 0x04, 0x00, 0x01, 'z' }));
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED, (builder) -> builder);
				TestClient client = proxied.connect()) {
			client.socket().setTcpNoDelay(true);
			for (byte b : concat(header, ascii("P"))) {
				client.send(new byte[] { b });
			}
			assertThat(client.read(1)).isEqualTo("P");
			client.send("ing");
			assertThat(client.read(3)).isEqualTo("ing");
			assertThat(proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).proxyHeader().orElseThrow()
				.command()).isEqualTo(ProxyHeader.Command.LOCAL);
		}
	}

	@Test
	void localHeaderDeclaringMoreThanTheMaximumIsStillRefused() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED, (builder) -> builder);
				TestClient client = proxied.connect()) {
			client.send(concat(local(0x00, new byte[2049]), ascii("ping")));
			assertThat(client.isClosedByServer(WAIT)).isTrue();
			assertThat(proxied.awaitStopReason(1)).isEqualTo("proxy_length_exceeds");
			assertThat(proxied.callbacks).isEmpty();
		}
	}

	/** A version 2 LOCAL header: the signature, 0x20, the family byte, the block's length, the block. */
	private static byte[] local(int familyAndProtocol, byte[] block) {
		ByteArrayOutputStream header = new ByteArrayOutputStream();
		header.writeBytes(ProxyTestServer.V2_SIGNATURE);
		header.write(0x20);
		header.write(familyAndProtocol);
		header.writeBytes(ByteBuffer.allocate(2).putShort((short) block.length).array());
		header.writeBytes(block);
		return header.toByteArray();
	}

}
