package dev.thousandisland.autoconfigure.metrics;

import java.nio.ByteBuffer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;
import dev.thousandisland.autoconfigure.ThousandIslandServerCustomizer;
import dev.thousandisland.transport.Transport;

/**
 * An application with one Thousand Island server per metrics scenario, so that each scenario
 * counts on its own series.
 *
 * <ul>
 * <li>{@code echo}: echoes; the connection, byte and duration meters</li>
 * <li>{@code idle}: echoes, with a short read timeout ({@code thousandisland.servers.idle.read-timeout})</li>
 * <li>{@code failing}: throws {@link IllegalStateException} on the first data</li>
 * <li>{@code limited}: echoes, room for one connection
 * ({@code thousandisland.servers.limited.*})</li>
 * <li>{@code secure}: echoes over TLS, with a certificate made by keytool</li>
 * </ul>
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class ObservabilityTestApplication {

	static final String SECURE = "secure";

	@Bean
	Handler<Void> echo() {
		return new Echo();
	}

	@Bean
	Handler<Void> idle() {
		return new Echo();
	}

	@Bean
	Handler<Void> failing() {
		return new Handler<>() {

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) {
				throw new IllegalStateException("The failing handler fails on purpose");
			}

		};
	}

	@Bean
	Handler<Void> limited() {
		return new Echo();
	}

	@Bean
	Handler<Void> secure() {
		return new Echo();
	}

	@Bean
	ThousandIslandServerCustomizer secureTransport() {
		return (name, builder) -> {
			if (SECURE.equals(name)) {
				builder.transport(Transport.tls(KeytoolCertificate.get().serverContext()));
			}
		};
	}

	/**
	 * Sends every byte it receives straight back.
	 */
	static class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
