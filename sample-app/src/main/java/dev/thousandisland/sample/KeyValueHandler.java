package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.thousandisland.Result;
import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;

/**
 * A tiny key-value store shared by every connection, over length-prefixed frames: each request
 * and each reply is one frame, a 4-byte big-endian length and then that many bytes of UTF-8 text
 * ({@code thousandisland.servers.kv.framing.type=length-prefixed}).
 *
 * <pre>
 * SET colour blue   -&gt; OK
 * GET colour        -&gt; VALUE blue
 * GET size          -&gt; NONE
 * anything else     -&gt; ERR ...
 * </pre>
 *
 * A key is one word; a value is the rest of the frame, spaces included. A frame over the
 * framing's {@code max-frame-size} gets {@code ERR frame too large} and the connection ends.
 */
@Component("kv")
public class KeyValueHandler implements FramedHandler<Void> {

	/** Keeps one client from filling the heap with keys: a sample, not a database. */
	static final int MAX_KEYS = 10_000;

	private final Map<String, String> store = new ConcurrentHashMap<>();

	@Override
	public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws IOException {
		String[] request = StandardCharsets.UTF_8.decode(frame).toString().split(" ", 3);
		socket.sendFrame(utf8(answer(request)));
		return Result.continueWith(state);
	}

	@Override
	public void handleFrameTooLarge(FrameTooLargeException error, FramedSocket socket, Void state) throws IOException {
		socket.sendFrame(utf8("ERR frame too large (the limit is " + error.maxFrameSize() + " bytes)"));
	}

	private String answer(String[] request) {
		if (request.length == 2 && request[0].equals("GET")) {
			String value = this.store.get(request[1]);
			return (value != null) ? "VALUE " + value : "NONE";
		}
		if (request.length == 3 && request[0].equals("SET") && !request[1].isEmpty()) {
			if (this.store.size() >= MAX_KEYS && !this.store.containsKey(request[1])) {
				return "ERR the store is full (" + MAX_KEYS + " keys)";
			}
			this.store.put(request[1], request[2]);
			return "OK";
		}
		return "ERR expected GET key or SET key value";
	}

	private static ByteBuffer utf8(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

}
