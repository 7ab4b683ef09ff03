package io.connectx.samples;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * An ordinary Apache HttpClient 5 application: COUNT GETs of {@code BASE/1 .. BASE/COUNT}, each from a new
 * client (so on a new connection) built by {@code HttpClients.createSystem()}, which honours the
 * {@code javax.net.ssl.*} properties. Prints {@code response I status=S body=B}.
 * Usage: {@code ApacheHttpClientApp BASE COUNT}. It knows nothing of connectx.
 */
public final class ApacheHttpClientApp {
    private ApacheHttpClientApp() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[1]);
        for (int i = 1; i <= count; i++) {
            try (CloseableHttpClient client = HttpClients.createSystem()) {
                String reply = client.execute(new HttpGet(args[0] + "/" + i),
                        response -> "status=" + response.getCode() + " body=" + EntityUtils.toString(response.getEntity()));
                System.out.println("response " + i + " " + reply);
            }
        }
    }
}
