package dev.thousandisland.internal.listener;

import java.time.Duration;

/**
 * One acceptor's pacing while accept keeps failing: how long to pause before the next attempt, and
 * when a failure is worth a log line. A run of failures is a streak; a successful accept ends it.
 *
 * <p>Every failure is paced the same way, whatever its cause: the JDK reports accept(2)'s errno
 * only through strerror's text, which follows the locale, so nothing here depends on which error
 * it was. The first failure of a streak is retried at once (a lone ECONNABORTED or ENETDOWN costs
 * nothing); the second after 1 ms; each following one after twice the pause before, up to
 * {@code maxAcceptBackoff}. A persistent failure (out of descriptors, buffers or memory; a broken
 * custom transport) thus costs at most one attempt per {@code maxAcceptBackoff} once the pause has
 * grown, and the acceptor recovers by itself at most that long after the cause goes away.
 *
 * <p>Logging is paced apart from attempts: the first failure of a streak is logged, then at most
 * one line per {@link #LOG_INTERVAL} while the streak lasts, and one when it ends.
 */
final class AcceptBackoff {

	/** The pause after the second failure of a streak. */
	static final Duration FIRST_PAUSE = Duration.ofMillis(1);

	/** The least time between two log lines about the same streak. */
	static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

	private final long maxPauseNanos;

	/** Failures in the current streak; 0 when accept last succeeded. */
	private long failures;

	private long pauseNanos;

	private long streakStart;

	private long lastLogged;

	/** @param maxPause the longest pause between attempts */
	AcceptBackoff(Duration maxPause) {
		this.maxPauseNanos = maxPause.toNanos();
	}

	/**
	 * Records a failed accept.
	 * @param now the {@link System#nanoTime()} of the failure
	 * @return how long to pause before the next attempt, in nanoseconds; 0 to retry at once
	 */
	long failed(long now) {
		this.failures++;
		if (this.failures == 1) {
			this.streakStart = now;
			this.pauseNanos = 0;
		}
		else if (this.pauseNanos == 0) {
			this.pauseNanos = Math.min(FIRST_PAUSE.toNanos(), this.maxPauseNanos);
		}
		else {
			this.pauseNanos = Math.min(this.pauseNanos * 2, this.maxPauseNanos);
		}
		return this.pauseNanos;
	}

	/**
	 * Returns whether the failure just recorded should be logged: the first of a streak, then one
	 * per {@link #LOG_INTERVAL}.
	 * @param now the {@link System#nanoTime()} of the failure
	 * @return whether to log it
	 */
	boolean shouldLog(long now) {
		if (this.failures == 1 || now - this.lastLogged >= LOG_INTERVAL.toNanos()) {
			this.lastLogged = now;
			return true;
		}
		return false;
	}

	/** Whether the current streak's first failure is the one just recorded. */
	boolean isFirstFailure() {
		return this.failures == 1;
	}

	/** Failures in the current streak. */
	long failures() {
		return this.failures;
	}

	/** How long the current streak has lasted, in nanoseconds. */
	long streakNanos(long now) {
		return now - this.streakStart;
	}

	/**
	 * Records a successful accept, ending any streak.
	 * @return the failures of the streak that ended, 0 if there was none
	 */
	long succeeded() {
		long ended = this.failures;
		this.failures = 0;
		this.pauseNanos = 0;
		return ended;
	}

}
