package dev.thousandisland.autoconfigure;

import java.nio.ByteBuffer;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

/**
 * Sends every byte it receives straight back.
 */
class EchoHandler implements Handler<Void> {

	@Override
	public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
		socket.send(data);
		return Result.continueWith(state);
	}

}
