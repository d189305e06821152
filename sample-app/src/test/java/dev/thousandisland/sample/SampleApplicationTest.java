package dev.thousandisland.sample;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import dev.thousandisland.test.RandomThousandIslandPorts;

/**
 * Starts the real sample application with every port picked by the system: the web server's by
 * {@code RANDOM_PORT}, the socket servers' by {@link RandomThousandIslandPorts}. Test classes that
 * carry it share one application context (one set of servers).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "sample.chat.max-pending-messages=" + SampleApplicationTest.MAX_PENDING_MESSAGES)
@RandomThousandIslandPorts
@interface SampleApplicationTest {

	/** A low mailbox limit, so that a chat member who never reads is cut off quickly. */
	int MAX_PENDING_MESSAGES = 200;

}
