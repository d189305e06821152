package dev.thousandisland.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the sample's chat server.
 */
@ConfigurationProperties("sample.chat")
public class ChatProperties {

	/**
	 * Longest line a client may send; a longer one gets an error and the connection is closed.
	 */
	private DataSize maxLineLength = DataSize.ofKilobytes(4);

	/**
	 * Messages that may wait for a member before it counts as a slow consumer.
	 */
	private int maxPendingMessages = 1000;

	/**
	 * How long a member with too many waiting messages may take nothing from its socket before
	 * it is disconnected.
	 */
	private Duration slowConsumerTimeout = Duration.ofSeconds(5);

	public DataSize getMaxLineLength() {
		return this.maxLineLength;
	}

	public void setMaxLineLength(DataSize maxLineLength) {
		this.maxLineLength = maxLineLength;
	}

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
