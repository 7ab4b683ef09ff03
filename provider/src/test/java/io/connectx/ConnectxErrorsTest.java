package io.connectx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The errno table: which exception each errno is, and the errno recovered from what the JDK threw. */
class ConnectxErrorsTest {

    @Test
    void everyErrnoIsOneDocumentedExceptionNamingIt() {
        Map<ConnectxErrno, Class<? extends IOException>> expected = Map.of(
                ConnectxErrno.EADDRINUSE, BindException.class,
                ConnectxErrno.EADDRNOTAVAIL, BindException.class,
                ConnectxErrno.ECONNREFUSED, ConnectException.class,
                ConnectxErrno.ETIMEDOUT, ConnectException.class,
                ConnectxErrno.EHOSTUNREACH, NoRouteToHostException.class);
        for (ConnectxErrno errno : ConnectxErrno.values()) {
            IOException e = errno.exception("detail");
            assertEquals(expected.getOrDefault(errno, ConnectxException.class), e.getClass(), errno.name());
            assertEquals(errno.name() + ": detail", e.getMessage());
            assertEquals(errno, ConnectxErrno.of(e).orElseThrow());
        }
    }

    @Test
    void linuxAndDarwinNumbersDifferWhereTheHeadersDo() {
        assertEquals(99, ConnectxErrno.EADDRNOTAVAIL.linux());
        assertEquals(49, ConnectxErrno.EADDRNOTAVAIL.darwin());
        assertEquals(95, ConnectxErrno.EOPNOTSUPP.linux());
        assertEquals(102, ConnectxErrno.EOPNOTSUPP.darwin());
        assertEquals(ConnectxErrno.ECONNREFUSED, ConnectxErrno.ofDarwin(61).orElseThrow());
        assertTrue(ConnectxErrno.ofDarwin(45).isEmpty(), "45 is Darwin's ENOTSUP, not a connectx errno");
    }

    @Test
    void jdkMessagesOfGlibcAndDarwinMapToTheirErrno() {
        Object[][] table = {
            {new BindException("Address already in use"), ConnectxErrno.EADDRINUSE},
            {new BindException("Cannot assign requested address"), ConnectxErrno.EADDRNOTAVAIL},
            {new BindException("Can't assign requested address"), ConnectxErrno.EADDRNOTAVAIL},
            {new ConnectException("Connection refused"), ConnectxErrno.ECONNREFUSED},
            {new ConnectException("Connection timed out"), ConnectxErrno.ETIMEDOUT},
            {new ConnectException("Operation timed out"), ConnectxErrno.ETIMEDOUT},
            {new NoRouteToHostException("No route to host"), ConnectxErrno.EHOSTUNREACH},
            {new SocketException("Network is unreachable"), ConnectxErrno.ENETUNREACH},
            {new SocketException("Network is down"), ConnectxErrno.ENETDOWN},
            {new SocketException("No buffer space available"), ConnectxErrno.ENOBUFS},
            {new SocketException("Message too long"), ConnectxErrno.EMSGSIZE},
            {new SocketException("Invalid argument"), ConnectxErrno.EINVAL},
            {new SocketException("Bad address"), ConnectxErrno.EFAULT},
            {new SocketException("Operation not supported on socket"), ConnectxErrno.EOPNOTSUPP},
            {new SocketException("Address family not supported by protocol"), ConnectxErrno.EAFNOSUPPORT},
            {new ClosedByInterruptException(), ConnectxErrno.EINTR},
            {new ClosedChannelException(), ConnectxErrno.EBADF},
        };
        for (Object[] row : table) {
            Throwable jdk = (Throwable) row[0];
            assertEquals(row[1], JdkFailures.errnoOf(jdk), String.valueOf(jdk));
            IOException translated = JdkFailures.translate("connect", jdk);
            assertEquals(row[1], ConnectxErrno.of(translated).orElseThrow());
            assertEquals(jdk, translated.getCause());
        }
    }

    @Test
    void anUnrecognisedJdkFailureStandsAsItWas() {
        SocketException odd = new SocketException("Protocol error");
        assertNull(JdkFailures.errnoOf(odd));
        assertEquals(odd, JdkFailures.translate("connect", odd));
        assertInstanceOf(SocketException.class, odd);
    }
}
