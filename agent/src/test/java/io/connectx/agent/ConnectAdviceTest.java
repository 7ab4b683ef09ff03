package io.connectx.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.connectx.bootstrap.SocketHookBridge;
import io.connectx.bootstrap.SocketHooks;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connect hook's contract, woven into a stand-in with {@code Net.connect}'s signature: an Integer
 * from {@code beforeConnect} replaces the JDK's connect (Darwin's connectx), TRUE asks for afterConnect,
 * FALSE and no hooks leave the connect alone, and an IOException is what connect throws.
 */
public class ConnectAdviceTest {
    public static final List<String> EVENTS = new ArrayList<>();
    static Object answer;
    static IOException failure;

    /** Stands in for sun.nio.ch.Net: its connect(2) "returns" 7 so that a skipped body is visible. */
    public static final class FakeNet {
        public static int connect(ProtocolFamily family, FileDescriptor fd, InetAddress remote, int port) throws IOException {
            EVENTS.add("jdk connect");
            return 7;
        }
    }

    private Method connect;

    @BeforeEach
    void weave() throws Exception {
        EVENTS.clear();
        answer = null;
        failure = null;
        Class<?> woven = new ByteBuddy().redefine(FakeNet.class).name(FakeNet.class.getName() + "Woven")
                .visit(Advice.to(SocketInstrumentation.ConnectAdvice.class).on(named("connect")))
                .make().load(getClass().getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded();
        connect = woven.getMethod("connect", ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class);
        SocketHookBridge.install(new Recording());
    }

    @AfterEach
    void unhook() {
        SocketHookBridge.install(null);
    }

    private Object call() throws Throwable {
        try {
            return connect.invoke(null, StandardProtocolFamily.INET, FileDescriptor.in, InetAddress.getLoopbackAddress(), 443);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void anIntegerReplacesTheJdksConnect() throws Throwable {
        answer = 1;
        assertEquals(1, call());
        answer = -2;
        assertEquals(-2, call(), "in progress, as IOStatus.UNAVAILABLE");
        assertEquals(List.of("before", "before"), EVENTS, "neither the JDK's connect nor afterConnect ran");
    }

    @Test
    void trueRunsTheConnectThenAfterConnectWithItsResult() throws Throwable {
        answer = Boolean.TRUE;
        assertEquals(7, call());
        assertEquals(List.of("before", "jdk connect", "after 7"), EVENTS);
    }

    @Test
    void falseOrNoHooksLeaveTheConnectAlone() throws Throwable {
        answer = Boolean.FALSE;
        assertEquals(7, call());
        SocketHookBridge.install(null);
        assertEquals(7, call());
        assertEquals(List.of("before", "jdk connect", "jdk connect"), EVENTS);
    }

    @Test
    void aConnectFailureOfTheInPlaceConnectReachesTheCaller() {
        failure = new ConnectException("ECONNREFUSED: connectx");
        assertSame(failure, assertThrows(ConnectException.class, this::call));
        assertEquals(List.of("before"), EVENTS);
    }

    private static final class Recording implements SocketHooks {
        @Override
        public Object beforeConnect(FileDescriptor fd, InetAddress remote, int port) throws IOException {
            EVENTS.add("before");
            if (failure != null) {
                throw failure;
            }
            return answer;
        }

        @Override
        public void afterConnect(FileDescriptor fd, int result) {
            EVENTS.add("after " + result);
        }

        @Override
        public void tcpConnect() {
        }

        @Override
        public void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
        }

        @Override
        public void beforeRead(FileDescriptor fd) {
        }

        @Override
        public Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
            return thrown;
        }

        @Override
        public void beforeWrite(FileDescriptor fd, ByteBuffer data) {
        }

        @Override
        public void beforeWrite(FileDescriptor fd, ByteBuffer[] data, int offset, int length) {
        }

        @Override
        public void beforeWrite(FileDescriptor fd, byte[] data, int offset, int length) {
        }

        @Override
        public Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
            return thrown;
        }

        @Override
        public void beforeShutdownOutput(FileDescriptor fd) {
        }

        @Override
        public void beforeInterest(FileDescriptor fd, int ops) {
        }

        @Override
        public void closed(FileDescriptor fd) {
        }

        @Override
        public void afterListen(FileDescriptor fd) {
        }

        @Override
        public void afterAccept(Object accepted) {
        }
    }
}
