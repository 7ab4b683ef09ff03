package io.connectx.sys.darwin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.connectx.sys.Errno;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The Darwin bindings' structures and encodings, checked on Linux: no macOS machine is available, so what
 * can be pinned without one is pinned here (xnu headers cited in {@link DarwinConstants}).
 */
class DarwinLayoutTest {

    @Test
    void saEndpointsHasDarwinsLp64Layout() {
        assertEquals(8, Native.POINTER_SIZE, "the layout below is LP64's");
        SaEndpoints e = new SaEndpoints();
        assertEquals(0, e.offsetOf("sae_srcif"));
        assertEquals(8, e.offsetOf("sae_srcaddr"));
        assertEquals(16, e.offsetOf("sae_srcaddrlen"));
        assertEquals(24, e.offsetOf("sae_dstaddr"));
        assertEquals(32, e.offsetOf("sae_dstaddrlen"));
        assertEquals(40, e.size());
    }

    @Test
    void iovecIsABasePointerAndASizeT() {
        IoVec v = new IoVec();
        assertEquals(0, v.offsetOf("iov_base"));
        assertEquals(8, v.offsetOf("iov_len"));
        assertEquals(16, v.size());
        IoVec[] array = (IoVec[]) v.toArray(3);
        assertEquals(16, com.sun.jna.Pointer.nativeValue(array[1].getPointer()) - com.sun.jna.Pointer.nativeValue(array[0].getPointer()), "iovec[] is contiguous");
    }

    @Test
    void endpointsCarryTheSockaddrsAndTheirLengthsInMemory() {
        byte[] src = DarwinSockaddr.encode(new InetSocketAddress("192.0.2.7", 0));
        byte[] dst = DarwinSockaddr.encode(new InetSocketAddress("::1", 443));
        SaEndpoints e = SaEndpoints.of(4, src, dst);
        com.sun.jna.Pointer p = e.getPointer();
        assertEquals(4, p.getInt(0));
        assertArrayEquals(src, p.getPointer(8).getByteArray(0, src.length));
        assertEquals(16, p.getInt(16));
        assertArrayEquals(dst, p.getPointer(24).getByteArray(0, dst.length));
        assertEquals(28, p.getInt(32));
        SaEndpoints dstOnly = SaEndpoints.of(0, null, dst);
        assertEquals(0L, com.sun.jna.Pointer.nativeValue(dstOnly.getPointer().getPointer(8)), "no source: NULL");
        assertEquals(0, dstOnly.getPointer().getInt(16));
    }

    @Test
    void sockaddrInStartsWithItsLengthAndAOneByteFamily() throws Exception {
        byte[] sa = DarwinSockaddr.encode(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 8443));
        assertArrayEquals(new byte[] {16, 2, 0x20, (byte) 0xfb, (byte) 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0}, sa);
    }

    @Test
    void sockaddrIn6UsesFamily30AndAHostOrderScopeId() throws Exception {
        Inet6Address linkLocal = Inet6Address.getByAddress(null,
                InetAddress.getByName("fe80::1").getAddress(), 5);
        byte[] sa = DarwinSockaddr.encode(new InetSocketAddress(linkLocal, 443));
        byte[] expected = new byte[28];
        expected[0] = 28;
        expected[1] = 30;
        expected[2] = 0x01;
        expected[3] = (byte) 0xbb;
        expected[8] = (byte) 0xfe;
        expected[9] = (byte) 0x80;
        expected[23] = 1;
        expected[24] = 5;
        assertArrayEquals(expected, sa);
    }

    @Test
    void anIpv4DestinationOfAnInet6SocketIsV4Mapped() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80);
        byte[] expected = new byte[28];
        expected[0] = 28;
        expected[1] = 30;
        expected[3] = 80;
        expected[18] = (byte) 0xff;
        expected[19] = (byte) 0xff;
        expected[20] = 127;
        expected[23] = 1;
        assertArrayEquals(expected, DarwinSockaddr.encodeFor(DarwinConstants.AF_INET6, v4));
        assertArrayEquals(DarwinSockaddr.encode(v4), DarwinSockaddr.encodeFor(DarwinConstants.AF_INET, v4));
    }

    @Test
    void unresolvedAddressesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> DarwinSockaddr.encode(InetSocketAddress.createUnresolved("example.invalid", 80)));
    }

    @Test
    void flagsAndErrnosAreXnus() {
        assertEquals(0x1, DarwinConstants.CONNECT_RESUME_ON_READ_WRITE);
        assertEquals(0x2, DarwinConstants.CONNECT_DATA_IDEMPOTENT);
        assertEquals(0x4, DarwinConstants.CONNECT_DATA_AUTHENTICATED);
        assertEquals(30, DarwinConstants.AF_INET6);
        assertEquals(0xffff, DarwinConstants.SOL_SOCKET);
        int[][] errnos = {
            {Errno.EINTR.darwin(), 4}, {Errno.EBADF.darwin(), 9}, {Errno.EFAULT.darwin(), 14},
            {Errno.EINVAL.darwin(), 22}, {Errno.EINPROGRESS.darwin(), 36}, {Errno.EALREADY.darwin(), 37},
            {Errno.EMSGSIZE.darwin(), 40}, {Errno.EAFNOSUPPORT.darwin(), 47}, {Errno.EADDRINUSE.darwin(), 48},
            {Errno.EADDRNOTAVAIL.darwin(), 49}, {Errno.ENETDOWN.darwin(), 50}, {Errno.ENETUNREACH.darwin(), 51},
            {Errno.ENOBUFS.darwin(), 55}, {Errno.EISCONN.darwin(), 56}, {Errno.ETIMEDOUT.darwin(), 60},
            {Errno.ECONNREFUSED.darwin(), 61}, {Errno.EHOSTUNREACH.darwin(), 65}, {Errno.EOPNOTSUPP.darwin(), 102},
        };
        for (int[] pair : errnos) {
            assertEquals(pair[1], pair[0]);
        }
    }

    @Test
    void tcpConnectionInfoReadsStateAndTheSynDataAckedBit() {
        byte[] buf = new byte[TcpConnectionInfo.READ_LENGTH];
        buf[0] = 2;
        buf[52] = 0x18; // syn_data_sent | syn_data_acked
        TcpConnectionInfo info = TcpConnectionInfo.parse(buf, buf.length);
        assertTrue(info.handshakePending());
        assertTrue(info.synDataAcked());
        buf[0] = 4; // TCPS_ESTABLISHED
        buf[52] = 0x08; // sent, not acked
        info = TcpConnectionInfo.parse(buf, buf.length);
        assertFalse(info.handshakePending());
        assertFalse(info.synDataAcked());
        assertThrows(IllegalArgumentException.class, () -> TcpConnectionInfo.parse(buf, 40));
    }

    @Test
    void tcpConnectionInfoReadsOptionsAndTheCurrentRttForWhetherTheHandshakeEverCompleted() {
        byte[] buf = new byte[TcpConnectionInfo.READ_LENGTH];
        assertTrue(TcpConnectionInfo.parse(buf, buf.length).handshakeNeverCompleted(), "no sample, no options");
        buf[40] = 1; // tcpi_rttcur 1 ms, little-endian
        assertFalse(TcpConnectionInfo.parse(buf, buf.length).handshakeNeverCompleted());
        buf[40] = 0;
        buf[4] = 0x1; // TCPCI_OPT_TIMESTAMPS
        assertFalse(TcpConnectionInfo.parse(buf, buf.length).handshakeNeverCompleted());
        buf[4] = 0x4; // TCPCI_OPT_WSCALE
        assertFalse(TcpConnectionInfo.parse(buf, buf.length).handshakeNeverCompleted());
        buf[4] = 0x2; // TCPCI_OPT_SACK: xnu's own setting (TF_SACK_ENABLE), not the peer's answer
        assertTrue(TcpConnectionInfo.parse(buf, buf.length).handshakeNeverCompleted());
        buf[43] = 1; // tcpi_rttcur 2^24 ms: the high byte counts too
        assertEquals(1 << 24, TcpConnectionInfo.parse(buf, buf.length).rttCur());
    }

    @Test
    void nativeCallsAreBoundOnlyOnMacOs() {
        assertEquals(Platform.isMac(), DarwinSockets.isAvailable());
        if (!Platform.isMac()) {
            assertTrue(DarwinSockets.unavailabilityCause().getMessage().startsWith("not macOS"));
        }
    }
}
