package dev.thousandisland.test;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which test classes get random ports, and how that divides the context cache.
 */
class ThousandIslandTestContextCustomizerFactoryTests {

	private final ThousandIslandTestContextCustomizerFactory factory = new ThousandIslandTestContextCustomizerFactory();

	@Test
	void onlyAnnotatedTestClassesGetRandomPortsAndTheyShareOneCustomizer() {
		assertThat(this.factory.createContextCustomizer(Annotated.class, List.of()))
			.isEqualTo(this.factory.createContextCustomizer(MetaAnnotated.class, List.of()))
			.isEqualTo(new ThousandIslandTestContextCustomizer(true))
			.isNotEqualTo(this.factory.createContextCustomizer(Plain.class, List.of()));
		assertThat(this.factory.createContextCustomizer(Annotated.Nested.class, List.of()))
			.isEqualTo(new ThousandIslandTestContextCustomizer(true));
		assertThat(this.factory.createContextCustomizer(Plain.class, List.of()))
			.isEqualTo(new ThousandIslandTestContextCustomizer(false));
	}

	@RandomThousandIslandPorts
	static class Annotated {

		@org.junit.jupiter.api.Nested
		class Nested {

		}

	}

	@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
	@RandomThousandIslandPorts
	@interface MyTest {

	}

	@MyTest
	static class MetaAnnotated {

	}

	static class Plain {

	}

}
