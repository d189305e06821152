package dev.thousandisland.reliability;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One instance of an application in a JVM of its own, on fixed loopback ports (so that HAProxy's
 * configuration names it across restarts): its Thousand Island port and its HTTP port (Actuator).
 * The application is {@link RollingRestartApp} on the test's own classpath, or the sample
 * application's jar ({@link #sample}). Every run of the instance appends to one log file.
 */
final class AppInstance {

	private static final Pattern DRAIN_BEGAN = Pattern
		.compile("Commencing graceful shutdown of Thousand Island servers .* with (\\d+) connection\\(s\\) open");

	private static final Pattern DRAIN_ENDED = Pattern
		.compile("Graceful shutdown of Thousand Island servers complete in (\\d+) ms");

	final String name;

	final int port;

	final int httpPort;

	private final Path log;

	private final List<String> launch;

	private Process process;

	AppInstance(String name, int port, int httpPort, Path directory, List<String> properties) {
		this(concat(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
				RollingRestartApp.class.getName(), "--instance.name=" + name, "--server.address=127.0.0.1",
				"--server.port=" + httpPort, "--thousandisland.address=127.0.0.1", "--thousandisland.port=" + port),
				properties), name, port, httpPort, directory);
	}

	private AppInstance(List<String> launch, String name, int port, int httpPort, Path directory) {
		this.name = name;
		this.port = port;
		this.httpPort = httpPort;
		this.log = directory.resolve("instance-" + name + ".log");
		this.launch = List.copyOf(launch);
	}

	/**
	 * An instance of the sample application, run from its jar (built by the reactor before this
	 * module: see this module's POM), its chat server on {@code port}; its other servers on ports
	 * the system picks.
	 * @param jvmOptions options of the JVM, such as its heap
	 * @param properties the application's settings besides its ports
	 */
	static AppInstance sample(String name, int port, int httpPort, Path directory, List<String> jvmOptions,
			List<String> properties) {
		List<String> launch = new ArrayList<>(jvmOptions);
		launch.addAll(List.of("-jar", SampleJar.path().toString(), "--spring.main.banner-mode=off",
				"--server.address=127.0.0.1", "--server.port=" + httpPort, "--thousandisland.address=127.0.0.1",
				"--thousandisland.servers.chat.port=" + port, "--thousandisland.servers.echo.port=0",
				"--thousandisland.servers.daytime.port=0", "--thousandisland.servers.kv.port=0"));
		launch.addAll(properties);
		return new AppInstance(launch, name, port, httpPort, directory);
	}

	private static List<String> concat(List<String> first, List<String> second) {
		List<String> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	/** Starts the instance's JVM. */
	void start() throws IOException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
		command.addAll(this.launch);
		this.process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(Redirect.appendTo(this.log.toFile()))
			.start();
	}

	/** The running JVM's process id, for jcmd. */
	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	/**
	 * Sends SIGTERM ({@link Process#destroy()} on Linux) and waits for the JVM to exit: Spring's
	 * shutdown hook closes the context, which drains the server.
	 * @return the time from the signal to the exit, and the exit code
	 */
	Stopped terminate(Duration wait) throws InterruptedException {
		long signalled = System.nanoTime();
		this.process.destroy();
		if (!this.process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			throw new AssertionError("instance " + this.name + " did not exit within " + wait + " of SIGTERM; log:\n"
					+ logText());
		}
		return new Stopped(Duration.ofNanos(System.nanoTime() - signalled), this.process.exitValue());
	}

	/** Kills what is left at the end of a test (nothing, when it passed). */
	void kill() throws InterruptedException {
		if (isAlive()) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	/** Connections open when the last drain began, from the starter's log line; -1 if not logged. */
	long lastDrainOpenConnections() {
		return last(DRAIN_BEGAN);
	}

	/** How long the starter's last drain took, from its log line; -1 if not logged. */
	long lastDrainMillis() {
		return last(DRAIN_ENDED);
	}

	private long last(Pattern pattern) {
		Matcher matcher = pattern.matcher(logText());
		long value = -1;
		while (matcher.find()) {
			value = Long.parseLong(matcher.group(1));
		}
		return value;
	}

	String logText() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	/** How a run of the instance ended. */
	record Stopped(Duration drain, int exitCode) {
	}

}
