package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.nio.channels.SelectionKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decisions, against a scripted kernel. {@code FileDescriptor.in} stands in for a socket: the int is
 * all the logic reads, and the scripted platform never touches it.
 */
class FastOpenSocketsTest {
    private static final InetAddress HOST = InetAddress.getLoopbackAddress();

    private static FastOpenSockets sockets(ScriptedKernel kernel, String dest, String listen) {
        return new FastOpenSockets(kernel, DestinationPolicy.parse(dest), FirstWritePolicy.AUTO,
                listen == null ? ListenPolicy.none() : ListenPolicy.parse(listen), 99);
    }

    @Test
    void admittedTcpConnectAsksForFastOpen() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        assertEquals(true, sockets.beforeConnect(FileDescriptor.in, HOST, 443));
        assertEquals(List.of("isStream", "enableClient", "connectInPlace"), kernel.calls);
    }

    @Test
    void aDestinationNotYetSeenToConnectGetsItsSynAtOnceAndTheJdkWaitsForTheHandshake() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        FileDescriptor fd = new FileDescriptor();
        sockets.beforeConnect(fd, HOST, 443);
        kernel.take();
        assertEquals(-2, sockets.afterConnect(fd, HOST, 443, 1), "in progress, as a plain connect until its handshake");
        assertEquals(List.of("handshakePending", "startHandshake"), kernel.take());
        assertEquals(0, sockets.stats().deferred());
    }

    @Test
    void aDeferredConnectToADestinationSeenToConnectIsReportedInProgress() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        learn(sockets, kernel, 443);
        FileDescriptor fd = new FileDescriptor();
        sockets.beforeConnect(fd, HOST, 443);
        kernel.take();
        assertEquals(-2, sockets.afterConnect(fd, HOST, 443, 1), "a non-blocking connect returns false, as plain");
        assertEquals(List.of("handshakePending"), kernel.take(), "no SYN yet: the first write may carry it");
        assertEquals(1, sockets.stats().deferred());
    }

    @Test
    void aConnectToAnotherPortOfAKnownAddressIsNotDeferred() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:*", null);
        learn(sockets, kernel, 443);
        FileDescriptor probe = new FileDescriptor();
        sockets.beforeConnect(probe, HOST, 444);
        kernel.take();
        assertEquals(-2, sockets.afterConnect(probe, HOST, 444, 1));
        assertEquals(List.of("handshakePending", "startHandshake"), kernel.take(), "the cookie is per address, the answer per port");
    }

    @Test
    void aHandshakeThatTheKernelRanIsLearnedAtTheSocketsFirstIo() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        kernel.pending = false;
        FileDescriptor fd = new FileDescriptor();
        sockets.beforeConnect(fd, HOST, 443);
        assertEquals(-2, sockets.afterConnect(fd, HOST, 443, -2), "a plain connect in progress stays so");
        FileDescriptor second = new FileDescriptor();
        kernel.pending = true;
        assertEquals(-2, sockets.afterConnect(second, HOST, 443, 1));
        assertEquals(0, sockets.stats().deferred(), "not learned before the first socket was used");
        sockets.beforeWrite(null, fd, java.nio.ByteBuffer.wrap(new byte[] {1}));
        FileDescriptor third = new FileDescriptor();
        sockets.afterConnect(third, HOST, 443, 1);
        assertEquals(1, sockets.stats().deferred());
    }

    /** A blocking connect to {@code port} that completed its handshake in the kernel. */
    private static void learn(FastOpenSockets sockets, ScriptedKernel kernel, int port) throws Exception {
        FileDescriptor fd = new FileDescriptor();
        kernel.pending = false;
        sockets.beforeConnect(fd, HOST, port);
        assertEquals(1, sockets.afterConnect(fd, HOST, port, 1));
        kernel.pending = true;
        kernel.take();
    }

    /**
     * Darwin: connectx defers every connect, and the JDK's connect is skipped. A destination this JVM has
     * not seen connect gets its SYN at once and the JDK waits for the handshake, as on Linux.
     */
    @Test
    void aPlatformThatConnectsInPlaceStartsTheHandshakeOfADestinationNotYetSeen() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.inPlace = 1;
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        FileDescriptor fd = new FileDescriptor();
        assertEquals(Integer.valueOf(-2), sockets.beforeConnect(fd, HOST, 443), "in progress, as a plain connect");
        assertEquals(List.of("isStream", "enableClient", "connectInPlace", "handshakePending", "startHandshake"),
                kernel.calls);
        assertEquals(0, sockets.stats().deferred());
    }

    /** ... and a destination it has seen stays deferred, answered "in progress" as a Linux deferred connect. */
    @Test
    void aPlatformThatConnectsInPlaceAnswersADeferredConnectInProgress() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        learn(sockets, kernel, 443);
        kernel.inPlace = 1;
        FileDescriptor fd = new FileDescriptor();
        assertEquals(Integer.valueOf(-2), sockets.beforeConnect(fd, HOST, 443));
        assertEquals(List.of("isStream", "enableClient", "connectInPlace", "handshakePending"), kernel.take());
        assertEquals(1, sockets.stats().deferred(), "tracked for the read-first trigger without an afterConnect");
        assertEquals(true, sockets.isTracked(fd));
    }

    @Test
    void aFailedInPlaceConnectThrowsWhatConnectWould() {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.inPlaceFailure = new java.net.ConnectException("ECONNREFUSED: connectx");
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        org.junit.jupiter.api.Assertions.assertThrows(java.net.ConnectException.class,
                () -> sockets.beforeConnect(FileDescriptor.in, HOST, 443));
    }

    @Test
    void outsideThePolicyTheConnectProceedsUntouched() throws Exception {
        FastOpenSockets sockets = sockets(new ScriptedKernel(), "127.0.0.0/8:443", null);
        assertEquals(Boolean.FALSE, sockets.beforeConnect(FileDescriptor.in, HOST, 80));
    }

    @Test
    void destinationOutsideThePolicyMakesNoSystemCall() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        sockets.beforeConnect(FileDescriptor.in, HOST, 80);
        assertEquals(List.of(), kernel.calls);
        assertEquals(0, sockets.stats().admitted());
    }

    @Test
    void datagramConnectIsLeftAlone() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.stream = false;
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", null);
        sockets.beforeConnect(FileDescriptor.in, HOST, 443);
        assertEquals(List.of("isStream"), kernel.calls);
        assertEquals(0, sockets.stats().admitted());
    }

    @Test
    void unsupportedKernelIsAskedOnceThenLeftAlone() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.client = FastOpen.Outcome.UNSUPPORTED;
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:*", null);
        sockets.beforeConnect(FileDescriptor.in, HOST, 443);
        sockets.beforeConnect(FileDescriptor.in, HOST, 443);
        assertEquals(List.of("isStream", "enableClient"), kernel.calls);
        assertEquals(1, sockets.stats().fallbacks());
    }

    @Test
    void listenerOnAListedPortAcceptsFastOpenWithTheConfiguredQueue() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:443", "8080");
        sockets.afterListen(FileDescriptor.in);
        kernel.localPort = 9090;
        sockets.afterListen(FileDescriptor.in);
        assertEquals(List.of("enableServer 99"), kernel.calls);
        assertEquals(1, sockets.stats().listenersEnabled());
    }

    @Test
    void readInterestStartsTheHandshakeAtOnceWhereTheServerWasSeenToSpeakFirst() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "127.0.0.0/8:3306", null);
        learn(sockets, kernel, 3306);
        FileDescriptor first = new FileDescriptor();
        sockets.beforeConnect(first, HOST, 3306);
        sockets.afterConnect(first, HOST, 3306, 1);
        sockets.beforeRead(null, first);
        sockets.afterRead(first, 78, null); // the server's greeting, before any write

        FileDescriptor second = new FileDescriptor();
        sockets.beforeConnect(second, HOST, 3306);
        sockets.afterConnect(second, HOST, 3306, 1);
        kernel.calls.clear();
        sockets.beforeInterest(null, second, SelectionKey.OP_READ);
        assertEquals(List.of("startHandshake"), kernel.calls);
    }
}
