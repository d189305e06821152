package dev.thousandisland;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Catches what the server logs (through {@link System.Logger}, which is java.util.logging here)
 * while the stress test runs: the warnings it expects (handlers that throw on request) are kept off
 * the console, and every ERROR is a violation, since the framework logs one only for a bug of its
 * own or for a failure it could not handle (a late alarm after {@code stop}, say).
 */
final class FrameworkLog extends Handler implements AutoCloseable {

	private final Logger logger = Logger.getLogger("dev.thousandisland");

	private final StressViolations violations;

	private final boolean usedParentHandlers;

	private FrameworkLog(StressViolations violations) {
		this.violations = violations;
		this.usedParentHandlers = this.logger.getUseParentHandlers();
	}

	static FrameworkLog watch(StressViolations violations) {
		FrameworkLog log = new FrameworkLog(violations);
		log.logger.addHandler(log);
		log.logger.setUseParentHandlers(false);
		return log;
	}

	@Override
	public void publish(LogRecord record) {
		if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
			Throwable thrown = record.getThrown();
			this.violations.add("framework logged an ERROR", record.getLoggerName() + ": " + record.getMessage()
					+ ((thrown != null) ? " (" + thrown + ")" : ""));
		}
	}

	@Override
	public void flush() {
	}

	@Override
	public void close() {
		this.logger.removeHandler(this);
		this.logger.setUseParentHandlers(this.usedParentHandlers);
	}

}
