package io.connectx.samples;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An ordinary {@code java.net.http.HttpClient} application: COUNT GETs of {@code BASE/1 .. BASE/COUNT},
 * each from a new client and so on a new connection, printing {@code response I status=S body=B}.
 * Usage: {@code JdkHttpClientApp BASE COUNT}. It knows nothing of connectx.
 */
public final class JdkHttpClientApp {
    private JdkHttpClientApp() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[1]);
        for (int i = 1; i <= count; i++) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(args[0] + "/" + i)).timeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            System.out.println("response " + i + " status=" + response.statusCode() + " body=" + response.body());
        }
    }
}
