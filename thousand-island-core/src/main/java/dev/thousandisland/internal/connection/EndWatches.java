package dev.thousandisland.internal.connection;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

import dev.thousandisland.Connection;

/**
 * The actions to run when one connection ends ({@link Connection#onEnd}): a monitor list that
 * runs exactly once. An action added after the end runs at once, so none is ever left behind.
 */
final class EndWatches {

	private static final System.Logger logger = System.getLogger(ConnectionLoop.class.getName());

	private final long connectionId;

	/** Guarded by {@code this}; made on the first action, since most connections have none. */
	private List<Watch> watches;

	/** Guarded by {@code this}. */
	private boolean ended;

	EndWatches(long connectionId) {
		this.connectionId = connectionId;
	}

	Connection.EndWatch add(Runnable action) {
		Watch watch = new Watch(action);
		synchronized (this) {
			if (!this.ended) {
				if (this.watches == null) {
					this.watches = new ArrayList<>(2);
				}
				this.watches.add(watch);
				return watch;
			}
		}
		watch.run(this.connectionId);
		return watch;
	}

	/** Runs every action registered so far, once; later ones run as they are added. */
	void runAll() {
		List<Watch> ended;
		synchronized (this) {
			ended = this.watches;
			this.watches = null;
			this.ended = true;
		}
		if (ended != null) {
			for (Watch watch : ended) {
				watch.run(this.connectionId);
			}
		}
	}

	/** The actions waiting for the end: what a test of a watcher's cleanup counts. */
	synchronized int pending() {
		return (this.watches != null) ? this.watches.size() : 0;
	}

	private synchronized boolean remove(Watch watch) {
		return this.watches != null && this.watches.remove(watch);
	}

	private final class Watch implements Connection.EndWatch {

		private final Runnable action;

		Watch(Runnable action) {
			this.action = action;
		}

		void run(long connectionId) {
			try {
				this.action.run();
			}
			catch (RuntimeException | Error ex) {
				logger.log(Level.WARNING, "An onEnd action of connection " + connectionId + " failed", ex);
			}
		}

		@Override
		public boolean cancel() {
			return remove(this);
		}

	}

}
