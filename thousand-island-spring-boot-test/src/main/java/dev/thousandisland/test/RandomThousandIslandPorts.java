package dev.thousandisland.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts every Thousand Island server of a Spring test's application context on a free port
 * picked by the system, whatever {@code thousandisland.port} and
 * {@code thousandisland.servers.<name>.port} say in the application's configuration: the servers'
 * counterpart of {@code @SpringBootTest(webEnvironment = RANDOM_PORT)}. Read the ports with
 * {@link LocalThousandIslandPort}. Servers on Unix domain sockets are left as they are.
 *
 * <p>It works by adding, ahead of every other property source, {@code thousandisland.port=0} and
 * {@code thousandisland.servers.<name>.port=0} for every server named in the environment. Test
 * classes that carry it share a cached application context with each other, not with those that
 * do not.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface RandomThousandIslandPorts {

}
