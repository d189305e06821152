/**
 * A registry of connections by key ({@link dev.thousandisland.registry.Registry}), Elixir's
 * {@code Registry} for Thousand Island connections. See docs/registry.md.
 */
package dev.thousandisland.registry;
