package com.example.names;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

// The README's quick start with the bean named as Spring users name beans: echoServer, the server echo-server.
@SpringBootApplication
public class NamesApplication {

	public static void main(String[] args) {
		SpringApplication.run(NamesApplication.class, args);
	}

	@Bean
	Handler<Void> echoServer() {
		return new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
	}

}
