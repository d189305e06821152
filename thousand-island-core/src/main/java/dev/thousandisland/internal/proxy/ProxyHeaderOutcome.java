package dev.thousandisland.internal.proxy;

import dev.thousandisland.proxy.ProxyHeader;

/**
 * What reading in {@code optional} mode found at the start of a connection: a header, or none (and
 * then the bytes that were read while looking, which belong to TLS or the application and must be
 * replayed to it before anything else from the socket).
 */
public sealed interface ProxyHeaderOutcome {

	/**
	 * The connection began with a valid header; the socket is positioned just after it.
	 * @param header the header
	 */
	record Present(ProxyHeader header) implements ProxyHeaderOutcome {
	}

	/**
	 * The connection did not begin with a header.
	 * @param consumed the bytes read while looking (possibly none), to be replayed in order
	 */
	record Absent(byte[] consumed) implements ProxyHeaderOutcome {

		/**
		 * Creates the outcome, copying the bytes.
		 * @param consumed the bytes read while looking
		 */
		public Absent {
			consumed = consumed.clone();
		}

		/**
		 * Returns a copy of the bytes read while looking.
		 * @return the bytes to replay
		 */
		@Override
		public byte[] consumed() {
			return this.consumed.clone();
		}

	}

}
