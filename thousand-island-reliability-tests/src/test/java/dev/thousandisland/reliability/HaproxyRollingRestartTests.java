package dev.thousandisland.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A rolling restart behind a real HAProxy loses no request. HAProxy (started here on a generated
 * configuration, loopback ports) balances {@value #CLIENTS} client connections over two instances
 * of {@link RollingRestartApp}, each a Spring Boot application in a JVM of its own, relays each
 * connection with a PROXY protocol v2 header ({@code send-proxy-v2}; the instances run with
 * {@code thousandisland.proxy-protocol.mode=required}), and checks each instance's readiness group
 * over HTTP. Under that steady load each instance in turn gets
 * SIGTERM, drains and exits, is started again, and is back in HAProxy's rotation before the next
 * one goes. The clients retry only what {@link RetryingLineClients} says; with that, no request
 * fails, and every reply names the client's own address (its local port), not HAProxy's.
 *
 * <p>Without {@code haproxy} installed the test is skipped locally but fails in CI ({@code CI}
 * set, as {@code .ci/run} does, and installs Debian's {@code haproxy} when it is missing).
 */
class HaproxyRollingRestartTests {

	static final int CLIENTS = 200;

	static final String BACKEND = "instances";

	private static final String FIGURES = "Rolling restart behind HAProxy";

	private static final Duration WAIT = Duration.ofSeconds(60);

	/** The application's settings besides its ports (docs/deployment.md explains each). */
	private static final List<String> APPLICATION = List.of("--spring.main.banner-mode=off",
			"--thousandisland.proxy-protocol.mode=required", "--management.endpoint.health.probes.enabled=true",
			"--spring.lifecycle.timeout-per-shutdown-phase=10s");

	@TempDir
	Path directory;

	private final List<AppInstance> instances = new ArrayList<>();

	private Haproxy haproxy;

	private RetryingLineClients clients;

	@AfterEach
	void cleanUp() throws Exception {
		if (this.clients != null) {
			this.clients.stop(WAIT);
		}
		for (AppInstance instance : this.instances) {
			instance.kill();
		}
		if (this.haproxy != null) {
			this.haproxy.stop();
		}
	}

	@Test
	@Timeout(value = 150, unit = TimeUnit.SECONDS)
	void drainingAndRestartingEachInstanceInTurnLosesNoRequest() throws Exception {
		Path executable = Haproxy.executable();
		if (executable == null) {
			if (System.getenv("CI") != null) {
				fail("haproxy is not installed; CI must install it (.ci/run does) so that this test runs");
			}
			assumeTrue(false, "haproxy is not installed (apt-get install haproxy); skipped outside CI");
		}
		int[] ports = Clients.freePorts(5);
		int frontend = ports[0];
		this.instances.add(new AppInstance("a", ports[1], ports[2], this.directory, APPLICATION));
		this.instances.add(new AppInstance("b", ports[3], ports[4], this.directory, APPLICATION));
		for (AppInstance instance : this.instances) {
			instance.start();
		}
		this.haproxy = Haproxy.start(executable, this.directory, configuration(frontend));
		for (AppInstance instance : this.instances) {
			awaitUp(instance);
		}

		this.clients = new RetryingLineClients(frontend);
		this.clients.start(CLIENTS);
		await().atMost(WAIT)
			.until(() -> this.clients.answeredBy("a") >= 1_000 && this.clients.answeredBy("b") >= 1_000);
		for (AppInstance instance : this.instances) {
			restart(instance);
		}
		long sentBeforeEnd = this.clients.sent.sum();
		await().atMost(WAIT).until(() -> this.clients.sent.sum() >= sentBeforeEnd + 2_000);
		this.clients.stop(WAIT);

		long sent = this.clients.sent.sum();
		long answered = this.clients.answered.sum();
		long failed = this.clients.failed.sum();
		Figures.record(FIGURES, "client connections (a new one every " + RetryingLineClients.REQUESTS_PER_CONNECTION
				+ " requests) / connections opened", CLIENTS + " / " + this.clients.connections.sum());
		Figures.record(FIGURES, "requests sent / answered / failed", sent + " / " + answered + " / " + failed);
		Figures.record(FIGURES, "requests answered by a / by b", this.clients.answeredBy("a") + " / "
				+ this.clients.answeredBy("b"));
		Figures.record(FIGURES, "client retries (connection closed before any byte of the reply)",
				this.clients.retries.sum());
		Figures.record(FIGURES, "HAProxy connect retries / redispatches (a + b)",
				(counter("wretr")) + " / " + counter("wredis"));
		Figures.record(FIGURES, "replies naming the client's own address", this.clients.ownAddressSeen.sum());
		assertThat(this.clients.failures).as("failed requests").isEmpty();
		assertThat(failed).isZero();
		assertThat(answered).as("requests answered").isEqualTo(sent);
		assertThat(this.clients.answeredBy("a") + this.clients.answeredBy("b")).isEqualTo(answered);
		assertThat(this.clients.ownAddressSeen.sum())
			.as("replies naming the client's own address (127.0.0.1 and the client's local port), not HAProxy's")
			.isEqualTo(answered);
	}

	/**
	 * SIGTERM, wait for the exit, start again, wait until HAProxy has the instance up and it
	 * answers again; the other instance answers all along.
	 */
	private void restart(AppInstance instance) throws Exception {
		AppInstance other = this.instances.get(1 - this.instances.indexOf(instance));
		long otherBefore = this.clients.answeredBy(other.name);
		AppInstance.Stopped stopped = instance.terminate(WAIT);
		long exited = System.nanoTime();
		assertThat(stopped.exitCode()).as("exit code of %s after SIGTERM (128 + 15)", instance.name).isEqualTo(143);
		assertThat(instance.logText()).as("log of %s", instance.name)
			.contains("Graceful shutdown of Thousand Island servers complete")
			.doesNotContain("did not finish within");
		await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> !this.haproxy.isUp(BACKEND, instance.name));
		Duration untilDown = stopped.drain().plus(Duration.ofNanos(System.nanoTime() - exited));
		Figures.record(FIGURES, "instance " + instance.name + ": SIGTERM to exit (ms)", stopped.drain().toMillis());
		Figures.record(FIGURES, "instance " + instance.name + ": SIGTERM to DOWN in HAProxy (ms; polled from the exit on)",
				untilDown.toMillis());
		Figures.record(FIGURES, "instance " + instance.name + ": connections open when its drain began / drain (ms)",
				instance.lastDrainOpenConnections() + " / " + instance.lastDrainMillis());

		long started = System.nanoTime();
		instance.start();
		awaitUp(instance);
		Figures.record(FIGURES, "instance " + instance.name + ": start to UP in HAProxy (ms)",
				Duration.ofNanos(System.nanoTime() - started).toMillis());
		long before = this.clients.answeredBy(instance.name);
		await().atMost(WAIT).until(() -> this.clients.answeredBy(instance.name) >= before + 500);
		assertThat(this.clients.answeredBy(other.name)).as("answered by %s meanwhile", other.name)
			.isGreaterThan(otherBefore);
	}

	private void awaitUp(AppInstance instance) {
		await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
			if (!this.haproxy.isAlive()) {
				throw new AssertionError("haproxy exited; log:\n" + this.haproxy.logText());
			}
			if (!instance.isAlive()) {
				throw new AssertionError("instance " + instance.name + " exited; log:\n" + instance.logText());
			}
			return this.haproxy.isUp(BACKEND, instance.name);
		});
	}

	private long counter(String column) {
		return this.haproxy.counter(BACKEND, "a", column) + this.haproxy.counter(BACKEND, "b", column);
	}

	/** The tested configuration, as docs/deployment.md shows and explains it. */
	private String configuration(int frontend) {
		AppInstance a = this.instances.get(0);
		AppInstance b = this.instances.get(1);
		return """
				global
				    maxconn 2000
				    stats socket %%STATS%% mode 600 level admin
				defaults
				    mode tcp
				    timeout connect 2s
				    timeout client 60s
				    timeout server 60s
				    timeout check 2s
				    retries 3
				    option redispatch 1
				frontend lines
				    bind 127.0.0.1:%d
				    default_backend instances
				backend instances
				    balance leastconn
				    option httpchk
				    http-check send meth GET uri /actuator/health/readiness
				    http-check expect status 200
				    default-server inter 500ms fall 2 rise 2 send-proxy-v2
				    server a 127.0.0.1:%d check port %d
				    server b 127.0.0.1:%d check port %d
				""".formatted(frontend, a.port, a.httpPort, b.port, b.httpPort);
	}

}
