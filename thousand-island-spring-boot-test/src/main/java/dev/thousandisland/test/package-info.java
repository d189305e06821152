/**
 * Test support for applications that run Thousand Island servers: {@link RandomThousandIslandPorts}
 * starts every server on a free port, {@link LocalThousandIslandPort} injects the port a server
 * bound, and {@link SocketTestClient} talks to it over a blocking socket, plain or TLS.
 */
@NullMarked
package dev.thousandisland.test;

import org.jspecify.annotations.NullMarked;
