package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.springframework.stereotype.Component;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

/**
 * Sends back whatever it receives (RFC 862).
 */
@Component("echo")
public class EchoHandler implements Handler<Void> {

	@Override
	public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
		socket.send(data);
		return Result.continueWith(state);
	}

}
