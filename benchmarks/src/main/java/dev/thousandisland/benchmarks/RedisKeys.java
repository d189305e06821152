package dev.thousandisland.benchmarks;

/**
 * The keys of {@link RedisClientBenchmark} and the one value each ever holds: every SET writes
 * it, so every GET knows what it must read, and a reply given to the wrong request shows.
 */
final class RedisKeys {

	/** How many keys the workloads cycle through. */
	static final int COUNT = 1000;

	private static final String[] KEYS = new String[COUNT];

	private static final String[] VALUES = new String[COUNT];

	static {
		for (int i = 0; i < COUNT; i++) {
			KEYS[i] = "key:" + i;
			// 16 bytes, as the workloads have always used.
			VALUES[i] = String.format("value-%010d", i);
		}
	}

	private RedisKeys() {
	}

	static String key(long n) {
		return KEYS[(int) (n % COUNT)];
	}

	static String value(long n) {
		return VALUES[(int) (n % COUNT)];
	}

}
