package dev.thousandisland.pubsub;

/**
 * The adapter of an instance alone: there is no other instance to carry anything to.
 */
final class LocalAdapter implements PubSubAdapter {

	static final LocalAdapter INSTANCE = new LocalAdapter();

	private LocalAdapter() {
	}

	@Override
	public String kind() {
		return "local";
	}

	@Override
	public void start(String pubsubName, Inbound inbound) {
	}

	@Override
	public void subscribe(String topic) {
	}

	@Override
	public void unsubscribe(String topic) {
	}

	@Override
	public void publish(String topic, byte[] payload) {
	}

	@Override
	public boolean isConnected() {
		return true;
	}

	@Override
	public void stop() {
	}

}
