package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.springframework.stereotype.Component;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

/**
 * Sends the date and time as one line, then closes (RFC 867). The format is RFC 1123's, e.g.
 * {@code Sat, 21 Nov 2026 16:20:00 GMT}.
 */
@Component("daytime")
public class DaytimeHandler implements Handler<Void> {

	private final Clock clock = Clock.systemUTC();

	@Override
	public Result<Void> handleConnection(Socket socket, Void state) throws IOException {
		String now = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(this.clock));
		socket.send((now + "\r\n").getBytes(StandardCharsets.US_ASCII));
		return Result.close(state);
	}

}
