package dev.thousandisland;

import java.util.List;
import java.util.logging.Level;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * An adapter that fails, and settings an adapter cannot carry: local delivery never depends on the
 * adapter, and what cannot work is refused when the PubSub is built.
 */
class PubSubBadAdapterTests {

	@Test
	void anAdapterThatThrowsIsLoggedAndLocalDeliveryGoesOn() throws Exception {
		ThrowingAdapter adapter = new ThrowingAdapter(false);
		TelemetryRecorder recorder = new TelemetryRecorder();
		try (PubSubAdapterTests.PubSubLogRecords log = PubSubAdapterTests.PubSubLogRecords.capture();
				PubSub pubsub = PubSub.builder()
					.adapter(adapter)
					.telemetry(new Telemetry(List.of(recorder), false))
					.build();
				PubSubTestServer server = PubSubTestServer.start(pubsub, 64);
				PubSubClient client = server.connect()) {
			assertThat(client.command("sub room")).isEqualTo("sub true");
			assertThat(pubsub.broadcast("room", "still here")).isEqualTo(1);
			assertThat(client.nextMessage()).isEqualTo("still here");
			assertThat(client.command("unsub room")).isEqualTo("unsub true");
			assertThat(recorder.named(TelemetryEvent.PUBSUB_BROADCAST)).singleElement()
				.satisfies((event) -> assertThat(event.measurement("published")).isZero());
			assertThat(recorder.named(TelemetryEvent.PUBSUB_DROP)).singleElement().satisfies((event) -> {
				assertThat(event.metadata()).containsEntry("reason", "publish_failed").containsEntry("topic", "room");
				assertThat(event.measurement("count")).isEqualTo(1);
			});
			// subscribe, publish, unsubscribe: three failures, the 1st logged with its stack trace.
			assertThat(log.records()).singleElement().satisfies((record) -> {
				assertThat(record.getLevel()).isEqualTo(Level.WARNING);
				assertThat(record.getMessage()).contains("subscribe").contains("'room'");
				assertThat(record.getThrown()).hasMessage("broken subscribe");
			});
		}
	}

	@Test
	void anAdapterThatCannotStartFailsTheBuildAndEndsTheSpan() {
		TelemetryRecorder recorder = new TelemetryRecorder();
		assertThatIllegalStateException()
			.isThrownBy(() -> PubSub.builder()
				.adapter(new ThrowingAdapter(true))
				.telemetry(new Telemetry(List.of(recorder), false))
				.build())
			.withMessage("broken start");
		assertThat(recorder.events()).extracting(TelemetryEvent::name)
			.containsExactly(TelemetryEvent.PUBSUB_START, TelemetryEvent.PUBSUB_STOP);
	}

	@Test
	void aNodeNameTooLongForTheEnvelopeIsRefusedAtBuild() {
		ThrowingAdapter adapter = new ThrowingAdapter(false);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> PubSub.builder().nodeName("é".repeat(128)).adapter(adapter).build())
			.withMessageContaining("nodeName is 256 bytes long in UTF-8")
			.withMessageContaining("255");
		assertThat(adapter.started).isFalse();
		try (PubSub pubsub = PubSub.builder().nodeName("é".repeat(127)).build()) {
			assertThat(pubsub.nodeName()).hasSize(127);
		}
	}

	/** An adapter whose every call throws, as a broken one would. */
	private static final class ThrowingAdapter implements PubSubAdapter {

		private final boolean failStart;

		volatile boolean started;

		ThrowingAdapter(boolean failStart) {
			this.failStart = failStart;
		}

		@Override
		public String kind() {
			return "broken";
		}

		@Override
		public void start(String pubsubName, Inbound inbound) {
			if (this.failStart) {
				throw new IllegalStateException("broken start");
			}
			this.started = true;
		}

		@Override
		public void subscribe(String topic) {
			throw new IllegalStateException("broken subscribe");
		}

		@Override
		public void unsubscribe(String topic) {
			throw new IllegalStateException("broken unsubscribe");
		}

		@Override
		public void publish(String topic, byte[] payload) {
			throw new IllegalStateException("broken publish");
		}

		@Override
		public boolean isConnected() {
			return false;
		}

		@Override
		public void stop() {
			throw new IllegalStateException("broken stop");
		}

	}

}
