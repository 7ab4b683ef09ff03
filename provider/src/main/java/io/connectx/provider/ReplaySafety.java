package io.connectx.provider;

import java.nio.ByteBuffer;

/**
 * Recognises first writes that are safe to deliver twice (RFC 7413 section 6: a server may receive SYN
 * data twice). A write qualifies only as a whole, and only as one of two things:
 * <ul>
 * <li>exactly one complete HTTP/1.x request whose method RFC 9110 section 9.2.1 calls safe, GET, HEAD or
 * OPTIONS: a request line with an HTTP version, header lines, the empty line that ends them last in the
 * write, and no body (no {@code Transfer-Encoding}, no {@code Content-Length} above 0);</li>
 * <li>exactly one TLS record holding exactly one ClientHello (RFC 8446 sections 5.1 and 4.1.2), whose
 * replay only costs the server a second handshake.</li>
 * </ul>
 * Anything else, a prefix of one of these, two pipelined requests, a Redis inline command that starts with
 * {@code GET }, a record followed by more bytes, is held out of the SYN.
 */
final class ReplaySafety {
    private static final byte[][] SAFE_HTTP_METHODS = {ascii("GET "), ascii("HEAD "), ascii("OPTIONS ")};
    private static final byte[] HTTP_1 = ascii("HTTP/1.");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final int TLS_HANDSHAKE = 22;
    private static final int TLS_MAJOR = 3;
    private static final int TLS_MAX_MINOR = 4;
    private static final int CLIENT_HELLO = 1;
    private static final int TLS_RECORD_HEADER = 5;
    private static final int TLS_HANDSHAKE_HEADER = 4;
    /** RFC 8446 section 5.1: a TLSPlaintext fragment is at most 2^14 bytes. */
    private static final int TLS_MAX_FRAGMENT = 1 << 14;

    private ReplaySafety() {
    }

    static boolean isReplaySafe(ByteBuffer data) {
        return isReplaySafe(new Written(null, data, 0, 1));
    }

    /** A gathering write, judged as the one sequence of bytes it sends. */
    static boolean isReplaySafe(ByteBuffer[] data, int offset, int length) {
        return isReplaySafe(new Written(data, null, offset, length));
    }

    private static boolean isReplaySafe(Written w) {
        return isOneClientHello(w) || isOneSafeHttpRequest(w);
    }

    private static boolean isOneClientHello(Written w) {
        int size = w.size();
        if (size < TLS_RECORD_HEADER + TLS_HANDSHAKE_HEADER || w.at(0) != TLS_HANDSHAKE || w.at(1) != TLS_MAJOR
                || w.at(2) > TLS_MAX_MINOR || w.at(TLS_RECORD_HEADER) != CLIENT_HELLO) {
            return false;
        }
        int fragment = w.at(3) << 8 | w.at(4);
        int hello = w.at(6) << 16 | w.at(7) << 8 | w.at(8);
        return fragment <= TLS_MAX_FRAGMENT && size == TLS_RECORD_HEADER + fragment
                && fragment == TLS_HANDSHAKE_HEADER + hello;
    }

    private static boolean isOneSafeHttpRequest(Written w) {
        int pos = safeMethodEnd(w);
        if (pos < 0) {
            return false;
        }
        int targetStart = pos;
        while (pos < w.size() && isVisible(w.at(pos))) {
            pos++;
        }
        if (pos == targetStart || !startsWith(w, pos, ' ') || !startsWith(w, pos + 1, HTTP_1)) {
            return false;
        }
        pos += 1 + HTTP_1.length;
        if (pos >= w.size() || !isDigit(w.at(pos)) || !isCrLf(w, pos + 1)) {
            return false;
        }
        return headersEndTheWriteWithoutABody(w, pos + 3);
    }

    /** Header lines from {@code pos}; true when the empty line ends them exactly where the write ends. */
    private static boolean headersEndTheWriteWithoutABody(Written w, int pos) {
        while (pos < w.size()) {
            if (isCrLf(w, pos)) {
                return pos + 2 == w.size();
            }
            int nameStart = pos;
            while (pos < w.size() && isTokenChar(w.at(pos))) {
                pos++;
            }
            // No name, or white space before the colon (RFC 9112 section 5.1 rejects it), or obs-fold.
            if (pos == nameStart || !startsWith(w, pos, ':')) {
                return false;
            }
            int nameEnd = pos++;
            int valueStart = pos;
            while (pos < w.size() && w.at(pos) != '\r' && w.at(pos) != '\n') {
                pos++;
            }
            if (!isCrLf(w, pos) || announcesABody(w, nameStart, nameEnd, valueStart, pos)) {
                return false;
            }
            pos += 2;
        }
        return false; // the headers do not end in this write
    }

    private static boolean announcesABody(Written w, int nameStart, int nameEnd, int valueStart, int valueEnd) {
        if (equalsIgnoreCase(w, nameStart, nameEnd, TRANSFER_ENCODING)) {
            return true;
        }
        if (!equalsIgnoreCase(w, nameStart, nameEnd, CONTENT_LENGTH)) {
            return false;
        }
        int start = valueStart;
        int end = valueEnd;
        while (start < end && isOws(w.at(start))) {
            start++;
        }
        while (end > start && isOws(w.at(end - 1))) {
            end--;
        }
        if (start == end) {
            return true; // not a length this can read: held
        }
        for (int i = start; i < end; i++) {
            if (w.at(i) != '0') {
                return true; // a digit above 0, or anything that is not a digit
            }
        }
        return false;
    }

    /** The index after "GET ", "HEAD " or "OPTIONS ", or -1. */
    private static int safeMethodEnd(Written w) {
        for (byte[] method : SAFE_HTTP_METHODS) {
            if (startsWith(w, 0, method)) {
                return method.length;
            }
        }
        return -1;
    }

    private static boolean startsWith(Written w, int at, byte[] prefix) {
        if (at + prefix.length > w.size()) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (w.at(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(Written w, int at, char c) {
        return at < w.size() && w.at(at) == c;
    }

    private static boolean isCrLf(Written w, int at) {
        return at + 1 < w.size() && w.at(at) == '\r' && w.at(at + 1) == '\n';
    }

    private static boolean equalsIgnoreCase(Written w, int start, int end, byte[] lowerCase) {
        if (end - start != lowerCase.length) {
            return false;
        }
        for (int i = 0; i < lowerCase.length; i++) {
            int c = w.at(start + i);
            if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != lowerCase[i]) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 section 5.6.2: tchar. */
    private static boolean isTokenChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** A request-target is visible ASCII (RFC 9112 section 3.2, RFC 3986). */
    private static boolean isVisible(int c) {
        return c > 0x20 && c < 0x7f;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isOws(int c) {
        return c == ' ' || c == '\t';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The bytes one write sends: one buffer, or the buffers of a gathering write; position to limit, unchanged. */
    private static final class Written {
        private final ByteBuffer[] buffers;
        private final ByteBuffer single;
        private final int offset;
        private final int count;
        private final int size;

        Written(ByteBuffer[] buffers, ByteBuffer single, int offset, int count) {
            this.buffers = buffers;
            this.single = single;
            this.offset = offset;
            this.count = count;
            int total = 0;
            for (int i = 0; i < count; i++) {
                total += buffer(i).remaining();
            }
            this.size = total;
        }

        int size() {
            return size;
        }

        /** The byte at {@code index} of the write, unsigned. */
        int at(int index) {
            int skip = index;
            for (int i = 0; i < count; i++) {
                ByteBuffer b = buffer(i);
                if (skip < b.remaining()) {
                    return b.get(b.position() + skip) & 0xff;
                }
                skip -= b.remaining();
            }
            throw new IndexOutOfBoundsException(index);
        }

        private ByteBuffer buffer(int i) {
            return single != null ? single : buffers[offset + i];
        }
    }
}
