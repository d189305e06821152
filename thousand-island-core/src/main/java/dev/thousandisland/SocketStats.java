package dev.thousandisland;

/**
 * Byte and call counters of one connection, named as in Thousand Island's stop event.
 *
 * @param sendOct bytes sent
 * @param sendCnt successful send calls
 * @param recvOct bytes received
 * @param recvCnt reads that returned data
 */
public record SocketStats(long sendOct, long sendCnt, long recvOct, long recvCnt) {
}
