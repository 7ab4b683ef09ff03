package io.connectx.samples;

import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An ordinary OkHttp application: COUNT GETs of {@code BASE/1 .. BASE/COUNT}, each from a new client (so
 * on a new connection), printing {@code response I status=S body=B}. Usage: {@code OkHttpApp BASE COUNT}.
 * It knows nothing of connectx.
 */
public final class OkHttpApp {
    private OkHttpApp() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[1]);
        for (int i = 1; i <= count; i++) {
            OkHttpClient client = new OkHttpClient.Builder().connectTimeout(5, TimeUnit.SECONDS)
                    .readTimeout(10, TimeUnit.SECONDS).build();
            try (Response response = client.newCall(new Request.Builder().url(args[0] + "/" + i).build()).execute()) {
                System.out.println("response " + i + " status=" + response.code() + " body=" + response.body().string());
            } finally {
                client.connectionPool().evictAll();
                client.dispatcher().executorService().shutdown();
            }
        }
    }
}
