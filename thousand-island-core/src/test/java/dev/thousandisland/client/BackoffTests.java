package dev.thousandisland.client;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import dev.thousandisland.InvalidOptionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The waits a {@link Backoff} computes: exponential growth, the cap, the jitter's bounds, the
 * attempt limit and the values it refuses.
 */
class BackoffTests {

	private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.25, 0);

	@Test
	void withoutJitterEachWaitIsTheLastTimesTheMultiplierUpToTheMaximum() {
		Backoff exact = this.backoff.withoutJitter();
		RandomGenerator random = new SplittableRandom(1);
		assertThat(exact.delay(1, random)).isEqualTo(Duration.ofMillis(100));
		assertThat(exact.delay(2, random)).isEqualTo(Duration.ofMillis(200));
		assertThat(exact.delay(4, random)).isEqualTo(Duration.ofMillis(800));
		assertThat(exact.delay(5, random)).isEqualTo(Duration.ofSeconds(1));
		assertThat(exact.delay(1000, random)).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void jitterTakesAwayAtMostItsFractionAndVaries() {
		RandomGenerator random = new SplittableRandom(42);
		long smallest = Long.MAX_VALUE;
		long largest = 0;
		for (int i = 0; i < 1000; i++) {
			long nanos = this.backoff.delay(3, random).toNanos();
			assertThat(nanos).isBetween(Duration.ofMillis(300).toNanos(), Duration.ofMillis(400).toNanos());
			smallest = Math.min(smallest, nanos);
			largest = Math.max(largest, nanos);
		}
		assertThat(largest - smallest).isGreaterThan(Duration.ofMillis(50).toNanos());
	}

	@Test
	void maxAttemptsIsReachedAfterThatManyFailuresAndZeroNeverIs() {
		assertThat(this.backoff.exhausted(Integer.MAX_VALUE)).isFalse();
		Backoff three = this.backoff.withMaxAttempts(3);
		assertThat(three.exhausted(2)).isFalse();
		assertThat(three.exhausted(3)).isTrue();
	}

	@Test
	void refusesValuesThatCannotWork() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0, 0))
			.withMessageContaining("backoff.initial");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0, 0))
			.withMessageContaining("backoff.max");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0, 0))
			.withMessageContaining("backoff.multiplier");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5, 0))
			.withMessageContaining("backoff.jitter");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 0, -1))
			.withMessageContaining("backoff.maxAttempts");
	}

}
