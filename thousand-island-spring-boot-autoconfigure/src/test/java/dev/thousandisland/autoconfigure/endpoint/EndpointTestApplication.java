package dev.thousandisland.autoconfigure.endpoint;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;

/**
 * An application with one echo server, {@code echo}, whose handler records the connections it
 * saw close; and the HTTP and socket clients the endpoint tests use.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class EndpointTestApplication {

	@Bean
	RecordingEcho echo() {
		return new RecordingEcho();
	}

	/**
	 * Echoes, and records the id of every connection whose handleClose ran.
	 */
	static class RecordingEcho implements Handler<Void> {

		final List<Long> closed = new CopyOnWriteArrayList<>();

		@Override
		public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
				throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

		@Override
		public void handleClose(dev.thousandisland.Socket socket, Void state) {
			this.closed.add(socket.connection().id());
		}

	}

	/**
	 * Real HTTP requests to the actuator on the management port.
	 */
	static final class Actuator {

		private static final HttpClient client = HttpClient.newBuilder()
			.connectTimeout(Duration.ofSeconds(5))
			.build();

		private final int port;

		Actuator(int port) {
			this.port = port;
		}

		Response get(String path) throws IOException, InterruptedException {
			return send(request(path).GET());
		}

		Response post(String path, String json) throws IOException, InterruptedException {
			return send(request(path).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json)));
		}

		Response delete(String path) throws IOException, InterruptedException {
			return send(request(path).DELETE());
		}

		private HttpRequest.Builder request(String path) {
			return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
				.header("Accept", "application/json")
				.timeout(Duration.ofSeconds(10));
		}

		private Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
			HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(response.statusCode(), response.body());
		}

	}

	/**
	 * A response.
	 * @param status the HTTP status
	 * @param body the body as text
	 */
	record Response(int status, String body) {

		JsonNode json() {
			return JsonMapper.shared().readTree(this.body);
		}

	}

	/**
	 * A blocking client on 127.0.0.1 with a read timeout.
	 */
	static final class Client implements Closeable {

		private final Socket socket;

		private Client(Socket socket) throws IOException {
			this.socket = socket;
			this.socket.setSoTimeout(10_000);
		}

		static Client connect(int port) throws IOException {
			Socket socket = new Socket();
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
			return new Client(socket);
		}

		String exchange(String text) throws IOException {
			byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
			this.socket.getOutputStream().write(bytes);
			this.socket.getOutputStream().flush();
			return new String(this.socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
		}

		/** Reads until the server closes the connection; a reset counts as a close. */
		int receiveUntilClosed() throws IOException {
			InputStream in = this.socket.getInputStream();
			int total = 0;
			try {
				for (int read = in.read(); read != -1; read = in.read()) {
					total++;
				}
			}
			catch (SocketException ex) {
				// Reset: still a close.
			}
			return total;
		}

		int localPort() {
			return this.socket.getLocalPort();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
