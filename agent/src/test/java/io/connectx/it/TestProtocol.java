package io.connectx.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The tests' request/reply: {@code PING x\n} is answered {@code PONG x\n}; an HTTP GET of {@code /x} is
 * answered with a {@code Connection: close} response whose body is {@code pong x}.
 */
public final class TestProtocol {
    private TestProtocol() {
    }

    /** Reads one request: a line, or HTTP headers up to the blank line. */
    public static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (int i = 0; i < 65536; i++) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            buf.write(b);
            String text = buf.toString(StandardCharsets.UTF_8);
            boolean http = text.startsWith("GET ") || text.startsWith("HEAD ");
            if (http ? text.endsWith("\r\n\r\n") : text.endsWith("\n")) {
                break;
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    public static String reply(String request) {
        if (request.startsWith("GET ")) {
            String path = request.substring(4, request.indexOf(' ', 4));
            String body = "pong " + path.substring(1);
            return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body;
        }
        return request.replace("PING", "PONG");
    }
}
