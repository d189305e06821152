/**
 * Micrometer observations of Thousand Island connections.
 */
@NullMarked
package dev.thousandisland.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
