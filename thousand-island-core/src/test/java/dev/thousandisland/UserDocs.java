package dev.thousandisland;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The user documentation as a test reads it: the repository's README.md and every page under
 * docs/, with their relative links and their headings' anchors.
 */
final class UserDocs {

	private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

	private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

	private final Path root;

	private UserDocs(Path root) {
		this.root = root;
	}

	/**
	 * Finds the repository from the module directory the tests run in.
	 * @return the documentation of the repository
	 */
	static UserDocs ofRepository() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("mvnw"))) {
				return new UserDocs(dir);
			}
		}
		throw new IllegalStateException("No README.md beside mvnw above " + Path.of("").toAbsolutePath());
	}

	Path readme() {
		return this.root.resolve("README.md");
	}

	/** README.md and every Markdown page under docs/. */
	List<Path> pages() {
		List<Path> pages = new ArrayList<>();
		pages.add(readme());
		try (Stream<Path> docs = Files.walk(this.root.resolve("docs"))) {
			docs.filter((path) -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return pages;
	}

	/** Every page's text, one after the other. */
	String allText() {
		StringBuilder text = new StringBuilder();
		for (Path page : pages()) {
			text.append(read(page)).append('\n');
		}
		return text.toString();
	}

	static List<String> lines(Path page) {
		try {
			return Files.readAllLines(page);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String read(Path page) {
		return String.join("\n", lines(page));
	}

	/** The targets of the page's Markdown links outside code blocks, other than web addresses. */
	static List<String> relativeLinks(Path page) {
		List<String> links = new ArrayList<>();
		for (String line : proseLines(page)) {
			Matcher link = LINK.matcher(line);
			while (link.find()) {
				String target = link.group(1);
				if (!target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
					links.add(target);
				}
			}
		}
		return links;
	}

	/** The anchors GitHub gives the page's headings, including the -1, -2 of repeated ones. */
	static Set<String> anchors(Path page) {
		Set<String> anchors = new LinkedHashSet<>();
		for (String line : proseLines(page)) {
			Matcher heading = HEADING.matcher(line);
			if (heading.matches()) {
				String slug = heading.group(1)
					.toLowerCase(Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{N} _-]", "")
					.replace(' ', '-');
				String anchor = slug;
				for (int n = 1; !anchors.add(anchor); n++) {
					anchor = slug + "-" + n;
				}
			}
		}
		return anchors;
	}

	private static List<String> proseLines(Path page) {
		List<String> prose = new ArrayList<>();
		boolean inFence = false;
		for (String line : lines(page)) {
			if (line.stripLeading().startsWith("```")) {
				inFence = !inFence;
			}
			else if (!inFence) {
				prose.add(line);
			}
		}
		return prose;
	}

}
