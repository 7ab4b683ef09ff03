package io.connectx.samples;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary {@code HttpURLConnection} (or {@code HttpsURLConnection}) application: COUNT GETs of
 * {@code BASE/1 .. BASE/COUNT}, each connection closed with {@code disconnect()} after its reply, printing
 * {@code response I status=S body=B}. Usage: {@code UrlConnectionApp BASE COUNT}. It knows nothing of connectx.
 */
public final class UrlConnectionApp {
    private UrlConnectionApp() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[1]);
        for (int i = 1; i <= count; i++) {
            HttpURLConnection connection = (HttpURLConnection) URI.create(args[0] + "/" + i).toURL().openConnection();
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(10000);
            try (InputStream in = connection.getInputStream()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                System.out.println("response " + i + " status=" + connection.getResponseCode() + " body=" + body);
            } finally {
                connection.disconnect();
            }
        }
    }
}
