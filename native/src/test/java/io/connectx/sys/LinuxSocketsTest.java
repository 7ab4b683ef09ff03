package io.connectx.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/** The bindings against real sockets of this kernel. */
class LinuxSocketsTest {

    @Test
    void tellsTcpFromUdp() throws Exception {
        assertTrue(LinuxSockets.isAvailable(), String.valueOf(LinuxSockets.unavailabilityCause()));
        try (SocketChannel tcp = SocketChannel.open(); DatagramChannel udp = DatagramChannel.open()) {
            assertTrue(LinuxSockets.isStream(FileDescriptors.of(tcp)));
            assertFalse(LinuxSockets.isStream(FileDescriptors.of(udp)));
        }
    }

    @Test
    void readsTheLocalPortOfIpv4AndIpv6ListenersAndNothingForUnixSockets() throws Exception {
        try (ServerSocket v4 = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
                ServerSocketChannel v6 = ServerSocketChannel.open().bind(new InetSocketAddress("::1", 0));
                ServerSocketChannel unix = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX).bind(null)) {
            assertEquals(v4.getLocalPort(), LinuxSockets.localInetPort(FileDescriptors.of(v4)));
            assertEquals(((InetSocketAddress) v6.getLocalAddress()).getPort(), LinuxSockets.localInetPort(FileDescriptors.of(v6)));
            assertEquals(-1, LinuxSockets.localInetPort(FileDescriptors.of(unix)));
            java.nio.file.Files.deleteIfExists(((java.net.UnixDomainSocketAddress) unix.getLocalAddress()).getPath());
        }
    }

    @Test
    void tcpInfoOfAConnectedSocketShowsNoSynDataWithoutFastOpen() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept()) {
            TcpInfo info = TcpInfo.of(FileDescriptors.of(client));
            assertEquals(1, info.state(), "TCP_ESTABLISHED");
            assertFalse(info.synData());
            assertFalse(TcpInfo.of(FileDescriptors.of(accepted)).synData());
        }
    }

    @Test
    void aListenerTakesAFastOpenKeyOfSixteenBytesOrAPrimaryAndABackupAndNoOtherLength() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int fd = FileDescriptors.of(listener);
            LinuxSockets.setFastOpenKey(fd, new byte[16]);
            LinuxSockets.setFastOpenKey(fd, new byte[32]);
            byte[] wrong = new byte[24];
            java.util.Arrays.fill(wrong, (byte) 0x5a);
            com.sun.jna.LastErrorException e = org.junit.jupiter.api.Assertions.assertThrows(
                    com.sun.jna.LastErrorException.class, () -> LinuxSockets.setFastOpenKey(fd, wrong));
            assertEquals(Errno.EINVAL.linux(), e.getErrorCode());
            assertFalse(e.getMessage().contains("5a") || e.getMessage().contains("5A") || e.getMessage().contains("Z"), e.getMessage());
        }
    }
}
