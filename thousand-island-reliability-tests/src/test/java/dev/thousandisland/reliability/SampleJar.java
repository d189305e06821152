package dev.thousandisland.reliability;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the sample application's executable jar is: {@code sample-app/target}, as the reactor
 * packages it before this module (this module's POM passes the path as {@code sample.jar}).
 */
final class SampleJar {

	private SampleJar() {
	}

	static Path path() {
		String configured = System.getProperty("sample.jar");
		if (configured == null) {
			throw new IllegalStateException("No sample.jar system property: run these tests through Maven "
					+ "(./mvnw -pl thousand-island-reliability-tests -am verify), which sets it");
		}
		Path jar = Path.of(configured);
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("The sample application's jar " + jar + " does not exist: run a goal "
					+ "that packages it first, such as ./mvnw -pl thousand-island-reliability-tests -am verify");
		}
		return jar;
	}

}
