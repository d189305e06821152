package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

import dev.thousandisland.Result;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfigurationTests.EchoConfiguration;
import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.framing.Framing;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link FramedHandler} bean becomes a server whose framing comes from the
 * {@code framing.*} properties (its own, or the top-level defaults) or from a {@link Framing}
 * bean; settings it cannot use fail start-up naming the property.
 */
class ThousandIslandFramingTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void aFramedHandlerBeanWithTheLineFramingReceivesOneCallbackPerLine() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=line")
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("one\r\ntwo\nthr");
					assertThat(client.receive(8)).isEqualTo("ONE\nTWO\n");
					client.send("ee\n");
					assertThat(client.receive(6)).isEqualTo("THREE\n");
				}
			});
	}

	@Test
	void theLengthPrefixedFramingTakesItsHeaderSettingsFromProperties() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=length-prefixed",
					"thousandisland.servers.shout.framing.length-field-bytes=2",
					"thousandisland.servers.shout.framing.byte-order=little-endian")
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					OutputStream out = client.socket().getOutputStream();
					out.write(new byte[] { 5, 0, 'h', 'e', 'l', 'l', 'o', 2, 0, 'o' });
					out.write('k');
					out.flush();
					InputStream in = client.socket().getInputStream();
					assertThat(in.readNBytes(11)).containsExactly(5, 0, 'H', 'E', 'L', 'L', 'O', 2, 0, 'O', 'K');
				}
			});
	}

	@Test
	void aServerInheritsTheTopLevelFramingAndOverridesItsMaximumAndAFrameTooLargeEndsTheConnection() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.framing.type=line", "thousandisland.framing.max-frame-size=1KB",
					"thousandisland.servers.shout.framing.max-frame-size=8B")
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("12345678\n");
					assertThat(client.receive(9)).isEqualTo("12345678\n");
					client.send("123456789\n");
					assertThat(client.receiveUntilClosed()).isEqualTo("TOO LARGE 9 > 8\n");
				}
			});
	}

	@Test
	void theFixedLengthFramingCutsFramesOfTheConfiguredSize() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=fixed-length",
					"thousandisland.servers.shout.framing.fixed-length=3B")
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("abcdefg");
					assertThat(client.receive(6)).isEqualTo("ABCDEF");
					client.send("hi");
					assertThat(client.receive(3)).isEqualTo("GHI");
				}
			});
	}

	@Test
	void theDelimiterFramingEncodesItsDelimiterInUtf8() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=delimiter",
					"thousandisland.servers.shout.framing.delimiter=\u00a7\u00a7")
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("a\u00a7b\u00a7\u00a7c\u00a7\u00a7");
					assertThat(client.receive(13)).isEqualTo("A\u00a7B\u00a7\u00a7C\u00a7\u00a7");
				}
			});
	}

	@Test
	void aDelimiterReadFromAPropertiesFileTakesItsEscapesAsControlCharacters() {
		String file = "thousandisland.servers.shout.framing.type=delimiter\n"
				+ "thousandisland.servers.shout.framing.delimiter=\\r\\n\n";
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withInitializer((context) -> context.getEnvironment().getPropertySources().addFirst(propertiesFile(file)))
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("a\nb\r\nc\r\n");
					assertThat(client.receive(8)).isEqualTo("A\nB\r\nC\r\n");
				}
			});
	}

	@Test
	void aFramingBeanFramesAServerWithoutAFramingType() {
		this.runner.withUserConfiguration(ShoutConfiguration.class, SemicolonFramingConfiguration.class)
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("x;y\n;");
					assertThat(client.receive(5)).isEqualTo("X;Y\n;");
				}
			});
	}

	@Test
	void aFramingTypePropertyWinsOverAFramingBean() {
		this.runner.withUserConfiguration(ShoutConfiguration.class, SemicolonFramingConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=line")
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("x;y\n");
					assertThat(client.receive(4)).isEqualTo("X;Y\n");
				}
			});
	}

	@Test
	void aPlainHandlerIgnoresAnInheritedFramingAndRunsOnRawBytes() {
		this.runner.withUserConfiguration(EchoConfiguration.class, ShoutConfiguration.class)
			.withPropertyValues("thousandisland.framing.type=line")
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "echo"))) {
					assertThat(client.exchange("no line ending")).isEqualTo("no line ending");
				}
			});
	}

	@Test
	void aFramingTypeOnAPlainHandlersOwnServerFailsNamingTheProperty() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.framing.type=line")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.echo.framing.type");
				assertThat(failure).hasMessageContaining("only a FramedHandler bean runs with a framing");
			});
	}

	@Test
	void aFramedHandlerWithoutFramingTypeOrFramingBeanFailsNamingTheProperty() {
		this.runner.withUserConfiguration(ShoutConfiguration.class).run((context) -> {
			InvalidConfigurationPropertyValueException failure = invalidProperty(context);
			assertThat(failure.getName()).isEqualTo("thousandisland.servers.shout.framing.type");
			assertThat(failure).hasMessageContaining("no Framing bean is declared");
		});
	}

	@Test
	void severalFramingBeansWithoutAPrimaryOneFailNamingTheFramingType() {
		this.runner.withUserConfiguration(ShoutConfiguration.class, TwoFramingsConfiguration.class).run((context) -> {
			InvalidConfigurationPropertyValueException failure = invalidProperty(context);
			assertThat(failure.getName()).isEqualTo("thousandisland.servers.shout.framing.type");
			assertThat(failure).hasMessageContaining("[semicolon, comma]");
		});
	}

	@Test
	void aPrimaryFramingBeanIsChosenAmongSeveral() {
		this.runner.withUserConfiguration(ShoutConfiguration.class, PrimaryFramingConfiguration.class)
			.run((context) -> {
				try (TestClient client = TestClient.connect(port(context, "shout"))) {
					client.send("a;b,");
					assertThat(client.receive(4)).isEqualTo("A;B,");
				}
			});
	}

	@Test
	void aLengthFieldOfThreeBytesFailsNamingTheServersProperty() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=length-prefixed",
					"thousandisland.servers.shout.framing.length-field-bytes=3")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.shout.framing.length-field-bytes");
				assertThat(failure.getValue()).isEqualTo(3);
				assertThat(failure).hasMessageContaining("1, 2, 4 or 8");
			});
	}

	@Test
	void anInheritedBadValueFailsNamingTheTopLevelProperty() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.framing.type=length-prefixed",
					"thousandisland.framing.length-field-offset=-1")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.framing.length-field-offset");
			});
	}

	@Test
	void aZeroMaxFrameSizeFailsNamingTheProperty() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=crlf",
					"thousandisland.servers.shout.framing.max-frame-size=0B")
			.run((context) -> assertThat(invalidProperty(context).getName())
				.isEqualTo("thousandisland.servers.shout.framing.max-frame-size"));
	}

	@Test
	void theDelimiterFramingWithoutADelimiterFailsNamingTheProperty() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=delimiter")
			.run((context) -> assertThat(invalidProperty(context).getName())
				.isEqualTo("thousandisland.servers.shout.framing.delimiter"));
	}

	@Test
	void theFixedLengthFramingWithoutALengthFailsNamingTheProperty() {
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withPropertyValues("thousandisland.servers.shout.framing.type=fixed-length")
			.run((context) -> assertThat(invalidProperty(context).getName())
				.isEqualTo("thousandisland.servers.shout.framing.fixed-length"));
	}

	private static PropertySource<?> propertiesFile(String text) {
		try {
			return new PropertiesPropertySourceLoader()
				.load("framing.properties", new ByteArrayResource(text.getBytes(StandardCharsets.ISO_8859_1)))
				.get(0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int port(AssertableApplicationContext context, String server) {
		assertThat(context).hasNotFailed();
		return context.getBean(ThousandIslandServers.class).get(server).orElseThrow().port();
	}

	private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable root = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
		assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
		return (InvalidConfigurationPropertyValueException) root;
	}

	/** Sends each frame back upper-cased, and a line naming the sizes of a frame too large. */
	@Configuration(proxyBeanMethods = false)
	static class ShoutConfiguration {

		@Bean
		FramedHandler<Void> shout() {
			return new FramedHandler<>() {

				@Override
				public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws IOException {
					String text = StandardCharsets.UTF_8.decode(frame).toString().toUpperCase(Locale.ROOT);
					socket.sendFrame(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
					return Result.continueWith(state);
				}

				@Override
				public void handleFrameTooLarge(FrameTooLargeException error, FramedSocket socket, Void state)
						throws IOException {
					// Raw bytes: sendLine would refuse a reply longer than the small maximum.
					socket.send(("TOO LARGE " + error.frameSize() + " > " + error.maxFrameSize() + "\n")
						.getBytes(StandardCharsets.UTF_8));
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SemicolonFramingConfiguration {

		@Bean
		Framing semicolon() {
			return Framing.delimiter((byte) ';');
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoFramingsConfiguration {

		@Bean
		Framing semicolon() {
			return Framing.delimiter((byte) ';');
		}

		@Bean
		Framing comma() {
			return Framing.delimiter((byte) ',');
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryFramingConfiguration {

		@Bean
		Framing semicolon() {
			return Framing.delimiter((byte) ';');
		}

		@Bean
		@Primary
		Framing comma() {
			return Framing.delimiter((byte) ',');
		}

	}

}
