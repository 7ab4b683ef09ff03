package io.connectx.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The tests' request/reply: {@code PING x\n} is answered {@code PONG x\n}; an HTTP GET of {@code /x} is
 * answered with a {@code Connection: close} response whose body is {@code pong x}; an HTTP POST to
 * {@code /x} with a body of N bytes with body {@code posted x N}.
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
            boolean http = text.startsWith("GET ") || text.startsWith("HEAD ") || text.startsWith("POST ");
            if (http ? text.endsWith("\r\n\r\n") : text.endsWith("\n")) {
                break;
            }
        }
        String head = buf.toString(StandardCharsets.UTF_8);
        int length = contentLength(head);
        return length == 0 ? head : head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    public static String reply(String request) {
        if (request.startsWith("GET ") || request.startsWith("POST ")) {
            int start = request.indexOf(' ') + 1;
            String path = request.substring(start, request.indexOf(' ', start));
            String body = request.startsWith("GET ") ? "pong " + path.substring(1)
                    : "posted " + path.substring(1) + " " + (request.length() - request.indexOf("\r\n\r\n") - 4);
            return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body;
        }
        return request.replace("PING", "PONG");
    }
}
