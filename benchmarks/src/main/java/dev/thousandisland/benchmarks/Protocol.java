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
	DAYTIME;

	/**
	 * Returns the line a daytime server sends.
	 * @return the current time and CRLF, in ASCII
	 */
	static byte[] daytimeLine() {
		return (ZonedDateTime.now() + "\r\n").getBytes(StandardCharsets.US_ASCII);
	}

}
