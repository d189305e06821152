package dev.thousandisland;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.LengthPrefixedFraming;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user docs name every method of the framing API a user calls or implements.
 */
class FramingDocumentationTests {

	private final String docs = UserDocs.ofRepository().allText();

	@Test
	void everyFramingMethodIsDocumented() {
		assertThat(undocumented(Framing.class, Set.of())).isEmpty();
		assertThat(undocumented(FramedHandler.class, Set.of())).isEmpty();
		assertThat(undocumented(FramedSocket.class, Set.of())).isEmpty();
		assertThat(undocumented(LengthPrefixedFraming.Builder.class, Set.of("build"))).isEmpty();
	}

	private List<String> undocumented(Class<?> type, Set<String> except) {
		return Arrays.stream(type.getDeclaredMethods())
			.filter((method) -> Modifier.isPublic(method.getModifiers()) && !method.isSynthetic())
			.map(Method::getName)
			.filter((name) -> !except.contains(name))
			.distinct()
			.filter((name) -> !this.docs.contains("`" + name + "`") && !this.docs.contains("`" + name + "(")
					&& !this.docs.contains("." + name + "("))
			.sorted()
			.toList();
	}

}
