package io.connectx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import io.connectx.provider.DarwinFastOpen;
import io.connectx.provider.FastOpenPlatforms;
import io.connectx.sys.Errno;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.TcpInfo;
import io.connectx.sys.darwin.DarwinAppCalls;
import io.connectx.sys.darwin.DarwinConstants;
import io.connectx.sys.darwin.DarwinSockets;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Connectx API on the Darwin path (platform=darwin, the bindings bound to the xnu-model library): it
 * calls connectx(2) itself, and the JDK's channel ends as its own connect would have left it. Run by the
 * provider's darwin-path surefire execution only.
 */
class DarwinPathConnectxTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void theDarwinPathIsTheOneBound() {
        assertEquals(FastOpenPlatforms.Kind.DARWIN, FastOpenPlatforms.current());
        assertInstanceOf(DarwinFastOpen.class, Connectx.Platform.get(), "bound to " + DarwinSockets.library());
    }

    /**
     * Proof that the call went through connectx(2): the model sets xnu's preconnect state only there, so the
     * first write through the library passes sosendcheck and the next fails with ENOTCONN while the SYN is
     * unanswered. Had the JDK's connect run instead, the first would fail already.
     */
    @Test
    void resumeIsConnectxsOwnPreconnectState() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK, 1);
                SynDrop drop = SynDrop.fill(server);
                SocketChannel client = SocketChannel.open()) {
            assertEquals(0, Connectx.connectx(client, Endpoints.to((InetSocketAddress) server.getLocalAddress()),
                    Connectx.CONNECT_RESUME_ON_READ_WRITE | Connectx.CONNECT_DATA_IDEMPOTENT));
            assertTrue(client.isConnected(), "the JDK's channel is connected, as after its own connect");
            assertEquals(server.getLocalAddress(), client.getRemoteAddress());
            int fd = FileDescriptors.of(client);
            try {
                DarwinAppCalls.send(fd, new byte[] {1}, 1, DarwinConstants.MSG_DONTWAIT);
            } catch (LastErrorException e) {
                assertEquals(35, e.getErrorCode(), "EAGAIN (no cookie: the data waits), never ENOTCONN");
            }
            LastErrorException e = assertThrows(LastErrorException.class,
                    () -> DarwinAppCalls.send(fd, new byte[] {1}, 1, DarwinConstants.MSG_DONTWAIT));
            assertEquals(Errno.ENOTCONN.darwin(), e.getErrorCode());
        }
    }

    @Test
    void dataIsEnqueuedByConnectxAndTheBuffersAdvanceAsAWriteWould() throws Exception {
        byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK);
                SocketChannel client = SocketChannel.open()) {
            ByteBuffer data = ByteBuffer.wrap(request);
            assertEquals(request.length, Connectx.connectx(client, Endpoints.to((InetSocketAddress) server.getLocalAddress()),
                    0, data));
            assertEquals(0, data.remaining());
            try (SocketChannel accepted = server.accept()) {
                ByteBuffer in = ByteBuffer.allocate(request.length);
                while (in.hasRemaining() && accepted.read(in) > 0) {
                    // the whole request
                }
                assertEquals(new String(request, StandardCharsets.US_ASCII), new String(in.array(), StandardCharsets.US_ASCII));
                assertEquals(1, TcpInfo.of(FileDescriptors.of(client)).state(), "established: connectitx waited");
            }
        }
    }

    @Test
    void aRefusalArrivesInDarwinsNumberAndIsTypedAsTheJdkTypesIt() throws Exception {
        int closedPort;
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(LOOPBACK)) {
            closedPort = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        try (SocketChannel client = SocketChannel.open()) {
            ConnectException e = assertThrows(ConnectException.class,
                    () -> Connectx.connectx(client, Endpoints.to(new InetSocketAddress("127.0.0.1", closedPort)), 0));
            assertTrue(e.getMessage().startsWith("ECONNREFUSED:"), e.getMessage());
            assertEquals(Errno.ECONNREFUSED.darwin(), ((LastErrorException) e.getCause()).getErrorCode());
        }
        try (SocketChannel client = SocketChannel.open()) {
            client.configureBlocking(false);
            ConnectxException e = assertThrows(ConnectxException.class,
                    () -> Connectx.connectx(client, Endpoints.to(new InetSocketAddress("127.0.0.1", closedPort)), 0));
            assertEquals(ConnectxErrno.EINPROGRESS, e.errno());
            assertTrue(client.isConnectionPending(), "finishConnect ends it, as after the JDK's own connect");
            assertThrows(ConnectException.class, () -> {
                for (int i = 0; i < 500 && !client.finishConnect(); i++) {
                    Thread.sleep(10);
                }
            });
        }
    }

    /** Fills a listener's accept queue (backlog 1) so that Linux drops the next SYN (tcp_conn_request). */
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
                    return drop;
                }
            }
            drop.close();
            throw new IllegalStateException("the accept queue did not fill after 8 connections");
        }

        @Override
        public void close() throws java.io.IOException {
            for (SocketChannel c : fillers) {
                c.close();
            }
        }
    }
}
