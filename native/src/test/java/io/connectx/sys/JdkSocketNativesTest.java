package io.connectx.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The JDK's own natives against real sockets of this kernel, each checked against what JNA reads of the same
 * socket. Surefire opens java.io and sun.nio.ch to the tests, as the agent opens them to itself.
 */
class JdkSocketNativesTest {
    private static final int TCP_CLOSE = 7; // include/net/tcp_states.h
    private static final int O_NONBLOCK = 04000;

    @Test
    void everyJdkNativeResolvesOnThisJdk() {
        assertTrue(JdkSocketNatives.isAvailable(), String.valueOf(JdkSocketNatives.unavailabilityCause()));
    }

    @Test
    void readsSoTypeAndTcpInfoStateAsJnaDoes() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                SocketChannel unconnected = SocketChannel.open(); DatagramChannel udp = DatagramChannel.open();
                SocketChannel client = SocketChannel.open(server.getLocalSocketAddress());
                Socket accepted = server.accept()) {
            assertEquals(LinuxSocketOptions.SOCK_STREAM, JdkSocketNatives.intOption(FileDescriptors.of(client),
                    LinuxSocketOptions.SOL_SOCKET, LinuxSocketOptions.SO_TYPE));
            assertEquals(2, JdkSocketNatives.intOption(FileDescriptors.of(udp), LinuxSocketOptions.SOL_SOCKET,
                    LinuxSocketOptions.SO_TYPE), "SOCK_DGRAM");
            assertEquals(LinuxSocketOptions.TCP_ESTABLISHED, state(FileDescriptors.of(client)));
            assertEquals(TcpInfo.of(FileDescriptors.of(client)).state(), state(FileDescriptors.of(client)));
            assertEquals(TCP_CLOSE, state(FileDescriptors.of(unconnected)));
        }
    }

    @Test
    void setsTcpFastOpenConnectBeforeConnectAndRefusesItAfter() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                SocketChannel client = SocketChannel.open()) {
            int fd = FileDescriptors.of(client);
            JdkSocketNatives.setIntOption(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT, 1);
            assertEquals(1, JdkSocketNatives.intOption(fd, LinuxSocketOptions.IPPROTO_TCP,
                    LinuxSocketOptions.TCP_FASTOPEN_CONNECT));
            assertEquals(1, LinuxSockets.intOption(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT));
            client.connect(server.getLocalSocketAddress());
            // do_tcp_setsockopt: EINVAL outside TCP_CLOSE, a failure the JDK reports as SocketException.
            IOException e = assertThrows(IOException.class, () -> JdkSocketNatives.setIntOption(fd,
                    LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT, 1));
            assertTrue(e.getMessage().toLowerCase().contains("invalid argument"), e.getMessage());
        }
    }

    /** The handshake of a deferred socket starts at the zero-byte send, and a blocking socket stays blocking. */
    @Test
    void aZeroByteSendStartsTheDeferredHandshakeOfABlockingSocketAndLeavesItBlocking() throws Exception {
        assumeTrue((KernelFastOpen.sysctl().orElse(0) & 3) == 3,
                "needs net.ipv4.tcp_fastopen=3 (client and server) for a cookie on loopback");
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
            int listener = FileDescriptors.of(server); // Linux takes TCP_FASTOPEN in LISTEN too (net/ipv4/tcp.c)
            JdkSocketNatives.setIntOption(listener, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN, 16);
            Thread echo = echo(server);
            for (int attempt = 0; attempt < 2; attempt++) { // the first fetches the cookie, the second defers
                try (SocketChannel client = SocketChannel.open()) {
                    int fd = FileDescriptors.of(client);
                    JdkSocketNatives.setIntOption(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT, 1);
                    client.connect(server.getLocalSocketAddress());
                    if (attempt == 1) {
                        assertEquals(LinuxSocketOptions.TCP_SYN_SENT, state(fd), "deferred, the cookie cached");
                        assertEquals(0, flags(fd) & O_NONBLOCK, "a blocking channel");
                        IOException inProgress = assertThrows(IOException.class, () -> JdkSocketNatives.sendNothing(fd));
                        assertTrue(inProgress.getMessage().contains("in progress"), inProgress.getMessage()); // EINPROGRESS
                        assertEquals(0, flags(fd) & O_NONBLOCK, "still blocking after the send");
                        for (int i = 0; i < 200 && state(fd) == LinuxSocketOptions.TCP_SYN_SENT; i++) {
                            Thread.sleep(5);
                        }
                        assertEquals(LinuxSocketOptions.TCP_ESTABLISHED, state(fd), "the handshake ran");
                    }
                    client.write(java.nio.ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                    java.nio.ByteBuffer reply = java.nio.ByteBuffer.allocate(4);
                    while (reply.hasRemaining() && client.read(reply) >= 0) {
                        // bounded by the echo closing after four bytes
                    }
                    assertEquals("ping", new String(reply.array(), StandardCharsets.US_ASCII));
                }
            }
            server.close();
            echo.join(5_000);
        }
    }

    /**
     * The send holds the socket's own locks, under which alone the JDK changes its mode: with both free it puts a
     * blocking socket back to blocking; with writeLock held elsewhere (a transferTo, say) it still starts the
     * handshake, waiting no longer than its bound, and leaves the socket non-blocking, a state the JDK's I/O
     * copes with, never blocking behind a JDK that believes it non-blocking.
     */
    @Test
    void aZeroByteSendHoldsTheSocketsLocksAndLeavesItNonBlockingWhenItsWriteLockIsBusy() throws Exception {
        assumeTrue((KernelFastOpen.sysctl().orElse(0) & 3) == 3,
                "needs net.ipv4.tcp_fastopen=3 (client and server) for a cookie on loopback");
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
            JdkSocketNatives.setIntOption(FileDescriptors.of(server), LinuxSocketOptions.IPPROTO_TCP,
                    LinuxSocketOptions.TCP_FASTOPEN, 16);
            Thread echo = echo(server);
            int deferred = 0;
            boolean busyDeferred = false;
            for (boolean writeLockBusy : new boolean[] {false, false, true}) { // the first fetches the cookie
                try (SocketChannel client = SocketChannel.open()) {
                    int fd = FileDescriptors.of(client);
                    JdkSocketNatives.setIntOption(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_FASTOPEN_CONNECT, 1);
                    client.connect(server.getLocalSocketAddress());
                    if (state(fd) == LinuxSocketOptions.TCP_SYN_SENT) {
                        deferred++;
                        busyDeferred |= writeLockBusy;
                        java.util.concurrent.locks.ReentrantLock writeLock = JdkSocketLocks.writeLock(client);
                        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
                        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                        Thread holder = new Thread(() -> {
                            writeLock.lock();
                            try {
                                held.countDown();
                                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                writeLock.unlock();
                            }
                        });
                        if (writeLockBusy) {
                            holder.start();
                            assertTrue(held.await(5, java.util.concurrent.TimeUnit.SECONDS));
                        }
                        try {
                            assertThrows(IOException.class, () -> JdkSocketNatives.sendNothing(fd, client)); // EINPROGRESS
                        } finally {
                            release.countDown();
                            if (writeLockBusy) {
                                holder.join(5_000);
                            }
                        }
                        assertEquals(writeLockBusy ? O_NONBLOCK : 0, flags(fd) & O_NONBLOCK,
                                writeLockBusy ? "left non-blocking: writeLock was busy" : "put back to blocking");
                        assertTrue(client.isBlocking(), "the JDK still believes it blocking, and copes (EAGAIN parks)");
                        for (int i = 0; i < 200 && state(fd) == LinuxSocketOptions.TCP_SYN_SENT; i++) {
                            Thread.sleep(5);
                        }
                        assertEquals(LinuxSocketOptions.TCP_ESTABLISHED, state(fd), "the handshake ran");
                    }
                    client.write(java.nio.ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                    java.nio.ByteBuffer reply = java.nio.ByteBuffer.allocate(4);
                    while (reply.hasRemaining() && client.read(reply) >= 0) {
                        // bounded by the echo closing after four bytes
                    }
                    assertEquals("ping", new String(reply.array(), StandardCharsets.US_ASCII));
                }
            }
            server.close();
            echo.join(5_000);
            assertTrue(deferred >= 2 && busyDeferred, "the connects after the cookie fetch were deferred: " + deferred);
        }
    }

    @Test
    void readsTheFileStatusFlagsOfADescriptor() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            int fd = FileDescriptors.of(channel);
            assertEquals(0, flags(fd) & O_NONBLOCK);
            channel.configureBlocking(false);
            assertEquals(O_NONBLOCK, flags(fd) & O_NONBLOCK);
        }
        assertEquals(02004002, FileStatusFlags.parse("pos:\t0\nflags:\t02004002\nmnt_id:\t9\nino:\t1\n"));
        assertThrows(IOException.class, () -> FileStatusFlags.parse("pos:\t0\n"));
    }

    private static int state(int fd) throws IOException {
        return JdkSocketNatives.intOption(fd, LinuxSocketOptions.IPPROTO_TCP, LinuxSocketOptions.TCP_INFO) & 0xff;
    }

    private static int flags(int fd) throws IOException {
        assertTrue(Files.exists(Path.of("/proc/self/fdinfo/" + fd)));
        return FileStatusFlags.of(fd);
    }

    private static Thread echo(ServerSocket server) {
        Thread t = new Thread(() -> {
            for (int i = 0; i < 4 && !server.isClosed(); i++) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(5_000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write(in.readNBytes(4));
                } catch (IOException e) {
                    return;
                }
            }
        }, "echo");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
