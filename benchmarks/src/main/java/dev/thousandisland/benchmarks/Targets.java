package dev.thousandisland.benchmarks;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import dev.thousandisland.benchmarks.Metric.Target;

/**
 * The targets of one row: a bound on Thousand Island's ratio against each peer the issues set one
 * against (the speed issues set them per peer: Netty epoll, Reactor Netty, Spring Integration and
 * the naive server each have their own), and a bound on Thousand Island's own value where the
 * target is absolute (the drain time).
 *
 * @param ratios the ratio target against each peer that has one; a peer without one is absent
 * @param ownValue the bound on Thousand Island's own median, or {@link Target#none()}
 */
record Targets(Map<Peer, Target> ratios, Target ownValue) {

	Targets {
		// Copied into an EnumMap so that every reader walks the peers in the table's order.
		Map<Peer, Target> copy = new EnumMap<>(Peer.class);
		copy.putAll(ratios);
		ratios = Collections.unmodifiableMap(copy);
	}

	/**
	 * Returns no targets at all.
	 * @return targets with neither ratio nor value bounds
	 */
	static Targets none() {
		return new Targets(Map.of(), Target.none());
	}

	/**
	 * Returns a bound on Thousand Island's own median and nothing else.
	 * @param bound the largest value that meets it, in the row's unit
	 * @return the targets
	 */
	static Targets ownValueAtMost(double bound) {
		return new Targets(Map.of(), Target.valueAtMost(bound));
	}

	/**
	 * Returns these targets with one more against a peer.
	 * @param peer the peer
	 * @param target the ratio target against it; {@link Target#none()} leaves these unchanged
	 * @return the targets
	 */
	Targets with(Peer peer, Target target) {
		if (target.kind() == Target.Kind.NONE) {
			return this;
		}
		Map<Peer, Target> more = new EnumMap<>(Peer.class);
		more.putAll(this.ratios);
		more.put(peer, target);
		return new Targets(more, this.ownValue);
	}

	/**
	 * Returns the ratio target against one peer.
	 * @param peer the peer
	 * @return the target, {@link Target#none()} where there is none
	 */
	Target against(Peer peer) {
		return this.ratios.getOrDefault(peer, Target.none());
	}

}
