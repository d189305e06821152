package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration property the starter declares (as Spring Boot's configuration processor lists
 * it) is named in the README or a page under docs/, and every property those pages name exists.
 */
class DocumentationTests {

	/** Meter and observation names share the thousandisland prefix with the properties. */
	private static final Pattern METER_NAME = Pattern
		.compile("thousandisland\\.(acceptor|bytes|data|connection|connections|client|read|tls|handler\\.errors"
				+ "|pubsub\\.(published|delivered|dropped|adapter\\.(lost|errors|connected)))\\b.*");

	/** A key in backticks, up to its value, tags or the end. */
	private static final Pattern QUOTED_KEY = Pattern.compile("`(thousandisland\\.[^`={ ]*)([=`{ ])");

	/** A key set in a properties code block. */
	private static final Pattern ASSIGNED_KEY = Pattern.compile("(?m)^\\s*(thousandisland\\.[^\\s=:]+)\\s*[=:]");

	/** A table cell that starts with a backticked name. */
	private static final Pattern TABLE_CELL = Pattern.compile("^ *`([^`]+)`");

	@Test
	void everyConfigurationPropertyIsDocumented() throws IOException {
		List<String> properties = declaredProperties();
		assertThat(properties).contains("thousandisland.port", "thousandisland.ssl.bundle");
		String docs = userDocs();
		List<String> undocumented = properties.stream()
			.filter((name) -> !name.equals("thousandisland.servers"))
			.filter((name) -> !docs.contains("`" + name + "`") && !docs.contains("`" + name + "=")
					&& !docs.contains("`" + shortName(name) + "`"))
			.toList();
		assertThat(undocumented).isEmpty();
	}

	@Test
	void everyPropertyTheDocsNameExists() throws IOException {
		Set<String> declared = new TreeSet<>(declaredProperties(true));
		List<String> missing = new ArrayList<>();
		for (Map.Entry<String, String> page : userDocPages().entrySet()) {
			String text = page.getValue();
			Set<String> keys = new TreeSet<>();
			Matcher quoted = QUOTED_KEY.matcher(text);
			while (quoted.find()) {
				String key = quoted.group(1);
				if (quoted.group(2).equals("=") || !METER_NAME.matcher(key).matches()) {
					keys.add(key);
				}
			}
			Matcher assigned = ASSIGNED_KEY.matcher(text);
			while (assigned.find()) {
				keys.add(assigned.group(1));
			}
			keys.stream()
				.filter((key) -> !exists(key.substring("thousandisland.".length()), declared))
				.forEach((key) -> missing.add(page.getKey() + ": " + key));
			tableNames(text).forEach((name, clientTable) -> {
				boolean exists = name.startsWith("thousandisland.")
						? exists(name.substring("thousandisland.".length()), declared)
						: clientTable ? existsIn(name, PropertyNameSuggestions.clientKeys())
								: existsIn(name, PropertyNameSuggestions.serverKeys())
										&& existsAtTopLevel(name, declared);
				if (!exists) {
					missing.add(page.getKey() + " (table): " + name);
				}
			});
		}
		assertThat(missing).isEmpty();
	}

	/** Whether a key relative to {@code thousandisland.} exists, per-server and per-client forms included. */
	private static boolean exists(String key, Set<String> declared) {
		String[] parts = key.split("\\.", 3);
		if ((parts[0].equals("servers") || parts[0].equals("clients")) && parts.length < 3) {
			return declared.contains("thousandisland." + parts[0]);
		}
		if ((parts[0].equals("servers") || parts[0].equals("clients")) && parts.length == 3) {
			Set<String> keys = parts[0].equals("servers") ? PropertyNameSuggestions.serverKeys()
					: PropertyNameSuggestions.clientKeys();
			return existsIn(parts[2], keys) && (parts[0].equals("clients") || existsAtTopLevel(parts[2], declared));
		}
		return existsAtTopLevel(key, declared);
	}

	/** Against the generated metadata, which lists a list of groups (server-name-bundles) as one key. */
	private static boolean existsAtTopLevel(String key, Set<String> declared) {
		String name = "thousandisland." + key.replaceAll("\\[.*", "");
		if (isWildcard(key)) {
			String prefix = name.substring(0, name.lastIndexOf('.') + 1);
			return declared.stream().anyMatch((candidate) -> candidate.startsWith(prefix));
		}
		return declared.contains(name);
	}

	private static boolean existsIn(String key, Set<String> keys) {
		String normalized = key.replaceAll("\\[[^]]*]", "[*]");
		if (isWildcard(key)) {
			String prefix = normalized.substring(0, normalized.lastIndexOf('.') + 1);
			return keys.stream().anyMatch((candidate) -> candidate.startsWith(prefix));
		}
		// A list of groups (ssl.server-name-bundles) is named as a whole too.
		return keys.contains(normalized) || keys.stream().anyMatch((candidate) -> candidate.startsWith(normalized + "[*]."));
	}

	private static boolean isWildcard(String key) {
		return key.isEmpty() || key.endsWith(".") || key.endsWith("*") || key.endsWith(">");
	}

	/**
	 * The names in the "property" column of every table that has one (the first backticked name of
	 * each cell), each with whether it is a table of client properties (under a heading that names
	 * clients).
	 */
	private static Map<String, Boolean> tableNames(String text) {
		Map<String, Boolean> names = new LinkedHashMap<>();
		int column = -1;
		boolean clientTable = false;
		for (String line : text.split("\n")) {
			if (line.startsWith("#")) {
				clientTable = line.toLowerCase().contains("client");
			}
			if (!line.startsWith("|")) {
				column = -1;
				continue;
			}
			List<String> cells = List.of(line.substring(1).split("\\|"));
			if (column < 0) {
				column = cells.stream().map(String::strip).toList().indexOf("property");
				continue;
			}
			Matcher cell = TABLE_CELL.matcher((column < cells.size()) ? cells.get(column) : "");
			if (cell.find()) {
				String name = cell.group(1).replaceAll("=.*", "");
				boolean otherNamespace = !name.startsWith("thousandisland.")
						&& name.matches("(spring|management|server|local)\\..*");
				if (!otherNamespace) {
					names.put(name, clientTable);
				}
			}
		}
		return names;
	}

	/** {@code thousandisland.ssl.bundle} is documented as {@code ssl.bundle} in the per-server table. */
	private static String shortName(String property) {
		return property.startsWith("thousandisland.") ? property.substring("thousandisland.".length()) : property;
	}

	private static List<String> declaredProperties() throws IOException {
		return declaredProperties(false);
	}

	/** The properties of the generated metadata; the renamed ones (deprecated, level error) only if asked. */
	private static List<String> declaredProperties(boolean currentOnly) throws IOException {
		try (InputStream metadata = DocumentationTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("configuration metadata generated by the build").isNotNull();
			String path = currentOnly ? "$.properties[?(!@.deprecation)].name" : "$.properties[*].name";
			return JsonPath.read(new String(metadata.readAllBytes(), StandardCharsets.UTF_8), path);
		}
	}

	private static String userDocs() throws IOException {
		return String.join("\n", userDocPages().values());
	}

	/** README.md and docs/*.md of the repository the tests run in, by path. */
	private static Map<String, String> userDocPages() throws IOException {
		Path root = Path.of("").toAbsolutePath();
		while (root != null && !isRepositoryRoot(root)) {
			root = root.getParent();
		}
		assertThat(root).as("repository root above " + Path.of("").toAbsolutePath()).isNotNull();
		Map<String, String> pages = new LinkedHashMap<>();
		pages.put("README.md", Files.readString(root.resolve("README.md")));
		try (Stream<Path> files = Files.walk(root.resolve("docs"))) {
			for (Path page : files.filter((path) -> path.toString().endsWith(".md")).sorted().toList()) {
				pages.put(root.relativize(page).toString(), Files.readString(page));
			}
		}
		return pages;
	}

	private static boolean isRepositoryRoot(Path dir) {
		return Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("mvnw"));
	}

}
