package dev.thousandisland.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.time.Duration;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.telemetry.TelemetryEvent;

/**
 * The server of {@code DescriptorExhaustionTests}, run in a child JVM whose descriptor limit is
 * small ({@code ulimit -n 256}). It runs an echo server and a control server on 127.0.0.1, both on
 * port 0, and writes {@code <echo port> <control port>} to the file named by its argument. On the
 * control connection (opened before the descriptors run out, so it needs none later) it answers
 * {@code STATUS} with one line of counts and {@code EXIT} by exiting.
 *
 * <p>It always exits by itself: on {@code EXIT}, when the control connection closes, or after
 * {@link #LIFETIME} whatever happens.
 */
public final class FdLimitedServer {

	static final Duration LIFETIME = Duration.ofSeconds(60);

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private final String limit;

	private final AtomicBoolean exiting = new AtomicBoolean();

	private volatile Server echo;

	private volatile Server control;

	private FdLimitedServer(String limit) {
		this.limit = limit;
	}

	public static void main(String[] args) throws Exception {
		Thread watchdog = Thread.ofPlatform().daemon().name("fd-limited-watchdog").start(() -> {
			try {
				Thread.sleep(LIFETIME.toMillis());
			}
			catch (InterruptedException ex) {
				// Exit all the same.
			}
			System.out.println("LIFETIME over: exiting");
			Runtime.getRuntime().halt(3);
		});
		FdLimitedServer server = new FdLimitedServer(descriptorLimit());
		preload(Server.class, "dev/thousandisland/");
		preload(FdLimitedServer.class, "dev/thousandisland/reliability/FdLimitedServer");
		// Initialise logging now: the first warning about descriptors must not need one to open a file.
		System.getLogger(FdLimitedServer.class.getName())
			.log(System.Logger.Level.INFO, "Starting with descriptor limit " + server.limit);
		server.start(Path.of(args[0]));
		watchdog.join();
	}

	private void start(Path portFile) throws IOException {
		InetAddress loopback = InetAddress.getLoopbackAddress();
		this.echo = ServerConfig.builder(new Echo())
			.name("fd-limited")
			.port(0)
			.bindAddress(loopback)
			.numAcceptors(2)
			.telemetryListener((event) -> this.counts.computeIfAbsent(event.name(), (k) -> new LongAdder()).increment())
			.start();
		this.control = ServerConfig.builder(new Control())
			.name("fd-limited-control")
			.port(0)
			.bindAddress(loopback)
			.numAcceptors(1)
			.readTimeout(ServerConfig.NO_TIMEOUT)
			.start();
		Path written = portFile.resolveSibling(portFile.getFileName() + ".tmp");
		Files.writeString(written, this.echo.port() + " " + this.control.port() + "\n");
		Files.move(written, portFile, StandardCopyOption.ATOMIC_MOVE);
		System.out.println("READY echo=" + this.echo.port() + " control=" + this.control.port() + " " + status());
	}

	private String status() {
		return "emfile=" + count(TelemetryEvent.ACCEPTOR_EMFILE) + " started=" + count(TelemetryEvent.CONNECTION_START)
				+ " ended=" + (count(TelemetryEvent.CONNECTION_STOP) + count(TelemetryEvent.CONNECTION_EXCEPTION))
				+ " active=" + this.echo.activeConnections() + " fds=" + openFds() + " limit=" + this.limit;
	}

	private long count(String name) {
		LongAdder adder = this.counts.get(name);
		return (adder != null) ? adder.sum() : 0;
	}

	private void exit(String why) {
		if (!this.exiting.compareAndSet(false, true)) {
			return;
		}
		System.out.println("EXIT (" + why + ") " + status());
		System.out.flush();
		Thread.ofPlatform().start(() -> {
			this.echo.stop(Duration.ZERO);
			System.exit(0);
		});
	}

	/** Open descriptors, or -1 when none is left to list them with. */
	private static long openFds() {
		try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
			return files.count();
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** The soft limit on open files, from /proc/self/limits. */
	private static String descriptorLimit() {
		try {
			List<String> lines = Files.readAllLines(Path.of("/proc/self/limits"));
			for (String line : lines) {
				if (line.startsWith("Max open files")) {
					return line.substring("Max open files".length()).trim().split("\\s+")[0];
				}
			}
		}
		catch (IOException ex) {
			// Reported as unknown.
		}
		return "unknown";
	}

	/**
	 * Loads every class whose file name starts with {@code prefix} from where {@code anchor} was
	 * loaded (its jar or directory),
	 * so that none has to be read from disk once the descriptors have run out: a class loaded
	 * lazily then would fail with NoClassDefFoundError, which is the environment failing, not the
	 * server.
	 */
	private static void preload(Class<?> anchor, String prefix) throws IOException, URISyntaxException {
		CodeSource source = anchor.getProtectionDomain().getCodeSource();
		Path location = Path.of(source.getLocation().toURI());
		ClassLoader loader = anchor.getClassLoader();
		if (Files.isDirectory(location)) {
			try (Stream<Path> files = Files.walk(location)) {
				for (Path file : files.filter((f) -> f.toString().endsWith(".class")).toList()) {
					String name = location.relativize(file).toString().replace('\\', '/');
					if (name.startsWith(prefix)) {
						load(loader, name);
					}
				}
			}
		}
		else {
			try (JarFile jar = new JarFile(location.toFile())) {
				Enumeration<JarEntry> entries = jar.entries();
				while (entries.hasMoreElements()) {
					String name = entries.nextElement().getName();
					if (name.startsWith(prefix) && name.endsWith(".class")) {
						load(loader, name);
					}
				}
			}
		}
	}

	private static void load(ClassLoader loader, String file) {
		String name = file.substring(0, file.length() - ".class".length()).replace('/', '.').replace('\\', '.');
		try {
			Class.forName(name, false, loader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			// Nothing this process needs.
		}
	}

	/** Echoes. */
	private static final class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

	/** {@code STATUS} and {@code EXIT}, one per line. */
	private final class Control implements Handler<StringBuilder> {

		@Override
		public StringBuilder initialState() {
			return new StringBuilder();
		}

		@Override
		public Result<StringBuilder> handleData(ByteBuffer data, Socket socket, StringBuilder line) throws IOException {
			line.append(StandardCharsets.US_ASCII.decode(data));
			int end;
			while ((end = line.indexOf("\n")) >= 0) {
				String command = line.substring(0, end).trim();
				line.delete(0, end + 1);
				switch (command) {
					case "STATUS" -> socket.send((status() + "\n").getBytes(StandardCharsets.US_ASCII));
					case "EXIT" -> {
						socket.send("BYE\n".getBytes(StandardCharsets.US_ASCII));
						exit("told to");
						return Result.close(line);
					}
					default -> socket.send(("ERR " + command + "\n").getBytes(StandardCharsets.US_ASCII));
				}
			}
			return Result.continueWith(line);
		}

		@Override
		public void handleClose(Socket socket, StringBuilder line) {
			exit("control connection closed");
		}

	}

	/** Reads one status line's counts: {@code name=value} pairs. */
	static Map<String, String> parse(String line) {
		Map<String, String> values = new LinkedHashMap<>();
		for (String pair : line.trim().split("\\s+")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				values.put(pair.substring(0, equals), pair.substring(equals + 1));
			}
		}
		return values;
	}

	/** Reads a line from a stream (the test's side of the control connection). */
	static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) >= 0 && c != '\n') {
			line.append((char) c);
		}
		if (c < 0 && line.isEmpty()) {
			throw new IOException("The control connection closed");
		}
		return line.toString();
	}

}
