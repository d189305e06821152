package dev.thousandisland.internal.pubsub;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

import dev.thousandisland.pubsub.PubSub;

/**
 * The log lines of one PubSub, written to the logger {@code dev.thousandisland.pubsub.PubSub}.
 * What another instance or the transport causes can happen once per message, so it never floods:
 * an undecodable message is logged on the 1st, 10th, 100th, ... occurrence, without a stack trace
 * (the cause is elsewhere); a transport failure once when it starts and once when it ends. An
 * adapter that throws is a bug in the adapter, logged with its stack trace, on the same 1st, 10th,
 * 100th, ... schedule.
 */
final class PubSubLog {

	private static final System.Logger logger = System.getLogger(PubSub.class.getName());

	private final String name;

	private final String adapterKind;

	private final AtomicLong decodeFailures = new AtomicLong();

	private final AtomicLong adapterFailures = new AtomicLong();

	PubSubLog(String name, String adapterKind) {
		this.name = name;
		this.adapterKind = adapterKind;
	}

	void decodeFailed(String topic, RuntimeException error) {
		long failures = this.decodeFailures.incrementAndGet();
		if (isPowerOfTen(failures)) {
			logger.log(Level.WARNING, "PubSub '" + this.name + "': dropped a message from another instance on topic '"
					+ shortened(topic) + "' that could not be decoded (" + failures
					+ " so far; logged at the 1st, 10th, 100th, ...): " + describe(error)
					+ ". Do all instances use the same PubSubCodec?");
		}
	}

	void adapterCallFailed(String operation, String topic, RuntimeException error) {
		long failures = this.adapterFailures.incrementAndGet();
		if (isPowerOfTen(failures)) {
			logger.log(Level.WARNING, "PubSub '" + this.name + "': the " + this.adapterKind + " adapter's " + operation
					+ ((topic != null) ? " of topic '" + topic + "'" : "") + " threw (" + failures
					+ " adapter failure(s) so far; logged at the 1st, 10th, 100th, ...); local delivery carries on",
					error);
		}
	}

	void transportDown(String error) {
		logger.log(Level.WARNING, "PubSub '" + this.name + "': the " + this.adapterKind + " adapter lost its transport ("
				+ error + "); broadcasts reach this instance's subscribers only until it is back");
	}

	void transportUp(long lost) {
		logger.log(Level.INFO, "PubSub '" + this.name + "': the " + this.adapterKind + " adapter's transport is back; "
				+ lost + " message(s) to or from other instances were lost meanwhile");
	}

	/** A topic from another instance, as a log line shows it: one line, not a page. */
	private static String shortened(String topic) {
		String line = topic.replaceAll("\\p{Cntrl}", "?");
		return (line.length() <= 100) ? line : line.substring(0, 100) + "... (" + line.length() + " chars)";
	}

	static String describe(Throwable error) {
		return (error.getMessage() != null) ? error.getClass().getSimpleName() + ": " + error.getMessage()
				: error.getClass().getSimpleName();
	}

	private static boolean isPowerOfTen(long number) {
		long power = 1;
		while (power < number && power <= Long.MAX_VALUE / 10) {
			power *= 10;
		}
		return power == number;
	}

}
