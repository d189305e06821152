/**
 * Topics and broadcasts between connections ({@link dev.thousandisland.pubsub.PubSub}), on one
 * instance and, through a {@link dev.thousandisland.pubsub.PubSubAdapter}, across instances.
 * See docs/pubsub.md.
 */
package dev.thousandisland.pubsub;
