/**
 * Auto-configuration for Thousand Island: every {@code Handler} bean becomes a socket server
 * configured by {@code thousandisland.*} properties and run with the application context.
 */
@NullMarked
package dev.thousandisland.autoconfigure;

import org.jspecify.annotations.NullMarked;
