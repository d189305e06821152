package dev.thousandisland.reliability;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;

/**
 * The application {@code HaproxyRollingRestartTests} runs twice behind HAProxy, each in a JVM of
 * its own ({@code java -cp <test classpath> dev.thousandisland.reliability.RollingRestartApp
 * --instance.name=a ...}): a Thousand Island server speaking a line protocol, and Spring MVC with
 * Actuator for the readiness group HAProxy checks. Everything else comes from the command line.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class RollingRestartApp {

	public static void main(String[] args) {
		// A test JVM that dies (killed at a timeout, say) must not leave its instances running.
		ProcessHandle.current().parent().ifPresent((test) -> test.onExit().thenRun(() -> Runtime.getRuntime().halt(1)));
		SpringApplication.run(RollingRestartApp.class, args);
	}

	@Bean
	WhoAnswered line(@Value("${instance.name}") String instance) {
		return new WhoAnswered(instance);
	}

	/**
	 * Answers each request line {@code GET <id>} with {@code <id> <instance> <client address>}, the
	 * client address being what {@link Socket#remoteAddress()} says; anything else with
	 * {@code ERR}. The state holds a partial line. On shutdown it does nothing of its own: the
	 * connection is closed between two requests, as a server with nothing to say goodbye does.
	 */
	static final class WhoAnswered implements Handler<StringBuilder> {

		private final String instance;

		WhoAnswered(String instance) {
			this.instance = instance;
		}

		@Override
		public StringBuilder initialState() {
			return new StringBuilder();
		}

		@Override
		public Result<StringBuilder> handleData(ByteBuffer data, Socket socket, StringBuilder line) throws Exception {
			line.append(StandardCharsets.US_ASCII.decode(data));
			StringBuilder replies = new StringBuilder();
			int end;
			while ((end = line.indexOf("\n")) >= 0) {
				String request = line.substring(0, end);
				line.delete(0, end + 1);
				if (request.startsWith("GET ") && request.length() > 4) {
					replies.append(request, 4, request.length())
						.append(' ')
						.append(this.instance)
						.append(' ')
						.append(text(socket.remoteAddress()))
						.append('\n');
				}
				else {
					replies.append("ERR\n");
				}
			}
			if (!replies.isEmpty()) {
				socket.send(replies.toString().getBytes(StandardCharsets.US_ASCII));
			}
			return Result.continueWith(line);
		}

		private static String text(SocketAddress address) {
			return (address instanceof InetSocketAddress inet)
					? inet.getAddress().getHostAddress() + ":" + inet.getPort() : String.valueOf(address);
		}

	}

}
