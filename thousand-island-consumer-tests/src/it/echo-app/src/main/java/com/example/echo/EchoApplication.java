package com.example.echo;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

// The README's Spring Boot quick start, with its package and imports.
@SpringBootApplication
public class EchoApplication {

	public static void main(String[] args) {
		SpringApplication.run(EchoApplication.class, args);
	}

	@Bean
	Handler<Void> echo() {
		return new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
	}

}
