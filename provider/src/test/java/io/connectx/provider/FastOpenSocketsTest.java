package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileDescriptor;
import java.net.InetAddress;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decisions, against a scripted kernel. {@code FileDescriptor.in} stands in for a socket: the int is
 * all the logic reads, and the scripted platform never touches it.
 */
class FastOpenSocketsTest {
    private static final InetAddress HOST = InetAddress.getLoopbackAddress();

    /** Records calls, answers as told. */
    static class ScriptedKernel implements FastOpen {
        final List<String> calls = new ArrayList<>();
        boolean stream = true;
        Outcome client = Outcome.ENABLED;
        int localPort = 8080;
        /** What connectInPlace answers; null: the JDK's connect runs (Linux). */
        Integer inPlace;
        java.io.IOException inPlaceFailure;

        @Override
        public Integer connectInPlace(int fd, InetAddress address, int port) throws java.io.IOException {
            calls.add("connectInPlace");
            if (inPlaceFailure != null) {
                throw inPlaceFailure;
            }
            return inPlace;
        }

        @Override
        public boolean isStream(int fd) {
            calls.add("isStream");
            return stream;
        }

        @Override
        public Outcome enableClient(int fd) {
            calls.add("enableClient");
            return client;
        }

        @Override
        public int localInetPort(int fd) {
            return localPort;
        }

        @Override
        public boolean handshakePending(int fd) {
            calls.add("handshakePending");
            return true;
        }

        @Override
        public boolean synData(int fd) {
            calls.add("synData");
            return true;
        }

        @Override
        public void startHandshake(int fd) {
            calls.add("startHandshake");
        }

        @Override
        public int socketError(int fd) {
            return 0;
        }

        @Override
        public void awaitWritable(int fd, int timeoutMillis) {
            calls.add("awaitWritable");
        }

        @Override
        public void sendTimeout(int fd, long millis) {
            calls.add("sendTimeout " + millis);
        }

        @Override
        public Outcome enableServer(int fd, int queueLength) {
            calls.add("enableServer " + queueLength);
            return Outcome.ENABLED;
        }
    }

    private static FastOpenSockets sockets(ScriptedKernel kernel, String dest, String listen) {
        return new FastOpenSockets(kernel, DestinationPolicy.parse(dest), FirstWritePolicy.AUTO,
                listen == null ? ListenPolicy.none() : ListenPolicy.parse(listen), 99);
    }

    @Test
    void admittedTcpConnectAsksForFastOpen() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "*:443", null);
        assertEquals(true, sockets.beforeConnect(FileDescriptor.in, HOST, 443));
        assertEquals(List.of("isStream", "enableClient", "connectInPlace"), kernel.calls);
        sockets.afterConnect(FileDescriptor.in, HOST, 443, 1);
        assertEquals(1, sockets.stats().deferred());
    }

    @Test
    void aPlatformThatConnectsInPlaceMakesTheJdkSkipItsConnect() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.inPlace = 1;
        FastOpenSockets sockets = sockets(kernel, "*:443", null);
        assertEquals(Integer.valueOf(1), sockets.beforeConnect(FileDescriptor.in, HOST, 443));
        assertEquals(List.of("isStream", "enableClient", "connectInPlace", "handshakePending"), kernel.calls);
        assertEquals(1, sockets.stats().deferred(), "tracked for the read-first trigger without an afterConnect");
    }

    @Test
    void aFailedInPlaceConnectThrowsWhatConnectWould() {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.inPlaceFailure = new java.net.ConnectException("ECONNREFUSED: connectx");
        FastOpenSockets sockets = sockets(kernel, "*:443", null);
        org.junit.jupiter.api.Assertions.assertThrows(java.net.ConnectException.class,
                () -> sockets.beforeConnect(FileDescriptor.in, HOST, 443));
    }

    @Test
    void outsideThePolicyTheConnectProceedsUntouched() throws Exception {
        FastOpenSockets sockets = sockets(new ScriptedKernel(), "*:443", null);
        assertEquals(Boolean.FALSE, sockets.beforeConnect(FileDescriptor.in, HOST, 80));
    }

    @Test
    void destinationOutsideThePolicyMakesNoSystemCall() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "*:443", null);
        sockets.beforeConnect(FileDescriptor.in, HOST, 80);
        assertEquals(List.of(), kernel.calls);
        assertEquals(0, sockets.stats().admitted());
    }

    @Test
    void datagramConnectIsLeftAlone() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.stream = false;
        FastOpenSockets sockets = sockets(kernel, "*:443", null);
        sockets.beforeConnect(FileDescriptor.in, HOST, 443);
        assertEquals(List.of("isStream"), kernel.calls);
        assertEquals(0, sockets.stats().admitted());
    }

    @Test
    void unsupportedKernelIsAskedOnceThenLeftAlone() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        kernel.client = FastOpen.Outcome.UNSUPPORTED;
        FastOpenSockets sockets = sockets(kernel, "*:*", null);
        sockets.beforeConnect(FileDescriptor.in, HOST, 443);
        sockets.beforeConnect(FileDescriptor.in, HOST, 443);
        assertEquals(List.of("isStream", "enableClient"), kernel.calls);
        assertEquals(1, sockets.stats().fallbacks());
    }

    @Test
    void listenerOnAListedPortAcceptsFastOpenWithTheConfiguredQueue() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "*:443", "8080");
        sockets.afterListen(FileDescriptor.in);
        kernel.localPort = 9090;
        sockets.afterListen(FileDescriptor.in);
        assertEquals(List.of("enableServer 99"), kernel.calls);
        assertEquals(1, sockets.stats().listenersEnabled());
    }

    @Test
    void readInterestStartsTheHandshakeAtOnceWhereTheServerWasSeenToSpeakFirst() throws Exception {
        ScriptedKernel kernel = new ScriptedKernel();
        FastOpenSockets sockets = sockets(kernel, "*:3306", null);
        FileDescriptor first = new FileDescriptor();
        sockets.beforeConnect(first, HOST, 3306);
        sockets.afterConnect(first, HOST, 3306, 1);
        sockets.handshakes().beforeRead(first);
        sockets.handshakes().afterRead(first, 78, null); // the server's greeting, before any write

        FileDescriptor second = new FileDescriptor();
        sockets.beforeConnect(second, HOST, 3306);
        sockets.afterConnect(second, HOST, 3306, 1);
        kernel.calls.clear();
        sockets.handshakes().beforeInterest(second, SelectionKey.OP_READ);
        assertEquals(List.of("startHandshake"), kernel.calls);
    }
}
