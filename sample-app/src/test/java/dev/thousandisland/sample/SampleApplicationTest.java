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
		properties = "thousandisland.servers.chat.mailbox-capacity=" + SampleApplicationTest.MAILBOX_CAPACITY)
@RandomThousandIslandPorts
@interface SampleApplicationTest {

	/**
	 * A small chat mailbox, so that a member who never reads is cut off quickly (the PubSub's
	 * slow-subscriber policy is {@code close} in application.properties).
	 */
	int MAILBOX_CAPACITY = 200;

}
