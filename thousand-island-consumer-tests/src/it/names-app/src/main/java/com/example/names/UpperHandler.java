package com.example.names;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.springframework.stereotype.Component;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

// A component-scanned handler: the bean upperHandler, the server upper-handler.
@Component
class UpperHandler implements Handler<Void> {

	@Override
	public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
		String text = StandardCharsets.UTF_8.decode(data).toString();
		socket.send(text.toUpperCase().getBytes(StandardCharsets.UTF_8));
		return Result.continueWith(state);
	}

}
