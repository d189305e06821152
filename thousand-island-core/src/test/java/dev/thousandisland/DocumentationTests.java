package dev.thousandisland;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import dev.thousandisland.registry.Registry;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.TlsTransport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user documentation stays short where it must, its links lead somewhere, and it names every
 * option, callback, result, socket method and telemetry event of the public API.
 */
class DocumentationTests {

	private static final int README_MAX_LINES = 350;

	private final UserDocs docs = UserDocs.ofRepository();

	@Test
	void readmeFitsInThreeHundredAndFiftyLines() {
		assertThat(UserDocs.lines(this.docs.readme())).hasSizeLessThanOrEqualTo(README_MAX_LINES);
	}

	@Test
	void everyRelativeLinkLeadsToAnExistingFileAndHeading() {
		List<String> broken = new ArrayList<>();
		for (Path page : this.docs.pages()) {
			for (String link : UserDocs.relativeLinks(page)) {
				int hash = link.indexOf('#');
				String file = (hash >= 0) ? link.substring(0, hash) : link;
				String anchor = (hash >= 0) ? link.substring(hash + 1) : "";
				Path target = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
				if (!Files.exists(target)) {
					broken.add(page.getFileName() + ": " + link + " (no such file)");
				}
				else if (!anchor.isEmpty() && target.toString().endsWith(".md")
						&& !UserDocs.anchors(target).contains(anchor)) {
					broken.add(page.getFileName() + ": " + link + " (no such heading)");
				}
			}
		}
		assertThat(broken).isEmpty();
	}

	@Test
	void everyTelemetryEventIsDocumented() throws IllegalAccessException {
		List<String> events = new ArrayList<>();
		for (Field field : TelemetryEvent.class.getFields()) {
			if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
				events.add((String) field.get(null));
			}
		}
		assertThat(events).hasSizeGreaterThan(20);
		assertThat(undocumented(events)).isEmpty();
	}

	@Test
	void everyServerOptionIsDocumented() {
		List<String> options = publicMethodNames(ServerConfig.Builder.class, Set.of("build", "start"));
		// The setters are inherited from package-private classes: make sure they were found at all.
		assertThat(options).contains("handler", "port", "maxAcceptBackoff", "readTimeout", "mailboxCapacity");
		assertThat(undocumented(options)).isEmpty();
		assertThat(undocumented(publicMethodNames(TlsTransport.Builder.class, Set.of("build")))).isEmpty();
	}

	@Test
	void everyCallbackResultAndSocketMethodIsDocumented() {
		assertThat(undocumented(publicMethodNames(Handler.class, Set.of()))).isEmpty();
		assertThat(undocumented(publicMethodNames(Result.class, Set.of("state")))).isEmpty();
		assertThat(undocumented(publicMethodNames(Socket.class, Set.of()))).isEmpty();
		assertThat(undocumented(publicMethodNames(Connection.class, Set.of()))).isEmpty();
		assertThat(undocumented(publicMethodNames(Server.class, Set.of("toString")))).isEmpty();
	}

	@Test
	void everyRegistryMethodIsDocumented() {
		List<String> methods = publicMethodNames(Registry.class, Set.of());
		assertThat(methods).contains("register", "dispatch", "updateValue");
		assertThat(undocumented(methods)).isEmpty();
		assertThat(undocumented(publicMethodNames(Registry.Builder.class, Set.of()))).isEmpty();
		assertThat(undocumented(publicMethodNames(Connection.EndWatch.class, Set.of()))).isEmpty();
	}

	/**
	 * The public methods a type declares or inherits from its superclasses short of
	 * {@code Object}; the compiler's bridges to methods of package-private superclasses are
	 * synthetic and left out, the methods themselves counted once.
	 */
	private static List<String> publicMethodNames(Class<?> type, Set<String> except) {
		return Stream.<Class<?>>iterate(type, (declarer) -> declarer != null && declarer != Object.class, Class::getSuperclass)
			.flatMap((declarer) -> Arrays.stream(declarer.getDeclaredMethods()))
			.filter((method) -> Modifier.isPublic(method.getModifiers()) && !method.isSynthetic())
			.map(Method::getName)
			.filter((name) -> !except.contains(name))
			.distinct()
			.sorted()
			.toList();
	}

	/** The names that appear nowhere in the docs as code: `name`, `name(...)`, or a call `x.name(`. */
	private List<String> undocumented(List<String> names) {
		String text = this.docs.allText();
		return names.stream()
			.filter((name) -> !text.contains("`" + name + "`") && !text.contains("`" + name + "(")
					&& !text.contains("." + name + "("))
			.toList();
	}

}
