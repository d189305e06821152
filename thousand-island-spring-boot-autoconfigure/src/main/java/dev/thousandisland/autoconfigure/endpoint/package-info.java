/**
 * The {@code thousandisland} actuator endpoint.
 */
@NullMarked
package dev.thousandisland.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
