package io.connectx.sys.darwin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.connectx.sys.Errno;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.KernelFastOpen;
import io.connectx.sys.LinuxSocketOptions;
import io.connectx.sys.LinuxSockets;
import io.connectx.sys.TcpInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The xnu-model library (native/src/xnu-model/xnu_model.c) through the Darwin JNA bindings, as the Darwin
 * path calls it: its ABI (Darwin's constants, sockaddrs and errno numbers) and the rules of xnu it copies.
 * Run by surefire's xnu-model execution with {@value DarwinSockets#LIBRARY_PROPERTY} naming the library.
 */
class XnuModelTest {
    private static final int RESUME_IDEMPOTENT = DarwinConstants.CONNECT_RESUME_ON_READ_WRITE
            | DarwinConstants.CONNECT_DATA_IDEMPOTENT;
    private static final int MSG_PEEK = DarwinConstants.MSG_PEEK;
    private static final int TCPS_ESTABLISHED = 4;
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @BeforeAll
    static void bound() {
        if (DarwinSockets.library() == null) { // run alone (-Dtest=XnuModelTest) rather than by its own execution
            DarwinSockets.useLibrary(java.nio.file.Path.of("target/xnu-model/libxnu-model.so").toAbsolutePath().toString());
        }
        assertNotNull(DarwinSockets.library());
        assertTrue(DarwinSockets.isAvailable(), () -> "the model did not bind: " + DarwinSockets.unavailabilityCause());
    }

    @Test
    void resumeReturnsAtOnceWithTheSynDeferredAndAPeekStartsTheConnect() throws Exception {
        try (ServerSocketChannel server = fastOpenListener()) {
            warmCookie(server);
            server.configureBlocking(false);
            try (SocketChannel client = SocketChannel.open()) {
                int fd = FileDescriptors.of(client);
                assertEquals(0, connectx(fd, address(server), RESUME_IDEMPOTENT));
                assertEquals(DarwinConstants.TCPS_SYN_SENT, TcpConnectionInfo.of(fd).state());
                assertNull(server.accept(), "no SYN before the first read or write (tcp_connect_complete)");
                LastErrorException wouldBlock = assertThrows(LastErrorException.class,
                        () -> DarwinSockets.recv(fd, new byte[1], 1, MSG_PEEK | DarwinConstants.MSG_DONTWAIT));
                assertEquals(35, wouldBlock.getErrorCode(), "Darwin's EAGAIN");
                try (SocketChannel accepted = acceptWithin(server, 5_000)) {
                    assertNotNull(accepted, "the peek sent the SYN (soreceive calls pru_preconnect)");
                }
            }
        }
    }

    /** The typed operations the Darwin path uses, as LinuxSockets gives Linux's: the same set on both platforms. */
    @Test
    void typedOperationsStartAndAbortAHandshakeAndReadTheSocket() throws Exception {
        try (ServerSocketChannel server = fastOpenListener()) {
            warmCookie(server);
            server.configureBlocking(false);
            try (SocketChannel client = SocketChannel.open(); DatagramChannel udp = DatagramChannel.open()) {
                int fd = FileDescriptors.of(client);
                assertTrue(DarwinSockets.isStream(fd));
                assertFalse(DarwinSockets.isStream(FileDescriptors.of(udp)));
                assertEquals(0, connectx(fd, address(server), RESUME_IDEMPOTENT));
                assertTrue(DarwinSockets.localInetPort(fd) > 0, "bound by connectx");
                DarwinSockets.startHandshake(fd); // never blocks: a peek
                try (SocketChannel accepted = acceptWithin(server, 5_000)) {
                    assertNotNull(accepted, "the peek sent the SYN");
                }
            }
            try (SocketChannel deferred = SocketChannel.open()) {
                int fd = FileDescriptors.of(deferred);
                connectx(fd, address(server), RESUME_IDEMPOTENT);
                DarwinSockets.abortHandshake(fd);
                DarwinSockets.abortHandshake(fd); // a second time: the socket ended already, nothing thrown
                assertNull(server.accept(), "disconnectx closed it before any SYN");
            }
        }
    }

    @Test
    void theFirstWriteSendsTheSynAndLaterWritesFailWithEnotconnUntilEstablished() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK, 1);
                SynDrop drop = SynDrop.fill(server)) {
            try (SocketChannel client = SocketChannel.open()) {
                int fd = FileDescriptors.of(client);
                connectx(fd, address(server), RESUME_IDEMPOTENT);
                byte[] x = "x".getBytes(StandardCharsets.US_ASCII);
                try {
                    DarwinSockets.send(fd, x, 1, DarwinConstants.MSG_DONTWAIT); // with a cookie: 1 byte in the SYN
                } catch (LastErrorException e) {
                    assertEquals(35, e.getErrorCode(), "without a cookie the SYN goes alone and the data waits");
                }
                assertErrno(Errno.ENOTCONN.darwin(), () -> DarwinSockets.send(fd, x, 1, DarwinConstants.MSG_DONTWAIT));
            }
        }
    }

    @Test
    void aWriteAfterAPeekStartedTheConnectFailsWithEnotconn() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK, 1);
                SynDrop drop = SynDrop.fill(server)) {
            try (SocketChannel client = SocketChannel.open()) {
                int fd = FileDescriptors.of(client);
                connectx(fd, address(server), RESUME_IDEMPOTENT);
                assertErrno(35, () -> DarwinSockets.recv(fd, new byte[1], 1, MSG_PEEK | DarwinConstants.MSG_DONTWAIT));
                assertErrno(Errno.ENOTCONN.darwin(), () -> DarwinSockets.send(fd, new byte[1], 1, 0));
                assertEquals(DarwinConstants.TCPS_SYN_SENT, TcpConnectionInfo.of(fd).state());
            }
        }
    }

    @Test
    void idempotentWithoutDataAndWithoutResumeIsIgnored() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK);
                SocketChannel client = SocketChannel.open()) {
            int fd = FileDescriptors.of(client);
            assertEquals(0, connectx(fd, address(server), DarwinConstants.CONNECT_DATA_IDEMPOTENT));
            assertEquals(TCPS_ESTABLISHED, TcpConnectionInfo.of(fd).state(), "a plain blocking connect (connectitx waits)");
            assertEquals(0, LinuxSockets.intOption(fd, LinuxSocketOptions.IPPROTO_TCP, 30), "TCP_FASTOPEN_CONNECT not set");
        }
    }

    @Test
    void lenIsCopiedOutEvenWhenTheCallFails() throws Exception {
        int closedPort;
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(LOOPBACK)) {
            closedPort = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        try (SocketChannel client = SocketChannel.open()) {
            int fd = FileDescriptors.of(client);
            long[] len = {99};
            LastErrorException e = assertThrows(LastErrorException.class, () -> DarwinSockets.connectx(fd,
                    endpoints(new InetSocketAddress("127.0.0.1", closedPort)), 0, 0, iov("GET"), 1, len, null));
            assertEquals(Errno.ECONNREFUSED.darwin(), e.getErrorCode());
            assertEquals(0, len[0], "connectx_nocancel copies bytes_written out after connectitx failed");
        }
    }

    @Test
    void errorsComeInConnectxNocancelsOrder() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK);
                SocketChannel connected = SocketChannel.open(server.getLocalAddress());
                SocketChannel fresh = SocketChannel.open()) {
            int fd = FileDescriptors.of(connected);
            SaEndpoints to = endpoints((InetSocketAddress) server.getLocalAddress());
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.connectx(fd, null, 0, 0, null, 0, null, null));
            SaEndpoints noDestination = new SaEndpoints();
            noDestination.write();
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.connectx(fd, noDestination, 0, 0, null, 0, null, null));
            // The iov is checked before connectitx: a connected socket with a bad iov is EINVAL, not EISCONN.
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.connectx(fd, to, 0, 0, iov("x"), 1, null, null));
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.connectx(fd, to, 0, 0, iov("x"), 0, new long[1], null));
            assertErrno(Errno.EISCONN.darwin(), () -> DarwinSockets.connectx(fd, to, 0, 0, null, 0, null, null));
            assertErrno(Errno.EOPNOTSUPP.darwin(), () -> DarwinSockets.connectx(FileDescriptors.of(server), to, 0, 0, null,
                    0, null, null));
            byte[] linuxLayout = new byte[16];
            linuxLayout[0] = 2; // Linux's sa_family AF_INET, where Darwin has sa_len
            assertErrno(Errno.EAFNOSUPPORT.darwin(), () -> DarwinSockets.connectx(FileDescriptors.of(fresh),
                    SaEndpoints.of(0, null, linuxLayout), 0, 0, null, 0, null, null));
        }
    }

    @Test
    void aNonBlockingSocketStillConnectingGetsEalready() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK, 1);
                SynDrop drop = SynDrop.fill(server);
                SocketChannel client = SocketChannel.open()) {
            client.configureBlocking(false);
            int fd = FileDescriptors.of(client);
            assertErrno(Errno.EINPROGRESS.darwin(), () -> connectx(fd, address(server), 0));
            assertErrno(Errno.EALREADY.darwin(), () -> connectx(fd, address(server), 0));
        }
    }

    @Test
    void unknownConstantsGetDarwinsEinval() throws Exception {
        try (SocketChannel client = SocketChannel.open()) {
            int fd = FileDescriptors.of(client);
            // Linux's numbers where Darwin's belong: SOL_SOCKET 1 / SO_TYPE 3, MSG_NOSIGNAL 0x4000, POLLRDHUP 0x2000.
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.intOption(fd, 1, 3));
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.setIntOption(fd, 1, 2, 1));
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.recv(fd, new byte[1], 1, 0x4000));
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.poll(new int[] {fd, 0x2000}, 1, 0));
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.connectx(fd, 0, null,
                    new InetSocketAddress("127.0.0.1", 9), 0x8));
            assertEquals(DarwinConstants.SOCK_STREAM, DarwinSockets.intOption(fd, DarwinConstants.SOL_SOCKET,
                    DarwinConstants.SO_TYPE));
        }
    }

    @Test
    void getsocknameAnswersInDarwinsLayout() throws Exception {
        try (ServerSocketChannel v4 = ServerSocketChannel.open(java.net.StandardProtocolFamily.INET).bind(LOOPBACK);
                ServerSocketChannel v6 = ServerSocketChannel.open().bind(new InetSocketAddress("::1", 0))) {
            byte[] sa = new byte[128];
            int[] len = {sa.length};
            DarwinSockets.getsockname(FileDescriptors.of(v4), sa, len);
            assertEquals(16, len[0]);
            assertEquals(16, sa[0], "sin_len");
            assertEquals(DarwinConstants.AF_INET, sa[1]);
            assertEquals(DarwinConstants.AF_INET6, DarwinSockets.family(FileDescriptors.of(v6)));
        }
    }

    @Test
    void tcpFastOpenIsForListenersOnlyAndMapsToLinuxsOption() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(LOOPBACK);
                SocketChannel client = SocketChannel.open()) {
            assertErrno(Errno.EINVAL.darwin(), () -> DarwinSockets.setIntOption(FileDescriptors.of(client),
                    DarwinConstants.IPPROTO_TCP, DarwinConstants.TCP_FASTOPEN, 1));
            int fd = FileDescriptors.of(listener);
            DarwinSockets.setIntOption(fd, DarwinConstants.IPPROTO_TCP, DarwinConstants.TCP_FASTOPEN, 1);
            assertTrue(LinuxSockets.intOption(fd, LinuxSocketOptions.IPPROTO_TCP, 23) > 0, "Linux's TCP_FASTOPEN queue");
        }
    }

    @Test
    void synDataAckedShowsInTcpConnectionInfo() throws Exception {
        try (ServerSocketChannel server = fastOpenListener()) {
            warmCookie(server);
            try (SocketChannel client = SocketChannel.open()) {
                int fd = FileDescriptors.of(client);
                connectx(fd, address(server), RESUME_IDEMPOTENT);
                byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
                assertEquals(hello.length, DarwinSockets.send(fd, hello, hello.length, 0));
                try (SocketChannel accepted = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(5);
                    accepted.read(in);
                    assertEquals("hello", new String(in.array(), StandardCharsets.US_ASCII));
                    assertTrue(TcpInfo.of(FileDescriptors.of(accepted)).synData(), "Linux saw the data in the SYN");
                    TcpConnectionInfo info = TcpConnectionInfo.of(fd);
                    assertEquals(TCPS_ESTABLISHED, info.state());
                    assertTrue(info.synDataAcked(), "tcpi_tfo_syn_data_acked");
                }
            }
        }
    }

    // ---- helpers ----

    /** A listener taking Fast Open (Linux's own TCP_FASTOPEN, as a Linux server would set it). */
    private static ServerSocketChannel fastOpenListener() throws IOException {
        int sysctl = KernelFastOpen.sysctl().orElse(0);
        assumeTrue((sysctl & 3) == 3, "net.ipv4.tcp_fastopen=" + sysctl + " lacks client or server Fast Open: skipped");
        ServerSocketChannel server = ServerSocketChannel.open();
        LinuxSockets.setIntOption(FileDescriptors.of(server), LinuxSocketOptions.IPPROTO_TCP, 23, 16);
        server.bind(LOOPBACK);
        return server;
    }

    /** One connection that fetches the cookie for 127.0.0.1 (cookies are per address, not per port). */
    private static void warmCookie(ServerSocketChannel server) throws IOException {
        try (SocketChannel client = SocketChannel.open()) {
            int fd = FileDescriptors.of(client);
            connectx(fd, address(server), RESUME_IDEMPOTENT);
            DarwinSockets.send(fd, new byte[] {1}, 1, 0);
            try (SocketChannel accepted = server.accept()) {
                accepted.read(ByteBuffer.allocate(1));
            }
        }
    }

    private static SocketChannel acceptWithin(ServerSocketChannel server, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            SocketChannel accepted = server.accept();
            if (accepted != null) {
                return accepted;
            }
            Thread.sleep(10);
        }
        return null;
    }

    private static long connectx(int fd, InetSocketAddress dst, int flags) {
        return DarwinSockets.connectx(fd, 0, null, DarwinSockaddr.encodeFor(DarwinSockets.family(fd), dst), flags);
    }

    private static InetSocketAddress address(ServerSocketChannel server) throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** The JDK's sockets are AF_INET6 here: an IPv4 destination goes v4-mapped, as DarwinFastOpen sends it. */
    private static SaEndpoints endpoints(InetSocketAddress dst) {
        return SaEndpoints.of(0, null, DarwinSockaddr.encodeFor(DarwinConstants.AF_INET6, dst));
    }

    private static IoVec iov(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        Memory m = new Memory(bytes.length);
        m.write(0, bytes, 0, bytes.length);
        IoVec v = new IoVec();
        v.iov_base = m;
        v.iov_len = bytes.length;
        v.write();
        return v;
    }

    private static void assertErrno(int darwinErrno, Executable call) {
        LastErrorException e = assertThrows(LastErrorException.class, call);
        assertEquals(darwinErrno, e.getErrorCode(), e.getMessage());
    }

    /**
     * Fills a listener's accept queue (backlog 1) with connections never accepted, so that Linux drops the
     * next SYN (tcp_conn_request: "if (sk_acceptq_is_full(sk)) ... goto drop") and a client stays in
     * SYN_SENT: a window between the start of a connect and its establishment that does not close by itself.
     */
    static final class SynDrop implements AutoCloseable {
        private final List<SocketChannel> fillers = new ArrayList<>();

        static SynDrop fill(ServerSocketChannel server) throws Exception {
            SynDrop drop = new SynDrop();
            for (int i = 0; i < 8; i++) {
                SocketChannel c = SocketChannel.open();
                drop.fillers.add(c);
                c.configureBlocking(false);
                c.connect(server.getLocalAddress());
                Thread.sleep(50);
                if (TcpInfo.of(FileDescriptors.of(c)).state() == 2) {
                    return drop; // this SYN was dropped: the queue is full
                }
            }
            drop.close();
            throw new IllegalStateException("the accept queue did not fill after 8 connections");
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel c : fillers) {
                c.close();
            }
        }
    }
}
