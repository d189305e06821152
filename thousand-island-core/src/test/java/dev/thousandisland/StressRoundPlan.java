package dev.thousandisland;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One round of the lifecycle stress test, chosen from the seed: a server's configuration, how many
 * clients it gets, when it is suspended and resumed, and how it is stopped.
 *
 * @param secure whether the server speaks TLS from the start
 * @param hibernateAfter the server's {@code hibernateAfter}, or {@code null} for none
 * @param numPollers the server's {@code numPollers}
 * @param clients how many clients connect during the round
 * @param roundMillis how long the round runs before the server is stopped
 * @param stopTimeout the timeout given to {@code stop}: {@link Duration#ZERO} for an immediate stop
 * @param hurryMillis for a stop with a timeout, when a second {@code stopAsync(Duration.ZERO)} brings
 * the deadline forward, in milliseconds after the first; -1 for never
 * @param suspensions when the server is suspended and for how long, in milliseconds from the
 * round's start
 */
record StressRoundPlan(boolean secure, Duration hibernateAfter, int numPollers, int clients, int roundMillis,
		Duration stopTimeout, int hurryMillis, List<Suspension> suspensions) {

	/**
	 * A suspend followed by a resume.
	 * @param atMillis when the server is suspended
	 * @param forMillis how long it stays suspended
	 */
	record Suspension(int atMillis, int forMillis) {
	}

	static StressRoundPlan choose(Random random) {
		boolean secure = random.nextInt(10) < 3;
		Duration hibernateAfter = random.nextBoolean() ? Duration.ofMillis(20 + random.nextInt(60)) : null;
		int numPollers = 1 + random.nextInt(2);
		int clients = 30 + random.nextInt(51);
		int roundMillis = 1200 + random.nextInt(1500);
		Duration stopTimeout = random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(300 + random.nextInt(1200));
		int hurryMillis = (!stopTimeout.isZero() && random.nextInt(3) == 0) ? random.nextInt(200) : -1;
		List<Suspension> suspensions = new ArrayList<>();
		int at = 0;
		for (int i = random.nextInt(3); i > 0; i--) {
			at += 100 + random.nextInt(roundMillis / 3);
			int length = 50 + random.nextInt(250);
			if (at + length >= roundMillis) {
				break;
			}
			suspensions.add(new Suspension(at, length));
			at += length;
		}
		return new StressRoundPlan(secure, hibernateAfter, numPollers, clients, roundMillis, stopTimeout, hurryMillis,
				List.copyOf(suspensions));
	}

}
