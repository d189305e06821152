package dev.thousandisland.sample;

import dev.thousandisland.exportcheck.ExportedPackagesCheck;
import org.junit.jupiter.api.Test;

import static dev.thousandisland.exportcheck.ExportedPackagesCheck.codeSourceOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application and its tests use only the packages the core's module descriptor
 * exports; on the class path javac would not stop them (see {@link ExportedPackagesCheck}).
 */
class CoreExportsTests {

	private final ExportedPackagesCheck check = ExportedPackagesCheck.forCore();

	@Test
	void mainClassesUseOnlyExportedCorePackages() {
		assertThat(this.check.violations(codeSourceOf(SampleApplication.class))).isEmpty();
	}

	@Test
	void testClassesUseOnlyExportedCorePackages() {
		assertThat(this.check.violations(codeSourceOf(getClass()))).isEmpty();
	}

}
