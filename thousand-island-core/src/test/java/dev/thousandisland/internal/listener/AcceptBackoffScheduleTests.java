package dev.thousandisland.internal.listener;

import java.util.concurrent.TimeUnit;

import dev.thousandisland.Handler;
import dev.thousandisland.ServerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptor's pause schedule on its own; {@code AcceptBackoffTests} drives it through real
 * accept failures.
 */
class AcceptBackoffScheduleTests {

	@Test
	void theFirstFailureOfAStreakIsRetriedAtOnceAndTheDefaultPauseGrowsTo100Milliseconds() {
		AcceptBackoff backoff = new AcceptBackoff(ServerConfig.builder(new Handler<Void>() {
		}).build().maxAcceptBackoff());
		long now = 0;
		long[] pauses = new long[10];
		for (int i = 0; i < pauses.length; i++) {
			pauses[i] = TimeUnit.NANOSECONDS.toMillis(backoff.failed(now));
		}
		assertThat(pauses).containsExactly(0, 1, 2, 4, 8, 16, 32, 64, 100, 100);
		assertThat(backoff.succeeded()).isEqualTo(10);
		assertThat(backoff.failed(now)).isZero();
	}

}
