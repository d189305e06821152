package dev.thousandisland;

import java.lang.reflect.Field;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Looks into a server's read-buffer pool to count the pooled buffers that are out (made by the pool
 * and not given back). The pool has no public face, so this reads its fields by reflection, and
 * says "not observable" rather than guess when the pool no longer has the shape it knows: a
 * {@code BufferPool} field on the server with {@code slots} (the buffers at home) and
 * {@code directBuffers} (the buffers it ever made).
 */
final class PooledBuffers {

	private PooledBuffers() {
	}

	/**
	 * Returns how many pooled buffers are out, or empty if the pool cannot be observed.
	 * @param server the server, stopped and with no connection thread left for a meaningful count
	 */
	static OptionalInt outstanding(Server server) {
		try {
			Object pool = fieldOfType(server, "BufferPool");
			if (pool == null) {
				return OptionalInt.empty();
			}
			AtomicReferenceArray<?> slots = (AtomicReferenceArray<?>) field(pool, "slots");
			AtomicInteger made = (AtomicInteger) field(pool, "directBuffers");
			int home = 0;
			for (int i = 0; i < slots.length(); i++) {
				home += (slots.get(i) != null) ? 1 : 0;
			}
			return OptionalInt.of(made.get() - home);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return OptionalInt.empty();
		}
	}

	private static Object fieldOfType(Object owner, String typeName) throws IllegalAccessException {
		for (Field field : owner.getClass().getDeclaredFields()) {
			if (field.getType().getSimpleName().equals(typeName)) {
				field.setAccessible(true);
				return field.get(owner);
			}
		}
		return null;
	}

	private static Object field(Object owner, String name) throws ReflectiveOperationException {
		Field field = owner.getClass().getDeclaredField(name);
		field.setAccessible(true);
		return field.get(owner);
	}

}
