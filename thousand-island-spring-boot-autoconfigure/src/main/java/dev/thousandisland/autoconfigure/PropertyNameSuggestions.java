package dev.thousandisland.autoconfigure;

import java.beans.PropertyDescriptor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;

/**
 * Every key that exists under {@code thousandisland.*}, read from the properties classes (so it
 * cannot drift from what binds), and the keys renamed before 1.0. For a key that does not exist it
 * names the key that was meant: the new name of a renamed key, else the closest existing key of the
 * same level (top level, one server, one client) by edit distance.
 */
final class PropertyNameSuggestions {

	static final String PREFIX = ServerPropertyNames.PREFIX;

	/** Old name to new name, relative to the top level or to one server. */
	static final Map<String, String> RENAMED = Map.of("num-acceptors", "acceptors", "num-listen-sockets",
			"listen-sockets", "num-connections", "max-connections-per-acceptor", "num-pollers", "pollers",
			"silent-terminate-on-error", "log-error-results", "handshake-timeout", "ssl.handshake-timeout",
			"ssl.protocols", "ssl.enabled-protocols", "keep-alive", "tcp-keep-alive", "handler-module", "handler");

	/** What a user of a renamed key must also know. */
	private static final Map<String, String> RENAME_NOTES = Map.of("silent-terminate-on-error",
			"it has the inverse meaning: silent-terminate-on-error=true is log-error-results=false");

	private static final Set<String> SERVER_KEYS = keysOf(ThousandIslandServerProperties.class);

	private static final Set<String> CLIENT_KEYS = keysOf(ThousandIslandClientProperties.class);

	private static final Set<String> TOP_LEVEL_KEYS = keysOf(ThousandIslandProperties.class);

	private PropertyNameSuggestions() {
	}

	/** Keys of one server, relative to {@code thousandisland.servers.<name>}; list entries as {@code [*]}. */
	static Set<String> serverKeys() {
		return SERVER_KEYS;
	}

	/** Keys of one client, relative to {@code thousandisland.clients.<name>}; list entries as {@code [*]}. */
	static Set<String> clientKeys() {
		return CLIENT_KEYS;
	}

	/** Keys relative to {@code thousandisland}: the server defaults and the top-level-only keys. */
	static Set<String> topLevelKeys() {
		return TOP_LEVEL_KEYS;
	}

	/**
	 * The key meant by one that does not exist.
	 * @param name the key that does not exist, under {@code thousandisland}
	 * @return the suggestion
	 */
	static Suggestion suggest(ConfigurationPropertyName name) {
		int size = name.getNumberOfElements();
		String group = (size > 3) ? name.getElement(1, Form.UNIFORM) : "";
		if (group.equals("servers") || group.equals("clients")) {
			String prefix = PREFIX + "." + group + "." + name.getElement(2, Form.ORIGINAL);
			return suggest(name, 3, prefix, group.equals("servers") ? SERVER_KEYS : CLIENT_KEYS,
					group.equals("servers"));
		}
		return suggest(name, 1, PREFIX, TOP_LEVEL_KEYS, true);
	}

	private static Suggestion suggest(ConfigurationPropertyName name, int from, String prefix, Set<String> keys,
			boolean renames) {
		List<String> indexes = new ArrayList<>();
		StringBuilder written = new StringBuilder();
		for (int i = from; i < name.getNumberOfElements(); i++) {
			if (name.isNumericIndex(i)) {
				indexes.add(name.getElement(i, Form.ORIGINAL));
				written.append("[*]");
			}
			else {
				written.append((i > from) ? "." : "").append(name.getElement(i, Form.UNIFORM));
			}
		}
		String key = written.toString();
		if (renames) {
			for (Map.Entry<String, String> rename : RENAMED.entrySet()) {
				if (uniform(rename.getKey()).equals(key)) {
					return new Suggestion(prefix + "." + rename.getValue(), true, RENAME_NOTES.get(rename.getKey()));
				}
			}
		}
		String closest = closest(key, keys);
		for (String index : indexes) {
			closest = closest.replaceFirst("\\[\\*]", "[" + index + "]");
		}
		return new Suggestion(prefix + "." + closest, false, null);
	}

	private static String closest(String key, Collection<String> keys) {
		return keys.stream()
			.min(Comparator.comparingInt((String candidate) -> distance(key, uniform(candidate)))
				.thenComparing(Comparator.naturalOrder()))
			.orElseThrow();
	}

	/** Lower case letters and digits only, as Boot compares names, keeping the dots and list marks. */
	private static String uniform(String key) {
		return key.toLowerCase().replaceAll("[^a-z0-9.\\[\\]*]", "");
	}

	/** Levenshtein distance. */
	static int distance(String first, String second) {
		int[] previous = new int[second.length() + 1];
		int[] current = new int[second.length() + 1];
		for (int j = 0; j <= second.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= first.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= second.length(); j++) {
				int substitution = previous[j - 1] + ((first.charAt(i - 1) == second.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[second.length()];
	}

	private static Set<String> keysOf(Class<?> type) {
		Set<String> keys = new TreeSet<>();
		collect(type, "", keys);
		return Set.copyOf(keys);
	}

	/** Leaves with a setter, groups through their getter; a map is a key of its own, its entries unknown here. */
	private static void collect(Class<?> type, String prefix, Set<String> keys) {
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
			if (property.getReadMethod() == null || property.getName().equals("class")) {
				continue;
			}
			String key = prefix + DataObjectPropertyName.toDashedForm(property.getName());
			Class<?> valueType = property.getPropertyType();
			if (isGroup(valueType)) {
				collect(valueType, key + ".", keys);
			}
			else if (List.class.isAssignableFrom(valueType) && isGroup(elementType(property))) {
				collect(elementType(property), key + "[*].", keys);
			}
			else if (property.getWriteMethod() != null || Map.class.isAssignableFrom(valueType)) {
				keys.add(key);
			}
		}
	}

	private static boolean isGroup(Class<?> type) {
		return type.getPackageName().equals(PropertyNameSuggestions.class.getPackageName()) && !type.isEnum();
	}

	private static Class<?> elementType(PropertyDescriptor property) {
		Type type = property.getReadMethod().getGenericReturnType();
		if (type instanceof ParameterizedType parameterized
				&& parameterized.getActualTypeArguments()[0] instanceof Class<?> element) {
			return element;
		}
		return Object.class;
	}

	/**
	 * The key meant.
	 * @param key the full key
	 * @param renamed whether the key that does not exist is an old name of this one
	 * @param note what else a user of the old name must know, if anything
	 */
	record Suggestion(String key, boolean renamed, @Nullable String note) {
	}

}
