package dev.thousandisland;

import java.time.Duration;
import java.util.Objects;

import dev.thousandisland.transport.Transport;


/**
 * What a connection does after a callback: the Java form of Thousand Island's
 * {@code handler_result}.
 *
 * <table>
 * <caption>Results</caption>
 * <tr><th>result</th><th>effect</th></tr>
 * <tr><td>{@link #continueWith(Object)}</td><td>keep the connection, wait for data up to the
 * read timeout</td></tr>
 * <tr><td>{@link #continueWith(Object, Duration)}</td><td>the same, with a different timeout for
 * the next wait only ({@link ServerConfig#NO_TIMEOUT} disables it)</td></tr>
 * <tr><td>{@link #continueWithReadTimeout(Object, Duration)}</td><td>the same, and the timeout
 * replaces the connection's read timeout from now on (also the default of
 * {@link Socket#recv(int)})</td></tr>
 * <tr><td>{@link #switchTransport(Transport, Object)}</td><td>upgrade the live connection in place
 * (STARTTLS): run the new transport's handshake, bounded by {@code handshakeTimeout}, then carry on
 * as with {@code continueWith}; a refused or failed upgrade goes to {@link Handler#handleError}</td></tr>
 * <tr><td>{@link #close(Object)}</td><td>{@link Handler#handleClose}, then close</td></tr>
 * <tr><td>{@link #error(Throwable, Object)}</td><td>{@link Handler#handleError}, then close; the
 * timeout {@link Socket#recv} threw goes to {@link Handler#handleTimeout} instead</td></tr>
 * </table>
 *
 * @param <S> the type of the per-connection state
 */
public sealed interface Result<S> permits Result.Continue, Result.SwitchTransport, Result.Close, Result.Error {

	/**
	 * Returns the state to hand to the next callback.
	 * @return the state
	 */
	S state();

	/**
	 * Keeps the connection open with the current read timeout.
	 * @param state the state for the next callback
	 * @param <S> the state type
	 * @return the result
	 */
	static <S> Result<S> continueWith(S state) {
		return new Continue<>(state, ReadTimeout.Current.INSTANCE);
	}

	/**
	 * Keeps the connection open; the next wait for data uses {@code timeout} instead of the
	 * read timeout.
	 * @param state the state for the next callback
	 * @param timeout the timeout of the next wait only
	 * @param <S> the state type
	 * @return the result
	 */
	static <S> Result<S> continueWith(S state, Duration timeout) {
		return new Continue<>(state, new ReadTimeout.Once(timeout));
	}

	/**
	 * Keeps the connection open and makes {@code timeout} its read timeout from now on.
	 * @param state the state for the next callback
	 * @param timeout the new read timeout
	 * @param <S> the state type
	 * @return the result
	 */
	static <S> Result<S> continueWithReadTimeout(S state, Duration timeout) {
		return new Continue<>(state, new ReadTimeout.Persistent(timeout));
	}

	/**
	 * Upgrades the connection to another transport (STARTTLS), then keeps it open with the
	 * current read timeout. The handler must have read everything the client sent before asking
	 * for the upgrade; the new transport's handshake starts with the next bytes. Sends from other
	 * threads that come while the handshake runs wait for it and go out encrypted (a send that
	 * began before the callback returned goes out as plaintext: a handler that pushes from other
	 * threads pauses them before it answers the client's STARTTLS, and lets them go on from a later
	 * callback, or once {@link Connection#state()} is {@code HANDSHAKING}). Only a plain connection can be
	 * upgraded, and only to a secure transport: anything else (TLS to TLS, TLS to plain, plain
	 * to plain) is refused, as Thousand Island's {@code unsupported_upgrade}, with an
	 * {@link UnsupportedOperationException} given to {@link Handler#handleError} (stop reason
	 * {@code upgrade_failed}, as for a failed handshake).
	 * @param transport the transport to switch to, typically a
	 * {@link dev.thousandisland.transport.TlsTransport}
	 * @param state the state for the next callback
	 * @param <S> the state type
	 * @return the result
	 */
	static <S> Result<S> switchTransport(Transport transport, S state) {
		return new SwitchTransport<>(transport, state);
	}

	/**
	 * Closes the connection after {@link Handler#handleClose}.
	 * @param state the state for handleClose
	 * @param <S> the state type
	 * @return the result
	 */
	static <S> Result<S> close(S state) {
		return new Close<>(state);
	}

	/**
	 * Closes the connection after {@link Handler#handleError} (or {@link Handler#handleTimeout}
	 * when the reason is, or was caused by, the timeout {@link Socket#recv} threw; any other
	 * {@link java.net.SocketTimeoutException} is an error like the rest).
	 * @param reason why
	 * @param state the state for the callback
	 * @param <S> the state type
	 * @return the result
	 */
	static <S> Result<S> error(Throwable reason, S state) {
		return new Error<>(reason, state);
	}

	/**
	 * Keep the connection open.
	 * @param state the state for the next callback
	 * @param readTimeout how long the next wait for data may take
	 * @param <S> the state type
	 */
	record Continue<S>(S state, ReadTimeout readTimeout) implements Result<S> {

		/**
		 * Creates the result.
		 * @param state the state for the next callback
		 * @param readTimeout how long the next wait for data may take
		 */
		public Continue {
			Objects.requireNonNull(readTimeout, "readTimeout");
		}

	}

	/**
	 * Upgrade the connection to another transport, then keep it open.
	 * @param transport the transport to switch to
	 * @param state the state for the next callback
	 * @param <S> the state type
	 */
	record SwitchTransport<S>(Transport transport, S state) implements Result<S> {

		/**
		 * Creates the result.
		 * @param transport the transport to switch to
		 * @param state the state for the next callback
		 */
		public SwitchTransport {
			Objects.requireNonNull(transport, "transport");
		}

	}

	/**
	 * Close the connection cleanly.
	 * @param state the state for handleClose
	 * @param <S> the state type
	 */
	record Close<S>(S state) implements Result<S> {
	}

	/**
	 * Close the connection with an error.
	 * @param reason why
	 * @param state the state for handleError
	 * @param <S> the state type
	 */
	record Error<S>(Throwable reason, S state) implements Result<S> {

		/**
		 * Creates the result.
		 * @param reason why
		 * @param state the state for handleError
		 */
		public Error {
			Objects.requireNonNull(reason, "reason");
		}

	}

	/**
	 * How long the next wait for data may take.
	 */
	sealed interface ReadTimeout {

		/**
		 * The connection's current read timeout.
		 */
		enum Current implements ReadTimeout {

			/** The only instance. */
			INSTANCE

		}

		/**
		 * A timeout for the next wait only.
		 * @param timeout the timeout
		 */
		record Once(Duration timeout) implements ReadTimeout {

			/**
			 * Creates the timeout.
			 * @param timeout the timeout, not negative
			 */
			public Once {
				ServerConfig.requireTimeout("timeout", timeout);
			}

		}

		/**
		 * A new read timeout for this and every later wait.
		 * @param timeout the timeout
		 */
		record Persistent(Duration timeout) implements ReadTimeout {

			/**
			 * Creates the timeout.
			 * @param timeout the timeout, not negative
			 */
			public Persistent {
				ServerConfig.requireTimeout("timeout", timeout);
			}

		}

	}

}
