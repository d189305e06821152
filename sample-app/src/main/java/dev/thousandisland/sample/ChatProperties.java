package dev.thousandisland.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample's chat server. Its longest line is the line framing's
 * {@code thousandisland.servers.chat.framing.max-frame-size}.
 */
@ConfigurationProperties("sample.chat")
public class ChatProperties {

	/**
	 * Messages that may wait for a member before it counts as a slow consumer.
	 */
	private int maxPendingMessages = 1000;

	/**
	 * How long a member with too many waiting messages may take nothing from its socket before
	 * it is disconnected.
	 */
	private Duration slowConsumerTimeout = Duration.ofSeconds(5);

	public int getMaxPendingMessages() {
		return this.maxPendingMessages;
	}

	public void setMaxPendingMessages(int maxPendingMessages) {
		this.maxPendingMessages = maxPendingMessages;
	}

	public Duration getSlowConsumerTimeout() {
		return this.slowConsumerTimeout;
	}

	public void setSlowConsumerTimeout(Duration slowConsumerTimeout) {
		this.slowConsumerTimeout = slowConsumerTimeout;
	}

}
