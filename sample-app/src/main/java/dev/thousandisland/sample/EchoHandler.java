package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.ByteBuffer;

import javax.net.ssl.SSLException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.Socket;

/**
 * Sends back whatever it receives (RFC 862). Over TLS (the {@code tls} profile), a client whose
 * handshake fails is refused; the refusal is logged once, with the client's address.
 */
@Component("echo")
public class EchoHandler implements Handler<Void> {

	private static final Log logger = LogFactory.getLog(EchoHandler.class);

	@Override
	public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
		socket.send(data);
		return Result.continueWith(state);
	}

	/**
	 * Runs for a failed TLS handshake as for other errors; only the handshake failure is worth a
	 * line here, since the server already logs handler exceptions and a reset needs no comment.
	 */
	@Override
	public void handleError(Throwable error, Socket socket, Void state) {
		if (error instanceof SSLException) {
			logger.info("Refused TLS connection from " + ServerInfo.format(socket.remoteAddress()) + ": "
					+ error.getMessage());
		}
	}

}
