package dev.thousandisland.autoconfigure.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations Thousand Island makes, with their key names, for Micrometer's documentation
 * tooling and for code that reads the key values back.
 */
public enum ConnectionObservationDocumentation implements ObservationDocumentation {

	/**
	 * One connection, from accept to close.
	 */
	CONNECTION {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultConnectionObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeyNames.values();
		}

	};

	/**
	 * Key values with few distinct values; they become meter tags.
	 */
	public enum LowCardinalityKeyNames implements KeyName {

		/**
		 * Name of the server that accepted the connection.
		 */
		SERVER {
			@Override
			public String asString() {
				return "server";
			}
		},

		/**
		 * Transport of the connection: {@code tcp}, {@code tls} or {@code unix}.
		 */
		TRANSPORT {
			@Override
			public String asString() {
				return "transport";
			}
		},

		/**
		 * How the connection ended, such as {@code peer_closed}, {@code read_timeout} or
		 * {@code exception}; {@code unknown} while it is open.
		 */
		REASON {
			@Override
			public String asString() {
				return "reason";
			}
		}

	}

	/**
	 * Key values with a value per connection; for traces only.
	 */
	public enum HighCardinalityKeyNames implements KeyName {

		/**
		 * Address of the client.
		 */
		PEER_ADDRESS {
			@Override
			public String asString() {
				return "peer.address";
			}
		}

	}

}
