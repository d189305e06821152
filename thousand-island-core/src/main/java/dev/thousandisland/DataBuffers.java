package dev.thousandisland;


/**
 * Who owns the buffer {@link Handler#handleData} receives: the {@link ServerConfig#dataBuffers()}
 * option. The default, {@link #OWNED}, makes it impossible for one connection to observe bytes
 * another connection sent, whatever the handler keeps. The lending modes save one copy per read
 * for handlers that never keep what they are given, and are for experts who have measured a need.
 * See {@code docs/buffers.md}.
 */
public enum DataBuffers {

	/**
	 * The handler owns what it receives: a heap buffer holding exactly the bytes of one read
	 * (position 0, limit and capacity the number of bytes), made for this callback and referenced
	 * by nothing in the framework once the callback returns. The handler may keep it, any slice,
	 * duplicate or read-only view of it, hand it to another thread or {@linkplain Connection#tell
	 * tell} it to a connection, for as long as it likes. Costs one copy of the bytes read and one
	 * allocation per read. The default.
	 */
	OWNED,

	/**
	 * Zero-copy: the handler is lent the framework's pooled read buffer for the length of the
	 * callback. When the callback returns, the buffer goes back to the pool and the next read, of
	 * any connection, overwrites it. A handler must copy whatever it keeps: a kept buffer, or a
	 * slice, duplicate or read-only view of it, later shows other connections' bytes, and nothing
	 * detects it. Test such a handler with {@link #LENT_CHECKED}.
	 */
	LENT,

	/**
	 * {@link #LENT}'s contract, checked, for a handler's tests. Each callback is lent a buffer
	 * whose memory was never used for another read and will never be used for one again, so that
	 * a mistake cannot leak another connection's bytes even here. When the callback returns:
	 * <ul>
	 * <li>the lent buffer object is emptied (position and limit 0): any relative read from it
	 * throws {@link java.nio.BufferUnderflowException}, any absolute read
	 * {@link IndexOutOfBoundsException};
	 * <li>every byte of its memory is overwritten with {@link #POISON}, so a slice, duplicate or
	 * read-only view the handler made and kept reads only {@code POISON} bytes from then on (its own
	 * position and limit cannot be reset by the framework).
	 * </ul>
	 * Each read allocates a fresh buffer of the pool's size, so this mode is slow and meant for
	 * tests only.
	 */
	LENT_CHECKED;

	/**
	 * The byte every position of a buffer lent under {@link #LENT_CHECKED} holds once the
	 * callback that received it has returned: {@code 0xDE}.
	 */
	public static final byte POISON = (byte) 0xDE;


}
