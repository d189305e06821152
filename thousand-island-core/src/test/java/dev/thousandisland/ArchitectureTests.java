package dev.thousandisland;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the layout the way docs/architecture.md draws it: the module exports the API and nothing
 * else, imports run down the layers and never back, no class grows past what a reader takes in one
 * sitting, and no package is a grab-bag.
 *
 * <p>Dependencies are read from the compiled classes with the JDK's {@code jdeps}, so a fully
 * qualified name in code counts as much as an import, and a name only mentioned in Javadoc does not.
 */
class ArchitectureTests {

	private static final Path CLASSES = Path.of("target", "classes");

	private static final int MAX_LINES = 400;

	/** The source trees held to the size rule: the core and the Spring modules users depend on. */
	private static final List<Path> SIZED_SOURCES = List.of(Path.of("src", "main", "java"),
			Path.of("..", "thousand-island-spring-boot-autoconfigure", "src", "main", "java"),
			Path.of("..", "thousand-island-spring-boot-test", "src", "main", "java"));

	/** The exported packages: what users may use. */
	private static final Set<String> API_PACKAGES = Set.of("dev.thousandisland", "dev.thousandisland.transport",
			"dev.thousandisland.telemetry", "dev.thousandisland.framing", "dev.thousandisland.proxy",
			"dev.thousandisland.client", "dev.thousandisland.registry", "dev.thousandisland.pubsub");

	/** The classes users start a server with: they may reach the machinery that runs it. */
	private static final Set<String> FRONT_DOOR = Set.of("dev.thousandisland.Server",
			"dev.thousandisland.ThousandIsland");

	/**
	 * The layers, top first; a class may depend on its own layer and the ones below. Framing is a
	 * handler built on the public API alone. The client (its public facade and its machinery, one
	 * layer, as a client is one object with its thread) sits on top: it reuses framings, transports
	 * and telemetry, and nothing of the server reaches it. PubSub and the registry (each its API
	 * and its machinery) stand on the public {@code Connection} alone, PubSub possibly on the
	 * registry, and nothing below knows them: a connection's end reaches them through
	 * {@code Connection.onEnd}. The machinery sits between the front door
	 * and the API contracts it calls (handler, result, socket, configuration); transports, the PROXY
	 * protocol reader and telemetry are at the bottom and know nothing of connections.
	 */
	private static final List<Set<String>> LAYERS = List.of(Set.of("front door"),
			Set.of("dev.thousandisland.client", "dev.thousandisland.internal.client"),
			Set.of("dev.thousandisland.pubsub", "dev.thousandisland.internal.pubsub"),
			Set.of("dev.thousandisland.registry", "dev.thousandisland.internal.registry"),
			Set.of("dev.thousandisland.framing"), Set.of("dev.thousandisland.internal.server"),
			Set.of("dev.thousandisland.internal.listener"), Set.of("dev.thousandisland.internal.connection"),
			Set.of("dev.thousandisland"),
			Set.of("dev.thousandisland.transport", "dev.thousandisland.internal.channel",
					"dev.thousandisland.proxy", "dev.thousandisland.internal.proxy"),
			Set.of("dev.thousandisland.telemetry"), Set.of("dev.thousandisland.internal.telemetry"));

	/**
	 * The upward dependencies allowed, each for a reason: the builder's {@code start()} is a
	 * shortcut through the front door (and returns the {@code Server} it opens), a transport
	 * rejects a bad option with the same exception the configuration uses, and the machinery
	 * tells a framing's refusal of the client's bytes from a handler's own error result, to log
	 * the first as the client's doing (DEBUG, no stack trace) and not as the application's.
	 */
	private static final Map<String, Set<String>> ALLOWED = Map.of(
			"dev.thousandisland.ServerConfig$Builder", FRONT_DOOR,
			"dev.thousandisland.internal.connection.CallbackPass", Set.of("dev.thousandisland.framing.FramingException"),
			"dev.thousandisland.internal.connection.PeerErrors", Set.of("dev.thousandisland.framing.FramingException",
					"dev.thousandisland.framing.FrameTooLargeException"),
			"dev.thousandisland.transport.TlsTransport", Set.of("dev.thousandisland.InvalidOptionException"),
			"dev.thousandisland.transport.TlsTransport$Builder", Set.of("dev.thousandisland.InvalidOptionException"),
			"dev.thousandisland.transport.ServerNameContexts", Set.of("dev.thousandisland.InvalidOptionException"));

	@Test
	void theModuleExportsTheApiPackagesAndNothingElse() throws IOException {
		ModuleDescriptor descriptor;
		try (var in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
			descriptor = ModuleDescriptor.read(in);
		}
		assertThat(descriptor.exports()).allSatisfy((exports) -> assertThat(exports.isQualified()).isFalse());
		assertThat(descriptor.exports().stream().map(Exports::source)).containsExactlyInAnyOrderElementsOf(API_PACKAGES);
		assertThat(descriptor.packages()).filteredOn((name) -> !API_PACKAGES.contains(name))
			.allSatisfy((name) -> assertThat(name).startsWith("dev.thousandisland.internal."));
	}

	@Test
	void dependenciesRunDownTheLayersAndNeverBack() throws Exception {
		List<String> upward = new ArrayList<>();
		for (String[] edge : classDependencies()) {
			String from = edge[0];
			String to = edge[1];
			if (layer(to) < layer(from) && !ALLOWED.getOrDefault(from, Set.of()).contains(to)) {
				upward.add(from + " -> " + to);
			}
		}
		assertThat(upward).as("dependencies against the layering").isEmpty();
	}

	/**
	 * The client's API may use its machinery ({@code ClientConnection} runs on {@code ClientLoop})
	 * but the machinery never names an API class that uses it back: it gets what it needs of its
	 * owner through an internal type the API passes in, as the server's machinery never names
	 * {@code Server}. Two classes that name each other across the line are one class split in two.
	 * (The registry's {@code Registry.builder()} building the class that implements {@code Registry}
	 * is an interface and its implementation, not such a pair, so only the client is held to this.)
	 */
	@Test
	void theClientMachineryNeverDependsOnTheApiClassesThatUseIt() throws Exception {
		Set<String> edges = new TreeSet<>();
		for (String[] edge : classDependencies()) {
			edges.add(outer(edge[0]) + " -> " + outer(edge[1]));
		}
		List<String> mutual = new ArrayList<>();
		for (String edge : edges) {
			String[] ends = edge.split(" -> ");
			if (packageOf(ends[0]).equals("dev.thousandisland.client")
					&& packageOf(ends[1]).equals("dev.thousandisland.internal.client")
					&& edges.contains(ends[1] + " -> " + ends[0])) {
				mutual.add(ends[0] + " <-> " + ends[1]);
			}
		}
		assertThat(mutual).as("client API and machinery classes that depend on each other").isEmpty();
	}

	@Test
	void everyClassIsInAKnownLayer() throws Exception {
		Set<String> unplaced = new TreeSet<>();
		for (String[] edge : classDependencies()) {
			for (String name : edge) {
				if (layer(name) < 0) {
					unplaced.add(name);
				}
			}
		}
		assertThat(unplaced).as("classes in no layer: add their package to LAYERS").isEmpty();
	}

	@Test
	void noSourceFileIsLongerThan400Lines() throws IOException {
		List<String> tooLong = new ArrayList<>();
		for (Path root : SIZED_SOURCES) {
			assertThat(root).isDirectory();
			try (Stream<Path> files = Files.walk(root)) {
				for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
					long lines = Files.readAllLines(file, StandardCharsets.UTF_8).size();
					if (lines > MAX_LINES) {
						tooLong.add(file + ": " + lines + " lines");
					}
				}
			}
		}
		assertThat(tooLong).isEmpty();
	}

	@Test
	void noPackageIsAGrabBag() throws IOException {
		for (Path root : SIZED_SOURCES) {
			try (Stream<Path> dirs = Files.walk(root)) {
				assertThat(dirs.filter(Files::isDirectory).map((dir) -> dir.getFileName().toString()))
					.doesNotContain("util", "utils", "common", "helpers", "misc");
			}
		}
	}

	private static int layer(String className) {
		String outer = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
		if (FRONT_DOOR.contains(outer)) {
			return 0;
		}
		String pkg = outer.substring(0, outer.lastIndexOf('.'));
		for (int i = 0; i < LAYERS.size(); i++) {
			if (LAYERS.get(i).contains(pkg)) {
				return i;
			}
		}
		return -1;
	}

	private static String outer(String className) {
		return className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
	}

	private static String packageOf(String className) {
		return className.substring(0, className.lastIndexOf('.'));
	}

	/** Every class-to-class dependency inside the module, from {@code jdeps -verbose:class}. */
	private static List<String[]> classDependencies() throws IOException, InterruptedException {
		Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
		Process process = new ProcessBuilder(jdeps.toString(), "-verbose:class", "-filter:none", "-e",
				"dev\\.thousandisland\\..*", CLASSES.toString())
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		List<String[]> edges = output.lines()
			.map(String::trim)
			.map((line) -> line.split("\\s+"))
			.filter((fields) -> fields.length >= 3 && fields[1].equals("->"))
			.filter((fields) -> fields[0].startsWith("dev.thousandisland.") && fields[2].startsWith("dev.thousandisland."))
			.map((fields) -> new String[] { fields[0], fields[2] })
			.collect(Collectors.toList());
		// A parser that matched nothing would make every check above pass: the core has hundreds.
		assertThat(edges).hasSizeGreaterThan(100);
		return edges;
	}

}
