package dev.thousandisland.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns the warnings of some of the library's loggers off while a test provokes hundreds of the
 * failures they report (each with a stack trace), and back on afterwards; errors still get
 * through. The library logs through {@link System.Logger}, which is {@code java.util.logging}
 * unless an application installs another backend; the tests assert on behaviour, not on those
 * lines.
 */
final class QuietLogs implements AutoCloseable {

	private final List<Logger> loggers = new ArrayList<>();

	private final List<Level> levels = new ArrayList<>();

	private QuietLogs(String... names) {
		for (String name : names) {
			Logger logger = Logger.getLogger(name);
			this.loggers.add(logger);
			this.levels.add(logger.getLevel());
			logger.setLevel(Level.SEVERE);
		}
	}

	/**
	 * Silences the logger of a connection's life (handler exceptions, error results), which the
	 * connection's loop and its ending share. Named by string: the class is machinery the core
	 * does not export.
	 */
	static QuietLogs connections() {
		return new QuietLogs("dev.thousandisland.internal.connection.ConnectionLoop");
	}

	@Override
	public void close() {
		for (int i = 0; i < this.loggers.size(); i++) {
			this.loggers.get(i).setLevel(this.levels.get(i));
		}
	}

}
