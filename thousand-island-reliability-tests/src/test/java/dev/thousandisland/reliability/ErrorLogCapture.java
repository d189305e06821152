package dev.thousandisland.reliability;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures every ERROR line logged in this JVM: the library logs through {@link System.Logger},
 * which is {@code java.util.logging} here, where ERROR is {@link Level#SEVERE}. Installed on the
 * root logger, so that it sees records whatever other handlers (a console, a bridge to SLF4J)
 * are there.
 */
final class ErrorLogCapture extends Handler implements AutoCloseable {

	private final Queue<String> errors = new ConcurrentLinkedQueue<>();

	private final Logger root = Logger.getLogger("");

	private ErrorLogCapture() {
		setLevel(Level.SEVERE);
	}

	static ErrorLogCapture install() {
		ErrorLogCapture capture = new ErrorLogCapture();
		capture.root.addHandler(capture);
		return capture;
	}

	@Override
	public void publish(LogRecord record) {
		if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
			String thrown = (record.getThrown() != null) ? " " + record.getThrown() : "";
			this.errors.add(record.getLoggerName() + ": " + record.getMessage() + thrown);
		}
	}

	/** The ERROR lines captured that {@code provoked} does not account for. */
	List<String> unexpected(Predicate<String> provoked) {
		return this.errors.stream().filter(provoked.negate()).toList();
	}

	/** Every ERROR line captured. */
	List<String> all() {
		return List.copyOf(this.errors);
	}

	@Override
	public void flush() {
	}

	@Override
	public void close() {
		this.root.removeHandler(this);
	}

}
