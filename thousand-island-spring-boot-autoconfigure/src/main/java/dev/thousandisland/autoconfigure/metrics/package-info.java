/**
 * Micrometer meters for Thousand Island servers.
 */
@NullMarked
package dev.thousandisland.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
