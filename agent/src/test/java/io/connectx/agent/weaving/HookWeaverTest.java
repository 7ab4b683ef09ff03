package io.connectx.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.bootstrap.SocketHookBridge;
import io.connectx.bootstrap.SocketHooks;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Weaves classes shaped like the JDK's with the real hooks, defines them in a loader of their own (where,
 * unlike in the bootstrap loader, the JVM verifies them, frames included) and runs them against a
 * recording {@link SocketHooks}.
 */
class HookWeaverTest {
    private static final InetAddress HOST = InetAddress.getLoopbackAddress();
    private static final String NET = ShapedLikeTheJdk.Net.class.getName();
    private static final String SOCKET = ShapedLikeTheJdk.Socket.class.getName();
    private static final Map<String, List<HookPoint>> POINTS = Map.of(
            NET, SocketInstrumentation.POINTS.get(SocketInstrumentation.NET),
            SOCKET, List.of(new HookPoint("read", "([BII)", Hook.READ), new HookPoint("write", "([BII)", Hook.WRITE_BYTES),
                    new HookPoint("read", "([Ljava/nio/ByteBuffer;II)", Hook.READ)));

    private final RecordingHooks hooks = new RecordingHooks();

    /** The slot's seal for this test JVM: the first install takes it, later ones replace through it. */
    private static SocketHookBridge.Seal seal;

    @AfterEach
    void emptyTheBridge() {
        fillBridge(null);
    }

    private static synchronized void fillBridge(SocketHooks value) {
        if (seal == null) {
            seal = SocketHookBridge.install(value);
        } else {
            SocketHookBridge.replace(seal, value);
        }
    }

    @Test
    void anIntegerFromTheConnectHookSkipsTheJdksConnectAndIsReturned() throws Exception {
        hooks.connectAnswer = -2;
        Class<?> net = woven(NET);
        assertEquals(-2, connect(net, 443));
        assertEquals(0, net.getField("bodyRuns").getInt(null));
        assertEquals(List.of("beforeConnect 443"), hooks.calls);
    }

    @Test
    void trueFromTheConnectHookRunsTheConnectAndItsExitMayReplaceTheResult() throws Exception {
        hooks.connectAnswer = Boolean.TRUE;
        Class<?> net = woven(NET);
        assertEquals(1, connect(net, 443));
        assertEquals(1, net.getField("bodyRuns").getInt(null));
        assertEquals(List.of("beforeConnect 443", "afterConnect 127.0.0.1:443 1"), hooks.calls);

        hooks.afterConnectAnswer = -2;
        assertEquals(-2, connect(net, 443), "a deferred socket is reported in progress");
    }

    @Test
    void aFaultInTheConnectExitKeepsTheJdksResultAndIsReported() throws Exception {
        hooks.connectAnswer = Boolean.TRUE;
        hooks.exitFault = true;
        Class<?> net = woven(NET);
        assertEquals(1, connect(net, 443));
        assertEquals(List.of("beforeConnect 443", "afterConnect 127.0.0.1:443 1", "fault afterConnect"), hooks.calls);
    }

    @Test
    void falseNullOrAFaultLeavesTheConnectUntouched() throws Exception {
        Class<?> net = woven(NET);
        for (Object answer : new Object[] {Boolean.FALSE, null}) {
            hooks.calls.clear();
            hooks.connectAnswer = answer;
            assertEquals(1, connect(net, 443), String.valueOf(answer));
            assertEquals(List.of("beforeConnect 443"), hooks.calls, String.valueOf(answer));
        }
        hooks.calls.clear();
        hooks.connectAnswer = new IllegalStateException("bug");
        assertEquals(1, connect(net, 443));
        assertEquals(List.of("beforeConnect 443", "fault beforeConnect"), hooks.calls, "counted and logged by the agent");
        assertEquals(3, net.getField("bodyRuns").getInt(null));
    }

    @Test
    void anAsynchronousChannelsConnectIsLeftUntouched() throws Exception {
        fillBridge(hooks);
        FileDescriptor async = new FileDescriptor();
        SocketHookBridge.asyncConnect(async);
        assertNull(SocketHookBridge.beforeConnect(async, HOST, 443));
        assertEquals(List.of(), hooks.calls, "the hooks never see it");
        hooks.connectAnswer = Boolean.TRUE;
        assertEquals(Boolean.TRUE, SocketHookBridge.beforeConnect(new FileDescriptor(), HOST, 443), "another socket on the thread");
    }

    @Test
    void theConnectHookMayThrowWhatConnectWouldHaveThrown() throws Exception {
        IOException refused = new java.net.ConnectException("Connection refused");
        hooks.connectAnswer = refused;
        Class<?> net = woven(NET);
        assertSame(refused, assertThrows(InvocationTargetException.class, () -> connect(net, 443)).getCause());
        assertEquals(0, net.getField("bodyRuns").getInt(null));
    }

    @Test
    void withoutHooksTheWovenConnectIsThePlainOne() throws Exception {
        fillBridge(null);
        Class<?> net = woven(NET);
        assertEquals(1, connect(net, 443));
        IOException thrown = (IOException) assertThrows(InvocationTargetException.class, () -> connect(net, 0)).getCause();
        assertEquals("port 0", thrown.getMessage());
    }

    @Test
    void aReadSeesItsCountAndWhatItThrowsAndMayReplaceIt() throws Exception {
        Object socket = woven(SOCKET).getConstructor().newInstance();
        Method read = socket.getClass().getMethod("read", byte[].class, int.class, int.class);
        assertEquals(3, read.invoke(socket, new byte[1], 0, 1));
        assertEquals(List.of("beforeRead", "afterRead 3 null"), hooks.calls);

        IOException original = new IOException("reset");
        IOException replacement = new java.net.ConnectException("refused");
        socket.getClass().getField("failure").set(socket, original);
        hooks.replacement = replacement;
        assertSame(replacement, assertThrows(InvocationTargetException.class, () -> read.invoke(socket, new byte[1], 0, 1)).getCause());
        assertEquals("afterRead 0 reset", hooks.calls.get(hooks.calls.size() - 1));

        hooks.replacement = null;
        hooks.swallow = true;
        assertEquals(0, read.invoke(socket, new byte[1], 0, 1), "a swallowed throwable returns the default value");
    }

    @Test
    void aFaultInAnExitHookLeavesTheMethodsOwnOutcome() throws Exception {
        Object socket = woven(SOCKET).getConstructor().newInstance();
        hooks.exitFault = true;
        Method read = socket.getClass().getMethod("read", ByteBuffer[].class, int.class, int.class);
        assertEquals(3L, read.invoke(socket, new ByteBuffer[0], 0, 0));
        IOException original = new IOException("broken pipe");
        socket.getClass().getField("failure").set(socket, original);
        Method write = socket.getClass().getMethod("write", byte[].class, int.class, int.class);
        assertSame(original, assertThrows(InvocationTargetException.class, () -> write.invoke(socket, new byte[1], 0, 1)).getCause());
    }

    @Test
    void aWriteHookThrowingIoExceptionReachesTheCaller() throws Exception {
        Object socket = woven(SOCKET).getConstructor().newInstance();
        IOException held = new IOException("held");
        hooks.beforeWriteFailure = held;
        Method write = socket.getClass().getMethod("write", byte[].class, int.class, int.class);
        assertSame(held, assertThrows(InvocationTargetException.class, () -> write.invoke(socket, new byte[1], 0, 1)).getCause());
        assertEquals(List.of("beforeWrite 1"), hooks.calls, "the exit hook does not run when the entry hook threw");
    }

    @Test
    void aMissingMethodFailsTheWholeClassNamingIt() throws Exception {
        List<HookPoint> points = List.of(new HookPoint("read", "([BII)", Hook.READ), new HookPoint("available", "()", Hook.AVAILABLE));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> HookWeaver.weave(bytes(SOCKET), points));
        assertTrue(e.getMessage().contains("available()"), e.getMessage());
    }

    @Test
    void everyHookPointIsFoundInThisJdk() throws Exception {
        SocketInstrumentation.requireHookPoints();
    }

    /** The real JDK classes, woven: defined outside the bootstrap loader, the verifier checks every frame. */
    @Test
    void theWovenJdkClassesPassTheVerifier() throws Exception {
        for (Map.Entry<String, List<HookPoint>> e : SocketInstrumentation.POINTS.entrySet()) {
            byte[] woven = HookWeaver.weave(jdkBytes(e.getKey()), e.getValue());
            ClassLoader loader = new DefiningLoader(e.getKey(), woven);
            try {
                Class.forName(e.getKey(), true, loader);
            } catch (VerifyError | ClassFormatError bad) {
                throw new AssertionError(e.getKey() + " woven is rejected", bad);
            } catch (IllegalAccessError | ExceptionInInitializerError expected) {
                // Verified and linked; its static initialiser then cannot reach java.base's package-private
                // classes from this loader's runtime package.
            }
        }
    }

    private Class<?> woven(String name) throws Exception {
        fillBridge(hooks);
        return Class.forName(name, true, new DefiningLoader(name, HookWeaver.weave(bytes(name), POINTS.get(name))));
    }

    private static int connect(Class<?> net, int port) throws Exception {
        return (int) net.getMethod("connect", java.net.ProtocolFamily.class, FileDescriptor.class, InetAddress.class, int.class)
                .invoke(null, StandardProtocolFamily.INET, new FileDescriptor(), HOST, port);
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = HookWeaverTest.class.getClassLoader().getResourceAsStream(name.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    private static byte[] jdkBytes(String name) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(name.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines one class from the given bytes; everything else comes from the test's loader. */
    private static final class DefiningLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        DefiningLoader(String name, byte[] bytes) {
            super(HookWeaverTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            if (!className.equals(name)) {
                return super.loadClass(className, resolve);
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> c = findLoadedClass(className);
                return c != null ? c : defineClass(className, bytes, 0, bytes.length);
            }
        }
    }

    /** Records each call; answers and faults as the test sets them. */
    private static final class RecordingHooks implements SocketHooks {
        final List<String> calls = new ArrayList<>();
        Object connectAnswer;
        Integer afterConnectAnswer;
        Throwable replacement;
        boolean swallow;
        boolean exitFault;
        IOException beforeWriteFailure;

        @Override
        public void tcpConnect() {
            calls.add("tcpConnect");
        }

        @Override
        public Object beforeConnect(FileDescriptor fd, InetAddress remote, int port) throws IOException {
            calls.add("beforeConnect " + port);
            if (connectAnswer instanceof IOException e) {
                throw e;
            }
            if (connectAnswer instanceof RuntimeException e) {
                throw e;
            }
            return connectAnswer;
        }

        @Override
        public int afterConnect(FileDescriptor fd, InetAddress remote, int port, int result) {
            calls.add("afterConnect " + remote.getHostAddress() + ":" + port + " " + result);
            if (exitFault) {
                throw new IllegalStateException("bug in afterConnect");
            }
            return afterConnectAnswer != null ? afterConnectAnswer : result;
        }

        @Override
        public void afterTimedConnect(FileDescriptor fd, long timeoutNanos) {
            calls.add("afterTimedConnect " + timeoutNanos);
        }

        @Override
        public void beforeRead(Object socket, FileDescriptor fd) {
            assertFalse(fd == null);
            assertFalse(socket == null, "the read hook carries its socket object, whose locks a trigger holds");
            calls.add("beforeRead");
        }

        @Override
        public Throwable afterRead(FileDescriptor fd, long n, Throwable thrown) {
            calls.add("afterRead " + n + " " + (thrown == null ? null : thrown.getMessage()));
            if (exitFault) {
                throw new IllegalStateException("bug in afterRead");
            }
            if (swallow) {
                return null;
            }
            return replacement != null ? replacement : thrown;
        }

        @Override
        public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer data) {
            calls.add("beforeWrite buffer");
        }

        @Override
        public void beforeWrite(Object socket, FileDescriptor fd, ByteBuffer[] data, int offset, int length) {
            calls.add("beforeWrite buffers");
        }

        @Override
        public void beforeWrite(Object socket, FileDescriptor fd, byte[] data, int offset, int length) throws IOException {
            calls.add("beforeWrite " + length);
            if (beforeWriteFailure != null) {
                throw beforeWriteFailure;
            }
        }

        @Override
        public Throwable afterWrite(FileDescriptor fd, Throwable thrown) {
            calls.add("afterWrite " + (thrown == null ? null : thrown.getMessage()));
            if (exitFault) {
                throw new IllegalStateException("bug in afterWrite");
            }
            return thrown;
        }

        @Override
        public void beforeShutdownOutput(Object socket, FileDescriptor fd) {
            calls.add("beforeShutdownOutput");
        }

        @Override
        public void beforeOpaqueWrite(FileDescriptor fd) {
            calls.add("beforeOpaqueWrite");
        }

        @Override
        public void beforeInterest(Object socket, FileDescriptor fd, int ops) {
            calls.add("beforeInterest " + ops);
        }

        @Override
        public void closed(FileDescriptor fd) {
            calls.add("closed");
        }

        @Override
        public void afterListen(FileDescriptor fd) {
            calls.add("afterListen");
        }

        @Override
        public void afterAccept(Object accepted) {
            calls.add("afterAccept");
        }

        @Override
        public FileDescriptor nettyDescriptor(int fdVal, boolean connecting) {
            return null;
        }

        @Override
        public void nettyForget(int fdVal) {
        }

        @Override
        public ByteBuffer nativeBytes(long address, int length) {
            return null;
        }

        @Override
        public ByteBuffer[] nativeIovecs(long address, int count) {
            return null;
        }

        @Override
        public void fault(String hook, Throwable fault) {
            calls.add("fault " + hook);
        }
    }
}
