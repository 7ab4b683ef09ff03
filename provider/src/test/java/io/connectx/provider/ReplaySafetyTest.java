package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** first=auto: a write rides in the SYN only when all of it is one replay-safe message. */
class ReplaySafetyTest {
    private static final String GET = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";

    @ParameterizedTest
    @ValueSource(strings = {
        GET,
        "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.0\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\ncontent-length:  00 \r\n\r\n",
        "GET /?q=a%20b HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n",
    })
    void oneCompleteSafeRequestWithoutABodyRides(String request) {
        assertTrue(safe(request), request);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
        "PUT / HTTP/1.1\r\nHost: a\r\n\r\n",
        "DELETE / HTTP/1.1\r\nHost: a\r\n\r\n",
        "get / HTTP/1.1\r\nHost: a\r\n\r\n",
        // Two pipelined requests in one write: the second is not replay-safe.
        "GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
        "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
        // A Redis inline command that starts like a GET.
        "GET k\r\nINCR c\r\n",
        "GET k\r\n",
        // Incomplete: the headers do not end in this write.
        "GET / HTTP/1.1\r\nHost: a\r\n",
        "GET / HTTP/1.1\r\n",
        "GET / HTTP/1.1",
        "GET ",
        // A body, announced or not.
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: identity\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\r\nx",
        // Not HTTP/1.x, or malformed.
        "GET / HTTP/2\r\n\r\n",
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\n\n",
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\n: no-name\r\n\r\n",
        "",
    })
    void anythingElseIsHeld(String write) {
        assertFalse(safe(write), write.replace("\r\n", "\\r\\n"));
    }

    @Test
    void aRequestSplitOverSeveralWritesIsHeldAtItsFirstPart() {
        assertFalse(safe(GET.substring(0, 20)));
    }

    @Test
    void aGatheringWriteIsJudgedAsTheBytesItSendsTogether() {
        ByteBuffer[] split = buffers(GET.substring(0, 7), "", GET.substring(7, 30), GET.substring(30));
        assertTrue(ReplaySafety.isReplaySafe(split, 0, split.length));
        ByteBuffer[] withBody = buffers(GET, "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
        assertFalse(ReplaySafety.isReplaySafe(withBody, 0, withBody.length), "a request, then another in the next buffer");
        assertTrue(ReplaySafety.isReplaySafe(withBody, 0, 1), "offset and length bound the write");
        ByteBuffer[] headerOnly = buffers("GET / HTTP/1.1\r\n", "Host: a\r\n\r\n", "body");
        assertFalse(ReplaySafety.isReplaySafe(headerOnly, 0, 3));
        assertTrue(ReplaySafety.isReplaySafe(headerOnly, 0, 2));
    }

    @Test
    void theBufferIsReadFromItsPositionAndLeftUnchanged() {
        ByteBuffer b = ByteBuffer.wrap(("xx" + GET + "yy").getBytes(StandardCharsets.US_ASCII));
        b.position(2).limit(2 + GET.length());
        assertTrue(ReplaySafety.isReplaySafe(b));
        assertTrue(b.position() == 2 && b.limit() == 2 + GET.length());
    }

    @Test
    void exactlyOneClientHelloRecordRides() {
        assertTrue(ReplaySafety.isReplaySafe(ByteBuffer.wrap(clientHello(200))));
        assertTrue(ReplaySafety.isReplaySafe(ByteBuffer.wrap(clientHello(16_380))));
    }

    @Test
    void aClientHelloWithMoreAfterItOrCutShortIsHeld() {
        byte[] hello = clientHello(200);
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(hello, 0, hello.length - 1)), "split: the first part");
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(hello, 0, 5)), "the record header alone");
        byte[] two = new byte[hello.length * 2];
        System.arraycopy(hello, 0, two, 0, hello.length);
        System.arraycopy(hello, 0, two, hello.length, hello.length);
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(two)), "two records in one write");
        byte[] more = java.util.Arrays.copyOf(hello, hello.length + 6);
        more[hello.length] = 23; // application data after the hello
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(more)));
    }

    @Test
    void aRecordThatIsNotExactlyOneClientHelloIsHeld() {
        byte[] serverHello = clientHello(100);
        serverHello[5] = 2;
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(serverHello)));
        byte[] appData = clientHello(100);
        appData[0] = 23;
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(appData)));
        byte[] fragment = clientHello(100);
        fragment[8]++; // the hello claims more than the record holds: the rest would follow in another record
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(fragment)));
        byte[] version = clientHello(100);
        version[2] = 9;
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(version)));
    }

    @Test
    void aClientHelloSplitAcrossTheBuffersOfOneGatheringWriteRides() {
        byte[] hello = clientHello(300);
        ByteBuffer[] parts = {ByteBuffer.wrap(hello, 0, 3), ByteBuffer.wrap(hello, 3, 4), ByteBuffer.wrap(hello, 7, hello.length - 7)};
        assertTrue(ReplaySafety.isReplaySafe(parts, 0, 3));
        assertFalse(ReplaySafety.isReplaySafe(parts, 0, 2));
    }

    @Test
    void aRecordLargerThanTlsAllowsOrOfAnotherMajorVersionIsHeld() {
        assertTrue(ReplaySafety.isReplaySafe(ByteBuffer.wrap(clientHello((1 << 14) - 4))), "the largest fragment");
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(clientHello((1 << 14) - 3))), "one byte over 2^14");
        byte[] major = clientHello(100);
        major[1] = 2;
        assertFalse(ReplaySafety.isReplaySafe(ByteBuffer.wrap(major)));
        byte[] tls13Framing = clientHello(100);
        tls13Framing[2] = 4;
        assertTrue(ReplaySafety.isReplaySafe(ByteBuffer.wrap(tls13Framing)), "legacy_record_version 3.4 is still a record");
    }

    @Test
    void severalClientHellosInOneGatheringWriteAreHeld() {
        byte[] hello = clientHello(120);
        ByteBuffer[] two = {ByteBuffer.wrap(hello), ByteBuffer.wrap(hello)};
        assertFalse(ReplaySafety.isReplaySafe(two, 0, 2));
        assertTrue(ReplaySafety.isReplaySafe(two, 1, 1), "offset and length bound the write");
    }

    @Test
    void aGatheringWriteSkipsItsEmptyAndSpentBuffers() {
        byte[] hello = clientHello(64);
        ByteBuffer spent = ByteBuffer.wrap(hello);
        spent.position(spent.limit()); // written already by an earlier partial write
        ByteBuffer[] parts = {ByteBuffer.wrap(new byte[] {9}), spent, ByteBuffer.wrap(hello, 0, 1), ByteBuffer.allocate(0),
            ByteBuffer.allocateDirect(hello.length - 1).put(hello, 1, hello.length - 1).flip()};
        assertTrue(ReplaySafety.isReplaySafe(parts, 1, 4), "a heap and a direct buffer, around an empty one");
        assertFalse(ReplaySafety.isReplaySafe(parts, 0, 5), "the byte before the record is part of the write");
        ByteBuffer[] getSplit = buffers("GE", "", "T / HTTP/1.1\r\nHost: a\r", "\n\r\n");
        assertTrue(ReplaySafety.isReplaySafe(getSplit, 0, 4), "a request split at every awkward place");
    }

    @Test
    void thePoliciesOtherThanAutoDoNotLook() {
        ByteBuffer post = ByteBuffer.wrap("POST / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(FirstWritePolicy.ALWAYS.allowsInSyn(post));
        assertFalse(FirstWritePolicy.NEVER.allowsInSyn(ByteBuffer.wrap(GET.getBytes(StandardCharsets.US_ASCII))));
        assertTrue(FirstWritePolicy.AUTO.allowsInSyn(buffers(GET), 0, 1));
    }

    /** A TLS 1.2-framed record holding one ClientHello whose body is {@code body} bytes. */
    static byte[] clientHello(int body) {
        int fragment = 4 + body;
        byte[] record = new byte[5 + fragment];
        record[0] = 22;
        record[1] = 3;
        record[2] = 1;
        record[3] = (byte) (fragment >> 8);
        record[4] = (byte) fragment;
        record[5] = 1;
        record[6] = (byte) (body >> 16);
        record[7] = (byte) (body >> 8);
        record[8] = (byte) body;
        record[9] = 3;
        record[10] = 3;
        return record;
    }

    private static boolean safe(String write) {
        return ReplaySafety.isReplaySafe(ByteBuffer.wrap(write.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static ByteBuffer[] buffers(String... parts) {
        ByteBuffer[] result = new ByteBuffer[parts.length];
        for (int i = 0; i < parts.length; i++) {
            result[i] = ByteBuffer.wrap(parts[i].getBytes(StandardCharsets.US_ASCII));
        }
        return result;
    }
}
