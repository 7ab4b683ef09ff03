package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Outcomes per connection and the {@code Destinations} counts, against the scripted kernel of {@link FastOpenSocketsTest}. */
class ConnectionOutcomesTest {
    private static final InetAddress HOST = InetAddress.getLoopbackAddress();

    @Test
    void destinationsKeepOnlyTheMostRecent256() {
        ConnectionOutcomes outcomes = new ConnectionOutcomes();
        outcomes.destinations();
        for (int port = 1; port <= 300; port++) {
            connectWithoutCookie(outcomes, port);
        }
        connectWithoutCookie(outcomes, 100); // used again: the most recent
        DestinationCounts[] destinations = outcomes.destinations();
        assertEquals(DestinationCounters.MAX_DESTINATIONS, destinations.length);
        assertEquals("127.0.0.1:100", destinations[0].getDestination());
        assertEquals(2L, destinations[0].getConnects());
        assertEquals(2L, destinations[0].getCookieRequests());
        assertEquals("127.0.0.1:300", destinations[1].getDestination());
        assertEquals("127.0.0.1:45", destinations[255].getDestination(), "the 44 least recently used were dropped");
        List<String> names = Arrays.stream(destinations).map(DestinationCounts::getDestination).toList();
        assertEquals(false, names.contains("127.0.0.1:44"));
    }

    @Test
    void nothingIsCountedBeforeTheAttributeIsFirstRead() {
        ConnectionOutcomes outcomes = new ConnectionOutcomes();
        outcomes.connecting(HOST, 443);
        assertEquals(ConnectionOutcome.UNOBSERVED, outcomes.connected(HOST, 443));
        assertEquals(0, outcomes.destinations().length);
    }

    @Test
    void eachConnectionsOutcomeIsCountedOnceForItsDestination() throws Exception {
        FastOpenSockets sockets = new FastOpenSockets(new ScriptedKernel(),
                DestinationPolicy.parse("127.0.0.0/8:*"), FirstWritePolicy.AUTO, ListenPolicy.none(), 1);
        DeferredHandshakes handshakes = sockets.handshakes();
        sockets.stats().outcomes().destinations();

        FileDescriptor inSyn = deferred(sockets, 1);
        handshakes.beforeWrite(null, inSyn, ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        handshakes.afterWrite(inSyn, null);
        handshakes.afterRead(inSyn, 10, null);
        handshakes.closed(inSyn); // completed already: not counted twice

        FileDescriptor held = deferred(sockets, 2);
        handshakes.beforeWrite(null, held, ascii("POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"));
        handshakes.afterRead(held, 5, null);

        FileDescriptor readFirst = deferred(sockets, 3);
        handshakes.beforeRead(null, readFirst);
        handshakes.afterRead(readFirst, 5, null);

        FileDescriptor refused = deferred(sockets, 4);
        handshakes.beforeWrite(null, refused, ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        handshakes.afterWrite(refused, new java.net.SocketException("Connection refused"));

        FileDescriptor probe = deferred(sockets, 5);
        handshakes.closed(probe);

        assertEquals(true, sockets.beforeConnect(new FileDescriptor(), HOST, 6));
        sockets.afterConnect(new FileDescriptor(), HOST, 6, -2); // in progress: not deferred

        Map<String, String> counted = new LinkedHashMap<>();
        for (DestinationCounts d : sockets.stats().outcomes().destinations()) {
            counted.put(d.getDestination(), nonZero(d));
        }
        assertEquals(Map.of(
                "127.0.0.1:1", "connects=1 synDataAcked=1",
                "127.0.0.1:2", "connects=1 heldFirstWrites=1",
                "127.0.0.1:3", "connects=1 readFirstTriggers=1",
                "127.0.0.1:4", "connects=1 errors=1",
                "127.0.0.1:5", "connects=1 closedBeforeHandshake=1",
                "127.0.0.1:6", "connects=1 cookieRequests=1"), counted);
        assertEquals(List.of("127.0.0.1:6", "127.0.0.1:5", "127.0.0.1:4", "127.0.0.1:3", "127.0.0.1:2", "127.0.0.1:1"),
                List.copyOf(counted.keySet()), "most recent first");
    }

    private static FileDescriptor deferred(FastOpenSockets sockets, int port) throws Exception {
        FileDescriptor fd = new FileDescriptor();
        // This JVM saw the destination complete a handshake before; only then is a connect deferred.
        sockets.handshakes().connected(new java.net.InetSocketAddress(HOST, port));
        assertEquals(true, sockets.beforeConnect(fd, HOST, port));
        sockets.afterConnect(fd, HOST, port, 1); // the scripted kernel says SYN_SENT: deferred
        return fd;
    }

    private static void connectWithoutCookie(ConnectionOutcomes outcomes, int port) {
        outcomes.connecting(HOST, port);
        outcomes.connected(HOST, port).notDeferred();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** "connects=1 synDataAcked=1" from "127.0.0.1:1 connects=1 synDataAcked=1 cookieRequests=0 ...". */
    private static String nonZero(DestinationCounts d) {
        return Arrays.stream(d.toString().split(" ")).skip(1).filter(kv -> !kv.endsWith("=0"))
                .reduce((a, b) -> a + " " + b).orElse("");
    }
}
