package dev.thousandisland;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.telemetry.TelemetryListener;


/** Records every telemetry event a server emits, for assertions. */
final class TelemetryRecorder implements TelemetryListener {

	private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

	@Override
	public void onEvent(TelemetryEvent event) {
		this.events.add(event);
	}

	List<TelemetryEvent> events() {
		return List.copyOf(this.events);
	}

	List<TelemetryEvent> named(String name) {
		return this.events.stream().filter((event) -> event.name().equals(name)).toList();
	}

	long count(String name) {
		return named(name).size();
	}

	void clear() {
		this.events.clear();
	}

}
