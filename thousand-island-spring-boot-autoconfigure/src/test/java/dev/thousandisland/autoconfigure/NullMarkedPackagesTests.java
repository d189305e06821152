package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every package of the module declares its classes null-marked, so that only what is
 * {@code @Nullable} may be null.
 */
class NullMarkedPackagesTests {

	@Test
	void everyPackageIsNullMarked() throws IOException, URISyntaxException {
		Path classes = Path.of(ThousandIslandAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<String> packages;
		try (Stream<Path> files = Files.walk(classes)) {
			packages = files.filter((file) -> file.toString().endsWith(".class"))
				.map((file) -> classes.relativize(file.getParent()).toString().replace(file.getFileSystem().getSeparator(), "."))
				.distinct()
				.toList();
		}
		assertThat(packages).contains("dev.thousandisland.autoconfigure").allSatisfy((name) -> assertThat(packageOf(name).isAnnotationPresent(NullMarked.class))
			.as(name)
			.isTrue());
	}

	private static Package packageOf(String name) {
		try {
			return Class.forName(name + ".package-info").getPackage();
		}
		catch (ClassNotFoundException ex) {
			throw new AssertionError("No package-info.java in " + name, ex);
		}
	}

}
