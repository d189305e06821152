package dev.thousandisland;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.framing.Framing;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests made in {@code handleConnection} go out in the order they were made, even on a first
 * connect that completes before {@code ClientConnection.start} has returned: a protocol's greeting
 * is often several commands that must not swap (RESP3's {@code HELLO 3} before {@code SUBSCRIBE}).
 * The server numbers each line it reads on a connection, so each reply tells where its request
 * was written.
 */
class ClientGreetingOrderTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int CLIENTS = 50;

	private final List<ClientConnection> clients = new ArrayList<>();

	private ServerSocket server;

	@AfterEach
	void stop() throws Exception {
		for (ClientConnection client : this.clients) {
			client.stop(Duration.ofSeconds(2));
		}
		this.server.close();
	}

	@Test
	void greetingsMadeOnTheFirstConnectGoOutInTheOrderTheyWereMade() throws Exception {
		this.server = new ServerSocket(0, CLIENTS, InetAddress.getLoopbackAddress());
		Thread.ofVirtual().start(this::accept);
		List<CompletableFuture<String>> firsts = new ArrayList<>();
		List<CompletableFuture<String>> seconds = new ArrayList<>();
		List<Thread> starters = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			CompletableFuture<String> first = new CompletableFuture<>();
			CompletableFuture<String> second = new CompletableFuture<>();
			firsts.add(first);
			seconds.add(second);
			ClientConfig config = greeter("greeter-" + i, first, second);
			// Platform threads starting clients at once, more of them than cores: a starter is often
			// descheduled just after it started a client's thread, whose connect to a loopback server
			// already listening then completes, and handleConnection runs, before start returns.
			starters.add(Thread.ofPlatform().start(() -> {
				ClientConnection client = ClientConnection.start(config);
				synchronized (this.clients) {
					this.clients.add(client);
				}
			}));
		}
		for (Thread starter : starters) {
			starter.join();
		}
		List<String> replies = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			replies.add(firsts.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS) + ", "
					+ seconds.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS));
		}
		assertThat(replies).containsOnly("0 hello, 1 subscribe");
	}

	private ClientConfig greeter(String name, CompletableFuture<String> first, CompletableFuture<String> second) {
		ClientHandler greeter = new ClientHandler() {
			@Override
			public void handleConnection(ClientConnection client, ConnectKind kind) {
				client.requestAsync(line("hello"), WAIT).thenAccept((reply) -> first.complete(text(reply)));
				client.requestAsync(line("subscribe"), WAIT).thenAccept((reply) -> second.complete(text(reply)));
			}
		};
		return ClientConfig.builder(Framing.line())
			.name(name)
			.tcp("127.0.0.1", this.server.getLocalPort())
			.requestFraming(Framing.line())
			.handler(greeter)
			.build();
	}

	private void accept() {
		try {
			while (true) {
				Socket socket = this.server.accept();
				Thread.ofVirtual().start(() -> number(socket));
			}
		}
		catch (IOException ex) {
			// closed by the test
		}
	}

	/** Answers each line with its index on the connection and the line. */
	private static void number(Socket socket) {
		try (socket) {
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			OutputStream out = socket.getOutputStream();
			int index = 0;
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				out.write((index++ + " " + line + "\n").getBytes(StandardCharsets.UTF_8));
				out.flush();
			}
		}
		catch (IOException ex) {
			// the client went away
		}
	}

}
