package dev.thousandisland.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.springframework.stereotype.Component;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

/**
 * A component-scanned handler, so its bean name is the one Spring derives from the class name:
 * {@code upperHandler}. Sends back what it receives in upper case.
 */
@Component
class UpperHandler implements Handler<Void> {

	@Override
	public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
		socket.send(StandardCharsets.UTF_8.decode(data).toString().toUpperCase().getBytes(StandardCharsets.UTF_8));
		return Result.continueWith(state);
	}

}
