package dev.thousandisland.autoconfigure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * The names of servers and clients as Spring Boot's relaxed binding sees map keys. A server is
 * named after its bean ({@code echoServer}), while its properties may name it in any form Boot
 * accepts: {@code echo-server} (the canonical, kebab-case form), {@code echoServer} in a
 * properties or YAML file, {@code [echoServer]} in brackets, or {@code ECHOSERVER} in an
 * environment variable. Boot compares property names ignoring case and dashes, so all of these are
 * one name here too: they share one {@linkplain #uniform(String) uniform form}, and the server
 * goes by the {@linkplain #canonical(String) canonical form}.
 */
final class RelaxedNames {

	private RelaxedNames() {
	}

	/**
	 * The kebab-case form Boot documents for a key: {@code echo-server} for {@code echoServer}.
	 * A name that cannot be one element of a property name (it has dots or other symbols, as the
	 * bean names of nested or imported classes do) is kept as it is, and used in brackets.
	 */
	static String canonical(String name) {
		String dashed = DataObjectPropertyName.toDashedForm(name);
		return isPlainElement(dashed) ? dashed : name;
	}

	/**
	 * The form in which Boot compares names: lower case, letters and digits only. Two names with
	 * the same uniform form are the same property key.
	 */
	static String uniform(String name) {
		StringBuilder uniform = new StringBuilder(name.length());
		for (char c : name.toCharArray()) {
			if (Character.isLetterOrDigit(c)) {
				uniform.append(Character.toLowerCase(c));
			}
		}
		return uniform.toString();
	}

	/** Where the properties of the named server or client live: {@code root.name} or {@code root[name]}. */
	static String prefix(String root, String name) {
		String canonical = canonical(name);
		return isPlainElement(canonical) ? root + "." + canonical : root + "[" + canonical + "]";
	}

	/**
	 * Groups the keys of a map property by the name they refer to.
	 * @return each group by uniform form, in the keys' order
	 */
	static Map<String, Group> group(Collection<String> keys) {
		Map<String, Group> groups = new LinkedHashMap<>();
		for (String key : keys) {
			Group known = groups.get(uniform(key));
			List<String> all = new ArrayList<>((known != null) ? known.keys() : List.of());
			all.add(key);
			// The form with the most to say (echo-server, not the environment's echoserver) names it.
			String name = (known == null || dashes(canonical(key)) > dashes(known.name())) ? canonical(key)
					: known.name();
			groups.put(uniform(key), new Group(name, List.copyOf(all)));
		}
		return groups;
	}

	/**
	 * Binds the properties of one named server or client onto the target. Boot finds every relaxed
	 * form of a plain key ({@code echo-server}, {@code echoServer}, {@code ECHOSERVER}) under the
	 * canonical name, with the usual precedence of property sources; a key in brackets is found
	 * only in its own form, so each bracketed key is bound too, before the plain forms so that
	 * those win where both are set.
	 * @param binder the environment's binder
	 * @param root the map property, such as {@code thousandisland.servers}
	 * @param name the canonical name
	 * @param keys the forms of the name seen among the map's keys
	 * @param target what to bind onto
	 */
	static void bind(Binder binder, String root, String name, Collection<String> keys, Bindable<?> target) {
		for (String key : keys) {
			String bracketed = root + "[" + key + "]";
			if (ConfigurationPropertyName.isValid(bracketed)) {
				binder.bind(bracketed, target);
			}
		}
		binder.bind(prefix(root, name), target);
	}

	/**
	 * The keys under a map property that refer to one server or client.
	 * @param name its canonical name
	 * @param keys the forms in which the map's keys name it
	 */
	record Group(String name, List<String> keys) {
	}

	/**
	 * Finds a name among others: the same name, or else the only one of the same uniform form.
	 * @return the name found, or {@code null}
	 */
	static @Nullable String find(String name, Collection<String> names) {
		if (names.contains(name)) {
			return name;
		}
		List<String> relaxed = names.stream().filter((candidate) -> uniform(candidate).equals(uniform(name))).toList();
		return (relaxed.size() == 1) ? relaxed.get(0) : null;
	}

	private static boolean isPlainElement(String name) {
		return !name.isEmpty() && name.indexOf('.') < 0 && ConfigurationPropertyName.isValid(name);
	}

	private static long dashes(String name) {
		return name.chars().filter((c) -> c == '-').count();
	}

}
