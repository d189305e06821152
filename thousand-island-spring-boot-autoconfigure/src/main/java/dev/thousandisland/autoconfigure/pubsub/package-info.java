/**
 * Auto-configuration of the {@code PubSub} and {@code Registry} beans, and the Redis adapter that
 * carries broadcasts between instances. See docs/pubsub-redis.md.
 */
@NullMarked
package dev.thousandisland.autoconfigure.pubsub;

import org.jspecify.annotations.NullMarked;
