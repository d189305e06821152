package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.thousandisland.transport.ServerNameRefusedException.Reason;

/**
 * The fatal alert that tells a client why its ClientHello was refused before any engine existed
 * (so the engine cannot send it): a plaintext alert record, as any TLS server sends before its
 * ServerHello. Sent once, without waiting: on a fresh connection the socket's send buffer is empty,
 * and a client that does not read it is closed anyway.
 */
final class RefusalAlert {

	private static final byte ALERT_RECORD = 21;

	private static final byte FATAL = 2;

	private static final byte DECODE_ERROR = 50;

	private static final byte ILLEGAL_PARAMETER = 47;

	private static final byte UNRECOGNIZED_NAME = 112;

	private RefusalAlert() {
	}

	/**
	 * The alert description for a reason, as RFC 8446 (section 6.2) and RFC 6066 (section 3) assign them.
	 * @return the description byte
	 */
	static byte description(Reason reason) {
		return switch (reason) {
			case MALFORMED -> DECODE_ERROR;
			case UNKNOWN_NAME -> UNRECOGNIZED_NAME;
			case REPEATED, SEVERAL_NAMES, INVALID_HOST_NAME, MISMATCH -> ILLEGAL_PARAMETER;
		};
	}

	/** Writes the alert for {@code reason}, if the socket takes it at once; never throws. */
	static void send(SocketChannel socket, Reason reason) {
		// Record version 3.3 (TLS 1.2), as TLS 1.3 also writes its records.
		ByteBuffer alert = ByteBuffer.wrap(new byte[] { ALERT_RECORD, 3, 3, 0, 2, FATAL, description(reason) });
		try {
			socket.write(alert);
		}
		catch (IOException ex) {
			// The client is gone; the refusal stands without its alert.
		}
	}

}
