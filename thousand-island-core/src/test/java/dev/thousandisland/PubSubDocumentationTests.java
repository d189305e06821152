package dev.thousandisland;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;
import dev.thousandisland.pubsub.PubSubBuilder;
import dev.thousandisland.pubsub.PubSubCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user docs name every method of the PubSub API a user calls or an adapter implements, and
 * every slow-subscriber policy.
 */
class PubSubDocumentationTests {

	private final String docs = UserDocs.ofRepository().allText();

	@Test
	void everyPubSubMethodIsDocumented() {
		assertThat(undocumented(PubSub.class, Set.of())).isEmpty();
		assertThat(undocumented(PubSubBuilder.class, Set.of("build"))).isEmpty();
		assertThat(undocumented(PubSubAdapter.class, Set.of())).isEmpty();
		assertThat(undocumented(PubSubAdapter.Inbound.class, Set.of())).isEmpty();
		assertThat(undocumented(PubSubCodec.class, Set.of())).isEmpty();
	}

	@Test
	void everySlowSubscriberPolicyIsDocumented() {
		assertThat(Arrays.stream(PubSub.SlowSubscriberPolicy.values()).map(Enum::name))
			.allSatisfy((policy) -> assertThat(this.docs).contains("`" + policy + "`"));
	}

	private List<String> undocumented(Class<?> type, Set<String> except) {
		List<String> methods = Arrays.stream(type.getDeclaredMethods())
			.filter((method) -> Modifier.isPublic(method.getModifiers()) && !method.isSynthetic())
			.map(Method::getName)
			.filter((name) -> !except.contains(name))
			.distinct()
			.toList();
		// A reflection that found nothing would make the check pass: every type here has methods.
		assertThat(methods).as("public methods of %s", type.getSimpleName()).isNotEmpty();
		return methods.stream()
			.filter((name) -> !this.docs.contains("`" + name + "`") && !this.docs.contains("`" + name + "(")
					&& !this.docs.contains("." + name + "("))
			.sorted()
			.toList();
	}

}
