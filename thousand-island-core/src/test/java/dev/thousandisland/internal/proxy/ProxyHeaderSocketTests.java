package dev.thousandisland.internal.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;
import dev.thousandisland.proxy.ProxyTlv;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV1Tests.ascii;
import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV2Tests.concat;
import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV2Tests.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The reader over a real loopback connection, through {@link ChannelByteSource} as the server
 * will use it: the socket in non-blocking mode, waiting for readiness on a selector. The bytes
 * after the header must still be in the socket, unread, for whoever reads next.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProxyHeaderSocketTests {

	private final ProxyHeaderReader reader = new ProxyHeaderReader();

	private ServerSocketChannel listener;

	private Socket client;

	private SocketChannel accepted;

	private Selector selector;

	@BeforeEach
	void connect() throws IOException {
		this.listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		this.client = new Socket(InetAddress.getLoopbackAddress(), this.listener.socket().getLocalPort());
		this.accepted = this.listener.accept();
		this.accepted.configureBlocking(false);
		this.selector = Selector.open();
		this.accepted.register(this.selector, SelectionKey.OP_READ);
	}

	@AfterEach
	void close() throws IOException {
		this.selector.close();
		this.accepted.close();
		this.client.close();
		this.listener.close();
	}

	@Test
	void leavesTheBytesAfterAVersion2HeaderInTheSocket() throws Exception {
		byte[] header = V2HeaderBytes.proxy(0x11).bytes(new byte[] { (byte) 198, 51, 100, 9, 127, 0, 0, 1 })
			.port(40000).port(8443).tlv(ProxyTlv.AUTHORITY, utf8("app.example")).crc32c().build();
		byte[] application = ascii("HELLO after the header");
		send(concat(header, application));

		ProxyHeader read = this.reader.readRequired(source(), deadlineIn(10_000));

		assertThat(read.source()).isEqualTo(new InetSocketAddress("198.51.100.9", 40000));
		assertThat(read.authority()).hasValue("app.example");
		assertThat(readExactly(application.length)).isEqualTo(application);
	}

	@Test
	void leavesTheBytesAfterAVersion1LineSentInPieces() throws Exception {
		send(ascii("PROXY TCP6 2001:db8::7 2001"));
		send(ascii(":db8::1 1234 443\r"));
		send(ascii("\nPING"));

		ProxyHeader read = this.reader.readRequired(source(), deadlineIn(10_000));

		assertThat(read.source()).isEqualTo(new InetSocketAddress("2001:db8::7", 1234));
		assertThat(readExactly(4)).isEqualTo(ascii("PING"));
	}

	@Test
	void givesBackWhatItReadWhenThereIsNoHeader() throws Exception {
		send(ascii("\u0016\u0003\u0001 not a header"));

		ProxyHeaderOutcome outcome = this.reader.readOptional(source(), deadlineIn(10_000));

		byte[] consumed = ((ProxyHeaderOutcome.Absent) outcome).consumed();
		byte[] rest = readExactly(ascii("\u0016\u0003\u0001 not a header").length - consumed.length);
		assertThat(concat(consumed, rest)).isEqualTo(ascii("\u0016\u0003\u0001 not a header"));
	}

	@Test
	void dropsAHalfHeaderAtTheDeadline() throws Exception {
		send(ascii("PROXY TCP4 10.0.0.1"));

		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(source(), deadlineIn(300)))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
	}

	@Test
	void reportsTruncatedWhenTheProxyClosesMidHeader() throws Exception {
		send(V2HeaderBytes.proxy(0x11).bytes(new byte[5]).declaredLength(12).build());
		this.client.shutdownOutput();

		assertThatExceptionOfType(ProxyHeaderException.class)
			.isThrownBy(() -> this.reader.readRequired(source(), deadlineIn(10_000)))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TRUNCATED));
	}

	private void send(byte[] bytes) throws IOException {
		OutputStream out = this.client.getOutputStream();
		out.write(bytes);
		out.flush();
	}

	private ChannelByteSource source() {
		return new ChannelByteSource(this.accepted, new SelectorReadiness(this.selector));
	}

	private byte[] readExactly(int count) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(count);
		ChannelByteSource source = source();
		long deadline = deadlineIn(10_000);
		while (buffer.hasRemaining()) {
			if (source.read(buffer, deadline) < 0) {
				break;
			}
		}
		this.client.shutdownOutput();
		// Nothing may follow: the header reader left exactly the application's bytes.
		ByteBuffer extra = ByteBuffer.allocate(1);
		assertThat(source.read(extra, deadlineIn(10_000))).isEqualTo(-1);
		return buffer.array();
	}

	private static long deadlineIn(long millis) {
		return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
	}

}
