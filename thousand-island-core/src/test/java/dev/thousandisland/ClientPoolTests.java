package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientPool;
import dev.thousandisland.client.ConnectionLostException;
import dev.thousandisland.client.RequestFailedException;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.Framing;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A pool of client connections against this project's server: least-outstanding routing, a member
 * that drops and comes back, borrowing a member for one caller alone, and pooled requests that
 * wait for a borrowed member to come back.
 */
class ClientPoolTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private Server server;

	private ClientPool pool;

	@AfterEach
	void stopEverything() throws InterruptedException {
		if (this.pool != null) {
			this.pool.stop(Duration.ofSeconds(1));
		}
		if (this.server != null) {
			this.server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void requestsGoToTheConnectedMemberWithTheFewestOutstanding() throws Exception {
		start(3);
		for (int i = 0; i < 6; i++) {
			this.pool.requestAsync(line("ignore"), WAIT);
		}
		assertThat(this.pool.members()).allSatisfy((member) -> assertThat(member.outstanding()).isEqualTo(2));
	}

	@Test
	void aMemberThatDropsReconnectsInTheBackgroundWhileTheOthersServe() throws Exception {
		start(2);
		assertThatExceptionOfType(ConnectionLostException.class).isThrownBy(() -> this.pool.request(line("half"), WAIT));
		for (int i = 0; i < 20; i++) {
			assertThat(text(this.pool.request(line("echo " + i), WAIT))).isEqualTo(String.valueOf(i));
		}
		await().atMost(WAIT).until(() -> this.pool.connected() == 2);
	}

	@Test
	void aBorrowedMemberServesOnlyItsBorrowerUntilGivenBack() throws Exception {
		start(2);
		try (ClientPool.Lease lease = this.pool.borrow(WAIT)) {
			ClientConnection mine = lease.client();
			for (int i = 0; i < 4; i++) {
				this.pool.requestAsync(line("ignore"), WAIT);
			}
			assertThat(mine.outstanding()).isZero();
			assertThat(text(mine.request(line("echo mine"), WAIT))).isEqualTo("mine");
			ClientPool.Lease other = this.pool.borrow(WAIT);
			assertThatExceptionOfType(RequestTimeoutException.class)
				.isThrownBy(() -> this.pool.borrow(Duration.ofMillis(100)))
				.withMessageContaining("stayed borrowed");
			assertThatExceptionOfType(RequestTimeoutException.class)
				.isThrownBy(() -> this.pool.request(line("echo x"), Duration.ofMillis(100)))
				.withMessageContaining("borrowed")
				.satisfies((ex) -> assertThat(ex.wasWritten()).isFalse());
			other.close();
		}
		String reply = this.pool.withConnection(WAIT, (client) -> text(client.request(line("echo leased"), WAIT)));
		assertThat(reply).isEqualTo("leased");
	}

	@Test
	void aPooledRequestWaitsForABorrowedMemberToComeBack() throws Exception {
		start(1);
		ClientPool.Lease lease = this.pool.borrow(WAIT);
		CompletableFuture<ByteBuffer> waiting = this.pool.requestAsync(line("echo waited"), WAIT);
		CompletableFuture<ByteBuffer> blocking = new CompletableFuture<>();
		Thread caller = Thread.ofPlatform().start(() -> requestInto(line("echo blocked"), blocking));
		await().atMost(WAIT).until(() -> caller.getState() == Thread.State.TIMED_WAITING || blocking.isDone());
		assertThat(blocking).isNotDone();
		assertThat(waiting).isNotDone();
		assertThat(lease.client().outstanding()).isZero();
		lease.close();
		assertThat(text(waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo("waited");
		assertThat(text(blocking.get(WAIT.toSeconds(), TimeUnit.SECONDS))).isEqualTo("blocked");
	}

	@Test
	void aPooledAsyncRequestFailsWithATimeoutWhenEveryMemberStaysBorrowed() throws Exception {
		start(1);
		try (ClientPool.Lease lease = this.pool.borrow(WAIT)) {
			CompletableFuture<ByteBuffer> waiting = this.pool.requestAsync(line("echo x"), Duration.ofMillis(100));
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(RequestTimeoutException.class)
				.withMessageContaining("borrowed");
			assertThat(lease.client().outstanding()).isZero();
		}
	}

	/** {@link ClientPool#request(ByteBuffer)} with the members' request timeout, into a future. */
	private void requestInto(ByteBuffer payload, CompletableFuture<ByteBuffer> reply) {
		try {
			reply.complete(this.pool.request(payload));
		}
		catch (RequestFailedException | InterruptedException | RuntimeException ex) {
			reply.completeExceptionally(ex);
		}
	}

	private void start(int size) throws IOException {
		this.server = ScriptedLineServer.start(0);
		ClientConfig config = ClientConfig.builder(Framing.line())
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), this.server.port())
			.requestFraming(Framing.line())
			.requestTimeout(WAIT)
			.backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0, 0.2, 0))
			.build();
		this.pool = ClientPool.start(config, size);
		await().atMost(WAIT).until(() -> this.pool.connected() == size);
	}

}
