package dev.thousandisland.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Value;

/**
 * Injects the port a Thousand Island server bound, as Spring Boot's {@code @LocalServerPort} does
 * for the web server: on a field, or a constructor, method or test-method parameter of type
 * {@code int} (or anything the port converts to). The value comes from the property
 * {@code local.thousandisland.servers.<name>.port} that the server publishes when it starts, so it
 * can only be injected once the servers have started: into a test, or into a bean created lazily.
 * It works in every web environment of {@code @SpringBootTest}, the default mock one included.
 *
 * <pre class="code">
 * &#64;SpringBootTest
 * &#64;RandomThousandIslandPorts
 * class EchoTests {
 *
 *     &#64;LocalThousandIslandPort("echo")
 *     int port;
 *
 * }
 * </pre>
 *
 * @see RandomThousandIslandPorts
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
// Marks the annotation as injectable for Spring's test support. The resolver installed for
// Spring tests answers before this @Value is read; anywhere else, the inner placeholder fails
// with a message saying why, rather than injecting some other server's port.
@Value("${local.thousandisland.servers.${LocalThousandIslandPort works in Spring tests only}.port}")
public @interface LocalThousandIslandPort {

	/**
	 * Name of the server: the kebab-case form of its Handler bean's name ({@code echo-server} for
	 * the bean {@code echoServer}), or the bean's name itself, which is turned into that form; or
	 * its key under {@code thousandisland.servers} for a server that names its bean with
	 * {@code handler}. Empty for the first server that started ({@code local.thousandisland.port}),
	 * convenient when there is only one.
	 * @return the server's name
	 */
	String value() default "";

}
