package dev.thousandisland.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;

/**
 * What a benchmark server speaks. Every peer implements each protocol the same way.
 */
enum Protocol {

	/** Sends back whatever it reads; keeps the connection. */
	ECHO,

	/** Daytime-like: sends one line as soon as the connection opens, then closes it. */
	DAYTIME,

	/** Reads LF-ended lines and sends each back as a line: echo through a line framing. */
	LINE_ECHO,

	/** Reads frames with a 4-byte big-endian length header and sends each back framed the same way. */
	LENGTH_ECHO;

	/**
	 * Returns the line a daytime server sends.
	 * @return the current time and CRLF, in ASCII
	 */
	static byte[] daytimeLine() {
		return (ZonedDateTime.now() + "\r\n").getBytes(StandardCharsets.US_ASCII);
	}

}
