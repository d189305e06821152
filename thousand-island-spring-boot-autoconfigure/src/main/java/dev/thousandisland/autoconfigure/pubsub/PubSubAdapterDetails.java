package dev.thousandisland.autoconfigure.pubsub;

import java.util.Map;

/**
 * An adapter that says more about its state than {@code isConnected}, for the {@code pubsub}
 * health contributor. Health reads it through this interface so that it never loads an adapter's
 * transport classes (Spring Data Redis) in an application that does not have them.
 */
public interface PubSubAdapterDetails {

	/**
	 * Returns details for health, cheap to compute (health may be polled often).
	 * @return details by name, such as the last error
	 */
	Map<String, Object> healthDetails();

}
