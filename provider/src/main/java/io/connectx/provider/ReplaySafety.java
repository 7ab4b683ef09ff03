package io.connectx.provider;

import java.nio.ByteBuffer;

/**
 * Recognises first writes that are safe to deliver twice (RFC 7413 section 6: a server may receive SYN
 * data twice): a TLS ClientHello, whose replay only costs a second handshake, and the HTTP/1.x methods
 * RFC 9110 section 9.2.2 defines as idempotent and safe to retry without a body: GET, HEAD, OPTIONS.
 */
final class ReplaySafety {
    private static final byte[][] SAFE_HTTP_METHODS = {ascii("GET "), ascii("HEAD "), ascii("OPTIONS ")};
    /** RFC 8446 section 5.1: ContentType handshake(22), legacy_record_version 0x03xx; then Handshake type client_hello(1). */
    private static final int TLS_HANDSHAKE = 22;
    private static final int TLS_MAJOR = 3;
    private static final int CLIENT_HELLO = 1;
    private static final int TLS_HANDSHAKE_TYPE_OFFSET = 5;

    private ReplaySafety() {
    }

    static boolean isReplaySafe(ByteBuffer data) {
        int start = data.position();
        int length = data.remaining();
        return isClientHello(data, start, length) || isSafeHttpRequest(data, start, length);
    }

    private static boolean isClientHello(ByteBuffer data, int start, int length) {
        return length > TLS_HANDSHAKE_TYPE_OFFSET
                && data.get(start) == TLS_HANDSHAKE
                && data.get(start + 1) == TLS_MAJOR
                && data.get(start + TLS_HANDSHAKE_TYPE_OFFSET) == CLIENT_HELLO;
    }

    private static boolean isSafeHttpRequest(ByteBuffer data, int start, int length) {
        for (byte[] method : SAFE_HTTP_METHODS) {
            if (length >= method.length && startsWith(data, start, method)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(ByteBuffer data, int start, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (data.get(start + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
