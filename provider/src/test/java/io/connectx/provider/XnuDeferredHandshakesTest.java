package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link DeferredHandshakes} on a kernel that behaves as xnu does ({@link XnuKernel}): after the handshake
 * of a resumable connect has started, xnu fails writes with ENOTCONN until it is established, where Linux
 * waits. Every write that follows a started SYN must therefore wait for establishment first, whichever
 * guard started it, and that wait parks as the JDK parks ({@link XnuKernel#park}), never in a native call.
 * {@code FileDescriptor.in} stands in for the socket: the kernel never touches it.
 */
class XnuDeferredHandshakesTest {
    private static final FileDescriptor FD = FileDescriptor.in;
    private static final String GET = "GET / HTTP/1.1\r\n\r\n";
    private static final String POST = "POST /pay HTTP/1.1\r\n\r\n";

    private final XnuKernel kernel = new XnuKernel();
    private final FastOpenSockets sockets = new FastOpenSockets(kernel, DestinationPolicy.parse("127.0.0.0/8:*"), FirstWritePolicy.AUTO,
            ListenPolicy.none(), 16);
    private final DeferredHandshakes handshakes = sockets.handshakes();
    /** Stands for the JDK socket whose park a write waits on: the kernel model's park. */
    private static final Object JDK_SOCKET = new Object();

    {
        sockets.parkWith((socket, fd, nanos) -> kernel.park(nanos));
    }

    /** A connect to a destination this JVM has seen connect: connectx returns at once, the JDK is told "in progress". */
    private void connect() throws IOException {
        handshakes.connected(new InetSocketAddress(InetAddress.getLoopbackAddress(), 443));
        assertEquals(-2, sockets.beforeConnect(FD, InetAddress.getLoopbackAddress(), 443),
                "in progress, as Linux answers a deferred connect");
    }

    /** The JDK's write through the hooks: beforeWrite, write(2) on the xnu kernel, afterWrite. */
    private void write(String data) throws IOException {
        sockets.beforeWrite(JDK_SOCKET, FD, ByteBuffer.wrap(kernel.bytes(data)));
        IOException thrown = null;
        try {
            kernel.write(data);
        } catch (IOException e) {
            thrown = e;
        }
        Throwable mapped = handshakes.afterWrite(FD, thrown);
        if (mapped != null) {
            throw (IOException) mapped;
        }
    }

    @Test
    void aConnectToADestinationSeenBeforeIsDeferred() throws Exception {
        connect();
        assertEquals(1, sockets.stats().deferred());
        assertTrue(handshakes.isTracked(FD));
        assertEquals(List.of(), kernel.wire, "no SYN before the first read or write");
    }

    /**
     * xnu defers every connectx with CONNECT_RESUME_ON_READ_WRITE, cookie or not; a destination this JVM has
     * not seen connect must not stay deferred (a closed port would "connect"): its SYN leaves at connect (the
     * peek) and the JDK is told "in progress", so it waits for the real handshake, as on Linux.
     */
    @Test
    void aDestinationNotYetSeenIsNotDeferred() throws Exception {
        assertEquals(-2, sockets.beforeConnect(FD, InetAddress.getLoopbackAddress(), 443));
        assertEquals(List.of("SYN"), kernel.wire, "the SYN left at connect");
        assertEquals(0, sockets.stats().deferred());
        kernel.park(0); // the JDK's own wait for the handshake (poll for POLLOUT): the SYN-ACK arrives
        write(POST);
        assertEquals(List.of("SYN", POST), kernel.wire, "the first write follows the handshake, no wait of ours");
        assertEquals(false, handshakes.isTracked(FD), "its first I/O taught this JVM the destination");
        assertTrue(handshakes.hasConnected(new InetSocketAddress(InetAddress.getLoopbackAddress(), 443)));
    }

    /**
     * A timed connect's deadline wakes a read blocked in the JDK: the timer's disconnectx closes the socket in
     * SYN_SENT, which xnu reports to the read as the end of stream (tcp_close sets no so_error); the read
     * throws the connect's timeout instead.
     */
    @Test
    void aReadBlockedInTheJdkWakesAtTheConnectTimeoutAsConnectTimedOut() throws Exception {
        kernel.synAckAfterWaits = -1;
        connect();
        handshakes.afterTimedConnect(FD, TimeUnit.MILLISECONDS.toNanos(50));
        handshakes.beforeRead(null, FD);
        assertEquals(List.of("SYN"), kernel.wire, "the read started the connect, and the deadline");
        long n = kernel.blockingRead(TimeUnit.SECONDS.toMillis(10));
        assertEquals(XnuKernel.State.ABORTED, kernel.state, "the timer ended the handshake");
        Throwable thrown = handshakes.afterRead(FD, n, null);
        assertInstanceOf(SocketTimeoutException.class, thrown, "not the end of stream");
        assertEquals("Connect timed out", thrown.getMessage());
        assertThrows(SocketTimeoutException.class, () -> handshakes.beforeRead(null, FD), "and again, as the plain connect failed once");
    }

    @Test
    void aRefusalSeenByAReadIsTheConnectExceptionConnectWouldHaveThrown() throws Exception {
        kernel.synAckAfterWaits = -1;
        connect();
        handshakes.beforeRead(null, FD);
        kernel.refuse();
        IOException e = assertThrows(IOException.class, () -> kernel.blockingRead(1000));
        assertInstanceOf(ConnectException.class, handshakes.afterRead(FD, 0, e));
    }

    @Test
    void theFirstWriteOfAnIdempotentRequestRidesInTheSynWithoutWaiting() throws Exception {
        connect();
        write(GET);
        assertEquals(List.of("SYN+" + GET), kernel.wire);
        assertEquals(0, kernel.parks, "the write that carries the SYN passes sosendcheck at once");
    }

    @Test
    void aWriteBehindARidingWriteWaitsForTheClaimThenForEstablishment() throws Exception {
        connect();
        sockets.beforeWrite(JDK_SOCKET, FD, ByteBuffer.wrap(kernel.bytes(GET))); // rides, holding the claim
        Throwable[] second = new Throwable[1];
        Thread behind = new Thread(() -> {
            try {
                write("more");
            } catch (Throwable t) {
                second[0] = t;
            }
        });
        behind.start();
        behind.join(200);
        assertTrue(behind.isAlive(), "the second write waits while the first rides");
        assertEquals(List.of(), kernel.wire);
        kernel.write(GET);
        assertEquals(null, handshakes.afterWrite(FD, null));
        behind.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(false, behind.isAlive());
        assertEquals(null, second[0]);
        assertEquals(List.of("SYN+" + GET, "more"), kernel.wire);
    }

    @Test
    void aReplayUnsafeFirstWriteWaitsForEstablishmentInsteadOfFailingWithEnotconn() throws Exception {
        connect();
        write(POST);
        assertEquals(List.of("SYN", POST), kernel.wire, "held out of the SYN, then written once established");
        assertEquals(1, sockets.stats().replayUnsafeHeld());
        assertTrue(kernel.parks > 0, "the write waited by parking");
    }

    @Test
    void aWriteAfterAReadStartedTheConnectWaitsForEstablishment() throws Exception {
        connect();
        handshakes.beforeRead(null, FD);
        assertEquals(XnuKernel.State.CONNECTING, kernel.state, "a read starts the connect (soreceive, pru_preconnect)");
        write(GET);
        assertEquals(List.of("SYN", GET), kernel.wire);
    }

    @Test
    void aWriteAfterTheFirstWriteRodeInTheSynWaitsForEstablishment() throws Exception {
        connect();
        write(GET);
        write("more");
        assertEquals(List.of("SYN+" + GET, "more"), kernel.wire);
    }

    @Test
    void aWriteAfterTheReadInterestGraceStartedTheConnectWaitsForEstablishment() throws Exception {
        connect();
        handshakes.beforeInterest(null, FD, SelectionKey.OP_READ);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (kernel.state == XnuKernel.State.PRECONNECT && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(XnuKernel.State.CONNECTING, kernel.state, "the grace ran out and the timer started the connect");
        write(GET);
        assertEquals(List.of("SYN", GET), kernel.wire);
    }

    @Test
    void aShutdownOutputBeforeAnyWriteWaitsForEstablishment() throws Exception {
        connect();
        sockets.beforeShutdownOutput(JDK_SOCKET, FD);
        assertEquals(XnuKernel.State.ESTABLISHED, kernel.state);
    }

    @Test
    void theWaitIsBoundedByTheConnectTimeout() throws Exception {
        kernel.synAckAfterWaits = -1;
        connect();
        handshakes.afterTimedConnect(FD, TimeUnit.MILLISECONDS.toNanos(50));
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> write(POST));
        assertEquals("Connect timed out", e.getMessage());
        assertEquals(List.of("SYN"), kernel.wire, "the held write never reached the kernel");
    }

    @Test
    void withoutAConnectTimeoutTheWaitIsBoundedByTheKernelsOwnHandshakeLimit() throws Exception {
        kernel.synAckAfterWaits = -1;
        kernel.plainHandshakeNanos = TimeUnit.MILLISECONDS.toNanos(50);
        connect();
        assertThrows(SocketTimeoutException.class, () -> write(POST));
        assertEquals(TimeUnit.SECONDS.toNanos(75), new DarwinFastOpen().plainHandshakeNanos(),
                "xnu's TCPTV_KEEP_INIT (bsd/netinet/tcp_timer.h)");
    }

    @Test
    void aRefusedHandshakeIsReportedAsConnectWouldHave() throws Exception {
        kernel.synAckAfterWaits = -1;
        connect();
        handshakes.beforeRead(null, FD);
        kernel.refuse();
        IOException e = assertThrows(IOException.class, () -> write(GET));
        assertInstanceOf(ConnectException.class, e);
        assertEquals(List.of("SYN"), kernel.wire);
    }

    @Test
    void onLinuxTheSameWriteIsLeftToTheKernelWhichWaitsByItself() {
        assertEquals(false, new LinuxFastOpen().writesFailUntilEstablished());
        assertEquals(true, new DarwinFastOpen().writesFailUntilEstablished());
    }
}
