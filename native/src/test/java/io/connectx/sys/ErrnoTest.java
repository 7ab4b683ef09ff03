package io.connectx.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void linuxNumbersAreAsmGenerics() {
        int[][] pairs = {
            {Errno.EINTR.linux(), 4}, {Errno.EBADF.linux(), 9}, {Errno.EINVAL.linux(), 22}, {Errno.EPIPE.linux(), 32},
            {Errno.ENOTSOCK.linux(), 88}, {Errno.ENOPROTOOPT.linux(), 92}, {Errno.EOPNOTSUPP.linux(), 95},
            {Errno.ENETUNREACH.linux(), 101}, {Errno.ENOTCONN.linux(), 107}, {Errno.ETIMEDOUT.linux(), 110},
            {Errno.ECONNREFUSED.linux(), 111}, {Errno.EHOSTUNREACH.linux(), 113}, {Errno.EALREADY.linux(), 114},
            {Errno.EINPROGRESS.linux(), 115},
        };
        for (int[] pair : pairs) {
            assertEquals(pair[1], pair[0]);
        }
    }

    @Test
    void numbersNameOneErrnoEachOnEitherSystem() {
        for (Errno e : Errno.values()) {
            assertEquals(e, Errno.ofLinux(e.linux()), e.name());
            assertEquals(e, Errno.ofDarwin(e.darwin()), e.name());
        }
        assertNull(Errno.ofDarwin(45), "Darwin's ENOTSUP is not EOPNOTSUPP");
    }

    @Test
    void recognisesGlibcAndDarwinTextsInAnyCase() {
        assertEquals(Errno.ETIMEDOUT, Errno.inMessage("Connection timed out"));
        assertEquals(Errno.ETIMEDOUT, Errno.inMessage("connect failed: Operation timed out"));
        assertEquals("Operation timed out", Errno.ETIMEDOUT.textIn("OPERATION TIMED OUT"));
        assertEquals(Errno.EADDRNOTAVAIL, Errno.inMessage("Can't assign requested address"));
        assertEquals(Errno.EISCONN, Errno.inMessage("Transport endpoint is already connected"));
        assertEquals(Errno.EOPNOTSUPP, Errno.inMessage("Operation not supported on socket"));
        assertEquals(Errno.EPIPE, Errno.inMessage("Broken pipe"));
        assertNull(Errno.inMessage("Connection reset"));
        assertNull(Errno.inMessage(null));
        assertNull(Errno.ENOTCONN.textIn("Transport endpoint is not connected"), "ENOTCONN is never read back");
    }

    @Test
    void raisesWhatTheJdkRaises() {
        assertInstanceOf(BindException.class, Errno.EADDRINUSE.jdkException("x"));
        assertInstanceOf(BindException.class, Errno.EADDRNOTAVAIL.jdkException("x"));
        assertInstanceOf(ConnectException.class, Errno.ECONNREFUSED.jdkException("x"));
        assertInstanceOf(ConnectException.class, Errno.ETIMEDOUT.jdkException("x"));
        assertInstanceOf(NoRouteToHostException.class, Errno.EHOSTUNREACH.jdkException("x"));
        assertEquals(SocketException.class, Errno.ENETUNREACH.jdkException("x").getClass());
        assertEquals("y", Errno.ECONNREFUSED.jdkException("y").getMessage());
    }
}
