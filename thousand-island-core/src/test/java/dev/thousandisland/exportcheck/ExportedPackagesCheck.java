package dev.thousandisland.exportcheck;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

import dev.thousandisland.Server;

/**
 * Finds the classes of a consuming module that depend on a package of the core that its module
 * descriptor does not export. The Spring module, the test support module and the sample run on the
 * class path, where javac lets them compile against {@code dev.thousandisland.internal.*}; on the
 * module path the same code would fail to link. Their tests run this check over their compiled
 * classes so that the build fails instead.
 *
 * <p>The exported packages come from the core's own descriptor, read with {@link ModuleFinder}
 * from wherever {@link Server} was loaded (the core's classes directory or jar), so the check
 * follows {@code module-info.java} without a second list to keep in step. The dependencies come
 * from the JDK's {@code jdeps -verbose:class}, which reads the class files: every constant-pool
 * reference counts, not only imports. Shipped to the consuming modules in the core's test jar.
 */
public final class ExportedPackagesCheck {

	private static final String PROJECT_PREFIX = "dev.thousandisland.";

	private final String moduleName;

	private final Set<String> hiddenPackages;

	private ExportedPackagesCheck(ModuleDescriptor core) {
		this.moduleName = core.name();
		Set<String> exported = core.exports()
			.stream()
			.filter((exports) -> !exports.isQualified())
			.map(Exports::source)
			.collect(Collectors.toSet());
		this.hiddenPackages = core.packages()
			.stream()
			.filter((name) -> !exported.contains(name))
			.collect(Collectors.toUnmodifiableSet());
	}

	/**
	 * Creates a check against the core module on this class path.
	 * @return the check
	 * @throws IllegalStateException if the core's classes carry no module descriptor
	 */
	public static ExportedPackagesCheck forCore() {
		Path location = codeSourceOf(Server.class);
		ModuleReference core = ModuleFinder.of(location)
			.findAll()
			.stream()
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No module descriptor in " + location));
		return new ExportedPackagesCheck(core.descriptor());
	}

	/**
	 * Returns the directory or jar a class was loaded from.
	 * @param type a class of the module to locate
	 * @return the class's code source
	 */
	public static Path codeSourceOf(Class<?> type) {
		try {
			return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException("Cannot locate the classes of " + type.getName(), ex);
		}
	}

	/**
	 * Returns the core's packages that its descriptor does not export to everyone.
	 * @return package names
	 */
	public Set<String> hiddenPackages() {
		return this.hiddenPackages;
	}

	/**
	 * Returns every dependency of the given classes on a package the core does not export, each
	 * described in a sentence that names the class, the dependency and its package.
	 * @param classes a directory of compiled classes, or a jar; a missing directory has none
	 * @return the violations, in jdeps' order; empty when the classes keep to the exported API
	 */
	public List<String> violations(Path classes) {
		return dependencies(classes).stream()
			.filter((dependency) -> this.hiddenPackages.contains(dependency.packageName()))
			.map((dependency) -> dependency.consumer() + " uses " + dependency.target() + ", but " + this.moduleName
					+ " does not export package " + dependency.packageName())
			.toList();
	}

	/**
	 * Returns every dependency of the given classes on a class in a {@code dev.thousandisland}
	 * package, exported or not, as jdeps reports them.
	 * @param classes a directory of compiled classes, or a jar; a missing directory has none
	 * @return the dependencies, in jdeps' order
	 */
	public List<Dependency> dependencies(Path classes) {
		if (!Files.exists(classes)) {
			return List.of();
		}
		List<Dependency> dependencies = new ArrayList<>();
		for (String line : jdeps(classes).lines().toList()) {
			// "   a.b.Consumer   -> dev.thousandisland.internal.x.Machinery   not found"
			String[] columns = line.trim().split("\\s+");
			if (columns.length >= 3 && columns[1].equals("->") && columns[2].startsWith(PROJECT_PREFIX)) {
				dependencies.add(new Dependency(columns[0], columns[2]));
			}
		}
		return dependencies;
	}

	private static String jdeps(Path classes) {
		ToolProvider jdeps = ToolProvider.findFirst("jdeps")
			.orElseThrow(() -> new IllegalStateException("The tests must run on a JDK: jdeps is missing"));
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		// Only dependencies on this project's packages are of interest; the filter keeps the
		// output to those instead of every JDK and Spring class the consumer touches.
		int status = jdeps.run(new PrintWriter(out, true), new PrintWriter(err, true), "-verbose:class", "-e",
				PROJECT_PREFIX.replace(".", "\\.") + ".*", classes.toString());
		if (status != 0) {
			throw new IllegalStateException("jdeps failed on " + classes + " (status " + status + "): " + err + out);
		}
		return out.toString();
	}

	/**
	 * One class's dependency on another, as jdeps found it in the class file.
	 *
	 * @param consumer the class that has the dependency
	 * @param target the class it depends on
	 */
	public record Dependency(String consumer, String target) {

		/**
		 * Returns the package of the class depended on.
		 * @return a package name
		 */
		public String packageName() {
			return this.target.substring(0, this.target.lastIndexOf('.'));
		}

	}

}
