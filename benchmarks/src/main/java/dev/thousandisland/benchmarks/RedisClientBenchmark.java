package dev.thousandisland.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.thousandisland.benchmarks.RedisClients.LettuceConnection;
import dev.thousandisland.benchmarks.RedisClients.ThousandIslandConnection;

/**
 * Thousand Island's client against Lettuce and Jedis on a real {@code redis-server} (started here
 * on a free loopback port), in one JVM and one run, SET and GET on {@link RedisKeys} with every
 * reply checked against what its command must get. Three workloads:
 * <ul>
 * <li><b>64 blocking callers</b> ({@link BlockingCallers}): Thousand Island's one
 * {@code ClientConnection} and its {@code ClientPool}, Lettuce's one shared connection
 * ({@code sync()}) and Jedis's {@code JedisPool} of 64;</li>
 * <li><b>batches of 256</b> ({@link AsyncBatches}): Thousand Island's connection and Lettuce's,
 * async;</li>
 * <li><b>pushes and requests</b> ({@link PushAndRequestMix}): a RESP3 connection subscribed to a
 * channel that a publisher feeds at a fixed rate, taking SET and GET from 64 blocking callers at
 * the same time; Thousand Island's connection and Lettuce's.</li>
 * </ul>
 * {@code RedisClientBenchmark [rounds] [seconds] [warm-up seconds]} (5, 5, 3 by default): every
 * round measures every client on every workload, the clients' order reversed each round. Prints
 * and writes {@code client-redis-results.md} and its section of {@code results.md}: medians
 * (min–max), Thousand Island ÷ each peer, per round too, against the target (≥ 1.3× Lettuce).
 */
public final class RedisClientBenchmark {

	private static final String CALLERS = "64 blocking callers, commands/s";

	private static final String BATCHES = "batches of 256, commands/s";

	private static final String MIX_REQUESTS = "pushes and requests: commands/s";

	private static final String MIX_PUSHES = "pushes and requests: pushes received/s";

	private RedisClientBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 3;
		String loadBefore = loadAverage();
		long started = System.nanoTime();
		ClientRedisResults results = new ClientRedisResults();
		Map<String, Long> delivered = new LinkedHashMap<>();
		try (RedisServerProcess redis = RedisServerProcess.start();
				ThousandIslandConnection thousandIsland = RedisClients.thousandIsland(redis.port());
				BlockingRedis thousandIslandPool = RedisClients.thousandIslandPool(redis.port());
				LettuceConnection lettuce = RedisClients.lettuce(redis.port());
				BlockingRedis jedis = RedisClients.jedisPool(redis.port());
				PushSubscriber thousandIslandPushes = new ThousandIslandPushSubscriber(redis.port());
				PushSubscriber lettucePushes = new LettucePushSubscriber(redis.port());
				PacedPublisher publisher = new PacedPublisher(redis.port())) {
			for (int i = 0; i < RedisKeys.COUNT; i++) {
				thousandIsland.set(RedisKeys.key(i), RedisKeys.value(i));
			}
			List<BlockingRedis> blocking = new ArrayList<>(List.of(thousandIsland, thousandIslandPool, lettuce, jedis));
			List<AsyncRedis> async = new ArrayList<>(List.of(thousandIsland, lettuce));
			List<PushSubscriber> subscribers = new ArrayList<>(List.of(thousandIslandPushes, lettucePushes));
			// Warm every client up before the first round, so that none measures the JIT.
			for (int i = 0; i < blocking.size(); i++) {
				BlockingCallers.run(blocking.get(i), warmup);
			}
			for (int i = 0; i < async.size(); i++) {
				AsyncBatches.run(async.get(i), warmup);
				PushAndRequestMix.run(subscribers.get(i), publisher, warmup);
			}
			for (int round = 1; round <= rounds; round++) {
				for (BlockingRedis client : blocking) {
					record(results, round, CALLERS, client.name(), BlockingCallers.run(client, seconds));
				}
				for (AsyncRedis client : async) {
					record(results, round, BATCHES, client.name(), AsyncBatches.run(client, seconds));
				}
				for (PushSubscriber subscriber : subscribers) {
					PushAndRequestMix.Rates rates = PushAndRequestMix.run(subscriber, publisher, seconds);
					record(results, round, MIX_REQUESTS, subscriber.name(), rates.requests());
					record(results, round, MIX_PUSHES, subscriber.name(), rates.pushes());
					delivered.merge(subscriber.name(), rates.delivered(), Long::sum);
				}
				blocking = blocking.reversed();
				async = async.reversed();
				subscribers = subscribers.reversed();
			}
			String connection = thousandIsland.name();
			String lettuceName = lettuce.name();
			double target = ClientRedisResults.LETTUCE_TARGET;
			results.ratio(CALLERS, connection, lettuceName, target);
			results.ratio(CALLERS, connection, jedis.name(), Double.NaN);
			results.ratio(CALLERS, thousandIslandPool.name(), lettuceName, Double.NaN);
			results.ratio(CALLERS, thousandIslandPool.name(), jedis.name(), Double.NaN);
			results.ratio(BATCHES, connection, lettuceName, target);
			results.ratio(MIX_REQUESTS, connection, lettuceName, target);
			results.ratio(MIX_PUSHES, connection, lettuceName, Double.NaN);
		}
		StringBuilder counts = new StringBuilder();
		delivered.forEach((client, count) -> counts.append(String.format(Locale.ROOT, "%s%s %,d", counts.isEmpty()
				? "" : "; ", client, count)));
		String report = results.render(head(rounds, seconds, warmup, started, loadBefore))
				+ String.format(Locale.ROOT, "%nPushes published and received in the measured rounds, every one in "
						+ "order and none taken for a reply (the run stops otherwise): %s. Every SET and GET reply "
						+ "was the one its command must get.%n", counts);
		System.out.println("\n" + report);
		Path output = Path.of(System.getProperty("benchmarks.output", "."));
		ClientRedisResults.write(output, report);
		System.err.println("wrote " + output.resolve("client-redis-results.md") + " and its section of "
				+ output.resolve("results.md"));
		System.exit(0);
	}

	private static String head(int rounds, int seconds, int warmup, long started, String loadBefore) {
		return MachineInfo.describe() + String.format(Locale.ROOT, "%n%n`RedisClientBenchmark %d %d %d`: %d round(s) "
				+ "of %d s per client and workload after a %d s warm-up of each, the clients' order reversed each "
				+ "round; %.0f s in all. Load average (`/proc/loadavg`, 1 min) %s at the start, %s at the end; the "
				+ "machine's two cores are shared with redis-server and other builds, so read the per-round ratios "
				+ "as well as the medians.%n%n"
				+ "- Clients: Thousand Island's client with the RESP example of the core's test jar (one "
				+ "`ClientConnection`; a `ClientPool` of %d, pooled requests to the least busy member); Lettuce "
				+ "(Spring Boot's version, one shared connection, `sync()` for blocking callers, `async()` for "
				+ "batches); Jedis (Spring Boot's version, `JedisPool` of max %d, a connection borrowed per command).%n"
				+ "- Workloads: half SET, half GET on %,d keys of 16-byte values, every reply checked (a wrong one "
				+ "stops the run): %d blocking callers (virtual threads); one thread sending batches of %d "
				+ "without waiting; and pushes with requests: a RESP3 (`HELLO 3`) connection SUBSCRIBEd to a "
				+ "channel a publisher on another connection feeds at %,d messages/s, while %d blocking callers "
				+ "send SET/GET on that same connection (Thousand Island: `classify` sends `>` message frames to "
				+ "`handleFrame`; Lettuce: `connectPubSub()` on RESP3 with a `RedisPubSubAdapter`). Every message "
				+ "published must arrive, in order, and none may be taken for a reply, or the run stops.",
				rounds, seconds, warmup, rounds, seconds, warmup, (System.nanoTime() - started) / 1e9, loadBefore,
				loadAverage(), RedisClients.POOL_MEMBERS, RedisClients.JEDIS_POOL_MAX, RedisKeys.COUNT,
				BlockingCallers.CALLERS, AsyncBatches.BATCH, PushAndRequestMix.PUSH_RATE, BlockingCallers.CALLERS);
	}

	private static void record(ClientRedisResults results, int round, String workload, String client, double value) {
		results.add(workload, client, value);
		System.err.printf(Locale.ROOT, "round %d %-40s %-40s %,.0f%n", round, workload, client, value);
	}

	private static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		}
		catch (Exception ex) {
			return "unknown";
		}
	}

}
