package io.connectx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.BoundDevice;
import io.connectx.sys.FileDescriptors;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The man page's semantics on this kernel, over loopback: one test per errno that Linux lets a test
 * provoke, then binding, datagram association and data. The Fast Open claims are in {@link ConnectxFastOpenTest}.
 */
class ConnectxTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static ConnectxErrno errnoOf(Class<? extends IOException> type, Executable call) {
        IOException e = assertThrows(type, call);
        Optional<ConnectxErrno> errno = ConnectxErrno.of(e);
        assertTrue(errno.isPresent(), "no errno in: " + e);
        return errno.get();
    }

    private static ServerSocketChannel listener() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
    }

    private static InetSocketAddress address(ServerSocketChannel server) throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    @Test
    void aSourceAddressInUseIsEaddrinuse() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            Endpoints e = new Endpoints(0, address(server), address(server));
            assertEquals(ConnectxErrno.EADDRINUSE, errnoOf(BindException.class, () -> Connectx.connectx(client, e, 0)));
        }
    }

    @Test
    void aSourceAddressNotOnThisMachineIsEaddrnotavail() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            // TEST-NET-2 (RFC 5737): assigned to no host.
            Endpoints e = new Endpoints(0, new InetSocketAddress("198.51.100.77", 0), address(server));
            assertEquals(ConnectxErrno.EADDRNOTAVAIL, errnoOf(BindException.class, () -> Connectx.connectx(client, e, 0)));
        }
    }

    @Test
    void aSourceAddressNotOnTheForcedInterfaceIsEaddrnotavailAndChangesNothing() throws Exception {
        InetAddress elsewhere = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(nif -> !nif.getName().equals("lo"))
                .flatMap(nif -> Collections.list(nif.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst().orElse(null);
        Assumptions.assumeTrue(elsewhere != null, "skipped: this machine has no IPv4 address outside lo to test with");
        int lo = NetworkInterface.getByName("lo").getIndex();
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            Endpoints e = new Endpoints(lo, new InetSocketAddress(elsewhere, 0), address(server));
            BindException thrown = assertThrows(BindException.class, () -> Connectx.connectx(client, e, 0));
            assertTrue(thrown.getMessage().startsWith("EADDRNOTAVAIL: " + elsewhere.getHostAddress()
                    + " is not assigned to interface lo"), thrown.getMessage());
            assertNull(client.getLocalAddress(), "the socket was left unbound");
        }
    }

    @Test
    void srcifForcesTheInterfaceAndSrcIsBound() throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            InetSocketAddress src = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
            assertEquals(0, Connectx.connectx(client, new Endpoints(lo.getIndex(), src, address(server)), 0));
            assertTrue(client.isConnected());
            assertEquals(src.getAddress(), ((InetSocketAddress) client.getLocalAddress()).getAddress());
            assertEquals("lo", BoundDevice.of(FileDescriptors.of(client)));
        }
    }

    @Test
    void aDestinationOutsideTheChannelsFamilyIsEafnosupport() throws Exception {
        try (SocketChannel v4only = SocketChannel.open(StandardProtocolFamily.INET);
                SocketChannel dual = SocketChannel.open()) {
            Endpoints v6 = Endpoints.to(new InetSocketAddress("::1", 9));
            assertEquals(ConnectxErrno.EAFNOSUPPORT, errnoOf(ConnectxException.class, () -> Connectx.connectx(v4only, v6, 0)));
            Endpoints mixed = new Endpoints(0, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("::1", 9));
            assertEquals(ConnectxErrno.EAFNOSUPPORT, errnoOf(ConnectxException.class, () -> Connectx.connectx(dual, mixed, 0)));
        }
    }

    @Test
    void aPendingNonBlockingConnectIsEinprogressThenEalready() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            client.configureBlocking(false);
            Endpoints e = Endpoints.to(address(server));
            assertEquals(ConnectxErrno.EINPROGRESS, errnoOf(ConnectxException.class, () -> Connectx.connectx(client, e, 0)));
            assertTrue(client.isConnectionPending());
            assertEquals(ConnectxErrno.EALREADY, errnoOf(ConnectxException.class, () -> Connectx.connectx(client, e, 0)));
            client.configureBlocking(true);
            assertTrue(client.finishConnect(), "EINPROGRESS leaves a connect the JDK can finish");
        }
    }

    @Test
    void aClosedChannelIsEbadf() throws Exception {
        SocketChannel client = SocketChannel.open();
        client.close();
        Endpoints e = Endpoints.to(new InetSocketAddress(LOOPBACK, 9));
        assertEquals(ConnectxErrno.EBADF, errnoOf(ConnectxException.class, () -> Connectx.connectx(client, e, 0)));
    }

    @Test
    void aClosedPortIsEconnrefused() throws Exception {
        InetSocketAddress closed;
        try (ServerSocketChannel server = listener()) {
            closed = address(server);
        }
        try (SocketChannel client = SocketChannel.open()) {
            assertEquals(ConnectxErrno.ECONNREFUSED,
                    errnoOf(ConnectException.class, () -> Connectx.connectx(client, Endpoints.to(closed), 0)));
        }
    }

    @Test
    void aNullIovElementIsEfault() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            Endpoints e = Endpoints.to(address(server));
            ByteBuffer[] iov = {ByteBuffer.allocate(1), null};
            assertEquals(ConnectxErrno.EFAULT,
                    errnoOf(ConnectxException.class, () -> Connectx.connectx(client, e, 0, iov)));
            assertFalse(client.isConnected(), "checked before anything was done");
        }
    }

    @Test
    void anInterruptedConnectIsEintr() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            Thread.currentThread().interrupt();
            try {
                assertEquals(ConnectxErrno.EINTR,
                        errnoOf(ConnectxException.class, () -> Connectx.connectx(client, Endpoints.to(address(server)), 0)));
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void datagramDataLargerThanOneDatagramIsEmsgsizeAndLeavesTheSocketUnchanged() throws Exception {
        try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                DatagramChannel socket = DatagramChannel.open()) {
            Endpoints e = Endpoints.to((InetSocketAddress) peer.getLocalAddress());
            assertEquals(ConnectxErrno.EMSGSIZE, errnoOf(ConnectxException.class,
                    () -> Connectx.connectx(socket, e, 0, ByteBuffer.allocate(Connectx.MAX_DATAGRAM_V4 + 1))));
            assertFalse(socket.isConnected());
            assertNull(socket.getLocalAddress());
            assertEquals(Connectx.MAX_DATAGRAM_V4, Connectx.connectx(socket, e, 0, ByteBuffer.allocate(Connectx.MAX_DATAGRAM_V4)),
                    "the largest IPv4 datagram goes");
        }
    }

    @Test
    void invalidArgumentsAreEinval() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            InetSocketAddress dst = address(server);
            Executable[] calls = {
                () -> Connectx.connectx(client, null, 0),
                () -> Connectx.connectx(client, Endpoints.to(null), 0),
                () -> Connectx.connectx(client, Endpoints.to(InetSocketAddress.createUnresolved("example.invalid", 80)), 0),
                () -> Connectx.connectx(client, Endpoints.to(dst), 0x80),
                () -> Connectx.connectx(client, new Endpoints(-1, null, dst), 0),
                () -> Connectx.connectx(client, new Endpoints(Integer.MAX_VALUE, null, dst), 0),
            };
            for (Executable call : calls) {
                assertEquals(ConnectxErrno.EINVAL, errnoOf(ConnectxException.class, call));
            }
            client.bind(new InetSocketAddress(LOOPBACK, 0));
            Endpoints rebind = new Endpoints(0, new InetSocketAddress(LOOPBACK, 0), dst);
            assertEquals(ConnectxErrno.EINVAL, errnoOf(ConnectxException.class, () -> Connectx.connectx(client, rebind, 0)));
        }
    }

    @Test
    void aConnectedStreamSocketIsEisconn() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            Endpoints e = Endpoints.to(address(server));
            assertEquals(0, Connectx.connectx(client, e, 0));
            assertEquals(ConnectxErrno.EISCONN, errnoOf(ConnectxException.class, () -> Connectx.connectx(client, e, 0)));
        }
    }

    @Test
    void aListeningSocketIsEopnotsupp() throws Exception {
        try (ServerSocketChannel server = listener()) {
            Endpoints e = Endpoints.to(address(server));
            assertEquals(ConnectxErrno.EOPNOTSUPP, errnoOf(ConnectxException.class, () -> Connectx.connectx(server, e, 0)));
        }
    }

    @Test
    void aMulticastDestinationOfAStreamSocketIsEnetunreach() throws Exception {
        // net/ipv4/tcp_ipv4.c tcp_v4_connect: a route flagged RTCF_MULTICAST|RTCF_BROADCAST is -ENETUNREACH.
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            Endpoints e = Endpoints.to(new InetSocketAddress("224.0.0.1", 9));
            assertEquals(ConnectxErrno.ENETUNREACH, errnoOf(ConnectxException.class, () -> Connectx.connectx(client, e, 0)));
        }
    }

    @Test
    void disconnectxNeedsAnAssociatedDatagramChannel() throws Exception {
        try (DatagramChannel datagram = DatagramChannel.open(); SocketChannel stream = SocketChannel.open()) {
            assertEquals(ConnectxErrno.ENOTCONN, errnoOf(ConnectxException.class, () -> Connectx.disconnectx(datagram)));
            assertEquals(ConnectxErrno.EOPNOTSUPP, errnoOf(ConnectxException.class, () -> Connectx.disconnectx(stream)));
            datagram.close();
            assertEquals(ConnectxErrno.EBADF, errnoOf(ConnectxException.class, () -> Connectx.disconnectx(datagram)));
        }
    }

    @Test
    void datagramAssociationCanBeDissolvedAndMadeWithAnotherPeer() throws Exception {
        try (DatagramChannel first = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                DatagramChannel second = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
                DatagramChannel socket = DatagramChannel.open()) {
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            long len = Connectx.connectx(socket, Endpoints.to((InetSocketAddress) first.getLocalAddress()), 0,
                    ByteBuffer.wrap(hello, 0, 2), ByteBuffer.wrap(hello, 2, 3));
            assertEquals(5, len);
            assertEquals(first.getLocalAddress(), socket.getRemoteAddress());
            ByteBuffer received = ByteBuffer.allocate(16);
            first.receive(received);
            assertEquals("hello", new String(received.array(), 0, received.position(), StandardCharsets.US_ASCII),
                    "the iov went as one datagram, in order");
            Endpoints toSecond = Endpoints.to((InetSocketAddress) second.getLocalAddress());
            assertEquals(ConnectxErrno.EISCONN, errnoOf(ConnectxException.class, () -> Connectx.connectx(socket, toSecond, 0)));
            Connectx.disconnectx(socket);
            assertFalse(socket.isConnected());
            assertEquals(1, Connectx.connectx(socket, toSecond, 0, ByteBuffer.wrap(hello, 0, 1)));
            assertEquals(second.getLocalAddress(), socket.getRemoteAddress());
        }
    }

    @Test
    void streamDataIsEnqueuedAndItsLengthReported() throws Exception {
        try (ServerSocketChannel server = listener(); SocketChannel client = SocketChannel.open()) {
            byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            long len = Connectx.connectx(client, Endpoints.to(address(server)), 0, ByteBuffer.wrap(request));
            assertEquals(request.length, len);
            try (SocketChannel accepted = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(request.length);
                while (in.hasRemaining() && accepted.read(in) > 0) {
                    // bounded: at most request.length bytes, and read returns -1 at EOF
                }
                assertEquals(new String(request, StandardCharsets.US_ASCII), new String(in.array(), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void notAStreamOrDatagramChannelIsEopnotsupp() throws Exception {
        try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Endpoints e = Endpoints.to(new InetSocketAddress(LOOPBACK, 9));
            assertInstanceOf(ConnectxException.class, assertThrows(IOException.class, () -> Connectx.connectx(unix, e, 0)));
            assertEquals(ConnectxErrno.EAFNOSUPPORT, errnoOf(ConnectxException.class, () -> Connectx.connectx(unix, e, 0)),
                    "a Unix-domain SocketChannel cannot reach an inet address");
        }
    }
}
