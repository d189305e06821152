package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import dev.thousandisland.exportcheck.ExportedPackagesCheck;
import dev.thousandisland.exportcheck.ExportedPackagesCheck.Dependency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.thousandisland.exportcheck.ExportedPackagesCheck.codeSourceOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spring module uses only the packages the core's module descriptor exports. It runs on the
 * class path, where javac would let it compile against the core's internals, so this test is
 * what fails the build when it does.
 */
class CoreExportsTests {

	private final ExportedPackagesCheck check = ExportedPackagesCheck.forCore();

	@Test
	void autoConfigurationClassesUseOnlyExportedCorePackages() {
		Path classes = codeSourceOf(ThousandIslandAutoConfiguration.class);
		// Not vacuous: jdeps does see this module's uses of the core's API.
		assertThat(this.check.dependencies(classes)).contains(
				new Dependency(ThousandIslandServers.class.getName(), "dev.thousandisland.Server"));
		assertThat(this.check.violations(classes)).isEmpty();
	}

	@Test
	void testClassesUseOnlyExportedCorePackages() {
		assertThat(this.check.violations(codeSourceOf(getClass()))).isEmpty();
	}

	@Test
	void machineryPackagesAreWhatTheDescriptorLeavesOut() {
		assertThat(this.check.hiddenPackages()).contains("dev.thousandisland.internal.server",
				"dev.thousandisland.internal.connection")
			.doesNotContain("dev.thousandisland", "dev.thousandisland.transport", "dev.thousandisland.telemetry");
	}

	@Test
	void reportsAClassThatReachesIntoTheMachinery(@TempDir Path dir) throws IOException {
		Path source = Files.writeString(dir.resolve("Intruder.java"), """
				package intruder;

				import dev.thousandisland.internal.server.ServerTree;

				public class Intruder {
					public Class<?> tree() {
						return ServerTree.class;
					}
				}
				""");
		Path classes = Files.createDirectory(dir.resolve("classes"));
		JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
		int status = javac.run(null, null, null, "--release", "21", "-proc:none", "-cp",
				codeSourceOf(dev.thousandisland.Server.class).toString(), "-d", classes.toString(), source.toString());
		assertThat(status).as("javac status: on the class path the internal package is reachable").isZero();
		List<String> violations = this.check.violations(classes);
		assertThat(violations).singleElement()
			.isEqualTo("intruder.Intruder uses dev.thousandisland.internal.server.ServerTree, but "
					+ "dev.thousandisland.core does not export package dev.thousandisland.internal.server");
	}

}
