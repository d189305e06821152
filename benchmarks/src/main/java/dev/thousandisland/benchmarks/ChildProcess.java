package dev.thousandisland.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by the harness (a {@link BenchmarkServer} or a load generator), spoken to one line
 * at a time: commands on its standard input, answers read from its standard output with a
 * timeout. Its standard error goes to the harness's. Closing it closes its input, waits a little
 * and kills it if it has not exited by then.
 */
final class ChildProcess implements AutoCloseable {

	private static final String END = "\u0000end of output";

	private final String name;

	private final Process process;

	private final Writer input;

	private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

	private ChildProcess(String name, Process process) {
		this.name = name;
		this.process = process;
		this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
		Thread.ofPlatform().daemon().name(name + "-stdout").start(() -> {
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = out.readLine()) != null) {
					this.lines.add(line);
				}
			}
			catch (IOException ex) {
				// the process is gone
			}
			this.lines.add(END);
		});
	}

	/**
	 * Starts a JVM with the harness's own java binary and class path.
	 * @param name what to call it in messages
	 * @param jvmOptions options before the main class
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the running process
	 * @throws IOException if it cannot be started
	 */
	static ChildProcess startJava(String name, List<String> jvmOptions, Class<?> mainClass, List<String> args)
			throws IOException {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass.getName());
		command.addAll(args);
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		return new ChildProcess(name, process);
	}

	/**
	 * Waits for the next line that starts with {@code keyword}; other lines are echoed to standard
	 * error.
	 * @param keyword the first word of the expected line, or {@code null} for any line
	 * @param timeout how long to wait
	 * @return the words of the line, the keyword first
	 * @throws IOException if the process ends or the time passes first
	 * @throws InterruptedException if interrupted while waiting
	 */
	String[] expect(String keyword, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			String line = this.lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			if (line == null) {
				throw new IOException(this.name + ": no '" + keyword + "' within " + timeout);
			}
			if (line.equals(END)) {
				this.lines.add(END);
				throw new IOException(this.name + ": exited before '" + keyword + "'"
						+ (this.process.isAlive() ? "" : " (exit code " + this.process.exitValue() + ")"));
			}
			String[] words = line.trim().split(" ");
			if (keyword == null || words[0].equals(keyword)) {
				return words;
			}
			System.err.println(this.name + ": " + line);
		}
	}

	/**
	 * Sends one line to the process.
	 * @param line the command
	 * @throws IOException if the process no longer reads
	 */
	void send(String line) throws IOException {
		this.input.write(line + "\n");
		this.input.flush();
	}

	@Override
	public void close() {
		try {
			this.input.close();
		}
		catch (IOException ex) {
			// already gone
		}
		try {
			if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
				System.err.println(this.name + ": still running 20 s after its input closed, killing it");
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

}
