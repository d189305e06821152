package dev.thousandisland.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Measured figures, printed and appended to {@code target/reliability-figures.txt} (one
 * {@code test | figure | value} line each), from which RELIABILITY.md is written. Figures are
 * reported, never asserted on here.
 */
final class Figures {

	static final Path FILE = Path.of("target", "reliability-figures.txt");

	private Figures() {
	}

	static synchronized void record(String test, String figure, Object value) {
		String text = (value instanceof Double number) ? String.format(Locale.ROOT, "%.3f", number)
				: String.valueOf(value);
		String line = test + " | " + figure + " | " + text;
		System.out.println("FIGURE " + line);
		try {
			Files.createDirectories(FILE.getParent());
			Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// Figures are a report; a read-only target must not fail a test.
		}
	}

}
