package dev.thousandisland.autoconfigure.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real HTTP requests to the actuator on the management port.
 */
final class ActuatorHttp {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private ActuatorHttp() {
	}

	static Response get(int managementPort, String path) throws IOException, InterruptedException {
		return get(managementPort, path, "application/json");
	}

	static Response get(int managementPort, String path, String accept) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
			.header("Accept", accept)
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		return new Response(response.statusCode(), response.body());
	}

	/**
	 * A response.
	 * @param status the HTTP status
	 * @param body the body as text
	 */
	record Response(int status, String body) {

		JsonNode json() {
			return JsonMapper.shared().readTree(this.body);
		}

	}

}
