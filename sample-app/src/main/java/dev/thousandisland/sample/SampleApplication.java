package dev.thousandisland.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Four socket servers in one Spring Boot application: echo (port 4000), daytime (4013), a
 * line-based chat (4040) and a length-prefixed key-value store (4050), with health, the
 * thousandisland endpoint and Prometheus on the management port (9090). Every Handler and
 * FramedHandler bean becomes a server named after the bean.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
