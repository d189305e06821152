package dev.thousandisland;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.thousandisland.framing.Framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the log says when clients send what the server refuses, over real sockets: a hostile
 * client that opens connection after connection must not be able to flood the log with warnings
 * and stack traces.
 */
class PeerErrorLogTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int CLIENTS = 25;

	private static final Pattern PEER = Pattern.compile("from 127\\.0\\.0\\.1:(\\d+) ended by the client's error");

	private final Logger framework = Logger.getLogger("dev.thousandisland");

	private final List<LogRecord> records = new CopyOnWriteArrayList<>();

	private final Handler capture = new Handler() {

		@Override
		public void publish(LogRecord record) {
			PeerErrorLogTests.this.records.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	private Level level;

	private final List<Server> servers = new ArrayList<>();

	@BeforeEach
	void captureTheFrameworksLog() {
		this.level = this.framework.getLevel();
		this.framework.setLevel(Level.FINE);
		this.capture.setLevel(Level.ALL);
		this.framework.addHandler(this.capture);
	}

	@AfterEach
	void stop() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
		this.framework.removeHandler(this.capture);
		this.framework.setLevel(this.level);
	}

	@Test
	void framesOverTheMaximumAreLoggedAtDebugWithThePeerAndSummedUpOnceAtInfo() throws Exception {
		Server server = start(ServerConfig.builder(Framing.line().withMaxFrameSize(16).handler(new RecordingFramedHandler(true)))
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress()));
		sendOversizedLines(server);
		List<LogRecord> debug = await().atMost(WAIT).until(() -> fine(), (lines) -> lines.size() == CLIENTS);
		assertThat(debug).allSatisfy((record) -> assertThat(record.getMessage()).contains("Server '" + server.config().name()
				+ "'", "(frame_too_large)", "over the maximum frame size of 16 bytes"));
		assertThat(debug.stream().map((record) -> {
			Matcher matcher = PEER.matcher(record.getMessage());
			assertThat(matcher.find()).as(record.getMessage()).isTrue();
			return matcher.group(1);
		}).distinct()).hasSize(CLIENTS);
		assertThat(this.records).as("warnings").noneMatch((record) -> record.getLevel().intValue() >= Level.WARNING.intValue());
		assertThat(this.records).as("stack traces").allMatch((record) -> record.getThrown() == null);
		assertThat(summaries()).singleElement().satisfies((summary) -> assertThat(summary)
			.contains("frame_too_large 1", "raise Framing.withMaxFrameSize", "At most one")
			.doesNotContain("127.0.0.1"));
	}

	@Test
	void theSummaryNamesTheOptionAsTheFrameworkThatSetItDoes() throws Exception {
		Server server = start(ServerConfig.builder(Framing.line().withMaxFrameSize(16).handler(new RecordingFramedHandler(true)))
			.name("shout")
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.optionNames((option) -> option.equals("maxFrameSize")
					? "thousandisland.servers.shout.framing.max-frame-size" : null));
		sendOversizedLines(server);
		await().atMost(WAIT).until(() -> fine().size() == CLIENTS);
		assertThat(summaries()).singleElement().satisfies((summary) -> assertThat(summary)
			.contains("raise thousandisland.servers.shout.framing.max-frame-size").doesNotContain("withMaxFrameSize"));
	}

	private void sendOversizedLines(Server server) throws Exception {
		for (int i = 0; i < CLIENTS; i++) {
			try (TestClient client = TestClient.connect(server)) {
				client.send("x".repeat(64) + "\n");
				assertThat(client.read("ERR too large\n".length())).isEqualTo("ERR too large\n");
				assertThat(client.isClosedByServer(WAIT)).isTrue();
			}
		}
	}

	private List<LogRecord> fine() {
		return this.records.stream().filter((record) -> record.getLevel() == Level.FINE).toList();
	}

	private List<String> summaries() {
		return this.records.stream()
			.filter((record) -> record.getLevel() == Level.INFO && record.getMessage().contains("ended by errors of their clients"))
			.map(LogRecord::getMessage)
			.toList();
	}

	private Server start(ServerConfig.Builder builder) throws Exception {
		Server server = builder.start();
		this.servers.add(server);
		return server;
	}

}
