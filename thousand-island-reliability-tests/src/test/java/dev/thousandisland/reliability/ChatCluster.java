package dev.thousandisland.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.jayway.jsonpath.JsonPath;

import static org.awaitility.Awaitility.await;

/**
 * The sample chat as a cluster, every part real and on loopback: one {@code redis-server}, two
 * instances of the sample application ({@code a} and {@code b}, each a JVM of its own running the
 * sample's jar with the {@code cluster} profile, the Redis adapter and its own node name), and
 * {@code haproxy} in front of their chat servers, checking each instance's readiness group over
 * HTTP. The test reads each instance's meters ({@code /actuator/prometheus}) and rooms
 * ({@code /actuator/chat}), and Redis's subscriptions ({@code PUBSUB NUMSUB}).
 */
final class ChatCluster implements AutoCloseable {

	static final String BACKEND = "chat";

	static final Duration WAIT = Duration.ofSeconds(60);

	/**
	 * How long an instance may take to start and be up in HAProxy: some 10 s alone on a 2-core
	 * machine, but a minute when the machine is busy with other builds.
	 */
	static final Duration START_WAIT = Duration.ofSeconds(180);

	final RedisServer redis;

	final AppInstance a;

	final AppInstance b;

	final int frontend;

	private final Haproxy haproxy;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	/** Kills what is left if the test JVM ends without closing the cluster (a timeout, say). */
	private final Thread reaper = new Thread(this::closeQuietly, "chat-cluster-reaper");

	private ChatCluster(RedisServer redis, AppInstance a, AppInstance b, int frontend, Haproxy haproxy) {
		this.redis = redis;
		this.a = a;
		this.b = b;
		this.frontend = frontend;
		this.haproxy = haproxy;
	}

	/**
	 * Starts Redis, both instances and HAProxy, and waits until HAProxy has both instances up.
	 * @param jvmOptions the instances' JVM options (their heap)
	 * @param properties the instances' settings besides ports, profile and node name
	 */
	static ChatCluster start(Path directory, List<String> jvmOptions, List<String> properties) throws Exception {
		Path executable = Haproxy.executable();
		if (executable == null) {
			throw new IllegalStateException("haproxy is not installed (apt-get install haproxy; .ci/run installs it)");
		}
		int[] ports = Clients.freePorts(6);
		RedisServer redis = RedisServer.start(directory, ports[0]);
		AppInstance a = instance("a", ports[1], ports[2], ports[0], directory, jvmOptions, properties);
		AppInstance b = instance("b", ports[3], ports[4], ports[0], directory, jvmOptions, properties);
		Haproxy haproxy = null;
		try {
			a.start();
			b.start();
			haproxy = Haproxy.start(executable, directory, configuration(ports[5], a, b));
		}
		catch (Exception | Error ex) {
			a.kill();
			b.kill();
			redis.kill();
			throw ex;
		}
		ChatCluster cluster = new ChatCluster(redis, a, b, ports[5], haproxy);
		Runtime.getRuntime().addShutdownHook(cluster.reaper);
		try {
			cluster.awaitUp(a);
			cluster.awaitUp(b);
		}
		catch (Exception | Error ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	private static AppInstance instance(String node, int port, int httpPort, int redisPort, Path directory,
			List<String> jvmOptions, List<String> properties) {
		List<String> settings = new ArrayList<>(List.of("--spring.profiles.active=cluster",
				"--thousandisland.pubsub.node-name=" + node, "--spring.data.redis.port=" + redisPort,
				"--spring.lifecycle.timeout-per-shutdown-phase=10s"));
		settings.addAll(properties);
		return AppInstance.sample(node, port, httpPort, directory, jvmOptions, settings);
	}

	AppInstance instance(String node) {
		return switch (node) {
			case "a" -> this.a;
			case "b" -> this.b;
			default -> throw new IllegalArgumentException("No instance " + node);
		};
	}

	/** Waits until HAProxy's health checks have the instance up; fails at once if a process died. */
	void awaitUp(AppInstance instance) {
		await().atMost(START_WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
			if (!this.haproxy.isAlive()) {
				throw new AssertionError("haproxy exited; log:\n" + this.haproxy.logText());
			}
			if (!instance.isAlive()) {
				throw new AssertionError("instance " + instance.name + " exited; log:\n" + instance.logText());
			}
			return this.haproxy.isUp(BACKEND, instance.name);
		});
	}

	/** Waits until HAProxy's health checks have the instance down. */
	void awaitDown(AppInstance instance) {
		await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> !this.haproxy.isUp(BACKEND, instance.name));
	}

	/** Each room with members on the instance, and how many ({@code /actuator/chat}). */
	Map<String, Integer> rooms(AppInstance instance) throws IOException, InterruptedException {
		String body = get(instance, "/actuator/chat");
		Map<String, Integer> rooms = JsonPath.read(body, "$.rooms");
		return new TreeMap<>(rooms);
	}

	/**
	 * The sum of a Prometheus series' samples on the instance whose labels contain every one of
	 * {@code labels} (each like {@code reason="disconnected"}); 0 when there is none.
	 */
	double meter(AppInstance instance, String series, String... labels) throws IOException, InterruptedException {
		double sum = 0;
		for (String line : get(instance, "/actuator/prometheus").lines().toList()) {
			if (line.startsWith("#") || !(line.startsWith(series + "{") || line.startsWith(series + " "))) {
				continue;
			}
			boolean matches = true;
			for (String label : labels) {
				matches &= line.contains(label);
			}
			if (matches) {
				sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		return sum;
	}

	String prometheus(AppInstance instance) throws IOException, InterruptedException {
		return get(instance, "/actuator/prometheus");
	}

	String get(AppInstance instance, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.httpPort + path))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException("GET " + path + " on " + instance.name + ": " + response.statusCode() + "\n"
					+ response.body());
		}
		return response.body();
	}

	/** Every Redis channel with subscribers, and how many subscribers each has. */
	Map<String, Long> redisSubscriptions() throws IOException {
		Map<String, Long> subscriptions = new TreeMap<>();
		Object channels = this.redis.command("PUBSUB", "CHANNELS", "*");
		for (Object channel : (List<?>) channels) {
			List<?> numsub = (List<?>) this.redis.command("PUBSUB", "NUMSUB", (String) channel);
			subscriptions.put((String) numsub.get(0), (Long) numsub.get(1));
		}
		return subscriptions;
	}

	/**
	 * How many subscribers Redis counts for a chat room's channel: the adapter's channel for the
	 * room's topic ({@code chat:<room>}) ends with the topic.
	 */
	static long subscribers(Map<String, Long> subscriptions, String room) {
		String topic = "chat:" + room;
		return subscriptions.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().endsWith(topic))
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	String logs() {
		return "--- a:\n" + tail(this.a.logText()) + "\n--- b:\n" + tail(this.b.logText()) + "\n--- redis:\n"
				+ tail(this.redis.logText());
	}

	private static String tail(String text) {
		return (text.length() > 6000) ? text.substring(text.length() - 6000) : text;
	}

	@Override
	public void close() throws Exception {
		try {
			Runtime.getRuntime().removeShutdownHook(this.reaper);
		}
		catch (IllegalStateException ex) {
			// The JVM is shutting down: the hook runs anyway.
		}
		closeQuietly();
	}

	private void closeQuietly() {
		try {
			this.haproxy.stop();
			this.a.kill();
			this.b.kill();
			this.redis.kill();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Round robin spreads members evenly over the two instances; readiness decides who is in. */
	private static String configuration(int frontend, AppInstance a, AppInstance b) {
		return """
				global
				    maxconn 2000
				    stats socket %%STATS%% mode 600 level admin
				defaults
				    mode tcp
				    timeout connect 2s
				    timeout client 120s
				    timeout server 120s
				    timeout check 2s
				    retries 3
				    option redispatch 1
				frontend chat
				    bind 127.0.0.1:%d
				    default_backend chat
				backend chat
				    balance roundrobin
				    option httpchk
				    http-check send meth GET uri /actuator/health/readiness
				    http-check expect status 200
				    default-server inter 300ms fall 2 rise 2
				    server a 127.0.0.1:%d check port %d
				    server b 127.0.0.1:%d check port %d
				""".formatted(frontend, a.port, a.httpPort, b.port, b.httpPort);
	}

}
