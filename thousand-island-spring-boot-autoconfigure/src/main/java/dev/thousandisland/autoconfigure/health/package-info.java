/**
 * The {@code thousandisland} health contributor.
 */
@NullMarked
package dev.thousandisland.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
