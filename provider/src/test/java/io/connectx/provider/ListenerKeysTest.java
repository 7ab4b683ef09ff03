package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tracking and re-keying, against a scripted kernel, with real listeners so that their descriptors close as the JDK's do. */
class ListenerKeysTest {
    private static final String K1 = "11111111-11111111-11111111-11111111";
    private static final String K2 = "22222222222222222222222222222222";

    @TempDir
    Path dir;

    /** Records the key each fd was given; answers as told. */
    static final class KeyedKernel extends ScriptedKernel {
        final Map<Integer, byte[]> keys = new HashMap<>();
        final List<Integer> lengths = new ArrayList<>();
        int longestAccepted = 32;
        boolean keysUnsupported;

        @Override
        public Outcome setListenerKey(int fd, byte[] key) {
            lengths.add(key.length);
            if (keysUnsupported || key.length > longestAccepted) {
                return Outcome.UNSUPPORTED;
            }
            keys.put(fd, key.clone());
            return Outcome.ENABLED;
        }
    }

    private final KeyedKernel kernel = new KeyedKernel();
    private final FastOpenStats stats = new FastOpenStats();
    private final ListenerKeys keys = new ListenerKeys(kernel, stats);

    private Path keyFile(String text) throws Exception {
        Path file = dir.resolve("fleet.key");
        Files.writeString(file, text);
        return file;
    }

    private static ServerSocketChannel listener() throws Exception {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private void listened(ServerSocketChannel channel) {
        FileDescriptor fd = FileDescriptors.descriptorOf(channel);
        keys.enabled(fd, FileDescriptors.fdVal(fd));
    }

    private byte[] keyOf(ServerSocketChannel channel) {
        return kernel.keys.get(FileDescriptors.of(channel));
    }

    @Test
    void aListenerGetsTheKeyWhenItListensAndAgainWhenTheFileIsReloaded() throws Exception {
        Path file = keyFile(K1 + "\n");
        keys.load(file);
        try (ServerSocketChannel a = listener(); ServerSocketChannel b = listener()) {
            listened(a);
            assertArrayEquals(FastOpenKey.parse(K1).bytes(), keyOf(a));
            keyFile(K2 + "," + K1);
            keys.load(file);
            assertArrayEquals(FastOpenKey.parse(K2 + "," + K1).bytes(), keyOf(a), "the open listener was re-keyed");
            listened(b);
            assertArrayEquals(FastOpenKey.parse(K2 + "," + K1).bytes(), keyOf(b), "a new listener gets the new key");
            assertEquals(2, stats.keyLoads());
            assertEquals(3, stats.listenersKeyed());
            assertTrue(keys.ownKey());
            assertEquals("listeners use keys of their own from " + file + " (a primary key and a backup)", keys.describe());
        }
    }

    @Test
    void aClosedListenerIsDroppedAndTheSocketThatTakesItsNumberIsNotKeyed() throws Exception {
        Path file = keyFile(K1);
        keys.load(file);
        ServerSocketChannel closed = listener();
        int closedFd = FileDescriptors.of(closed);
        listened(closed);
        closed.close();
        kernel.keys.clear();
        kernel.lengths.clear();
        try (ServerSocketChannel other = listener()) {
            assertEquals(closedFd, FileDescriptors.of(other), "the kernel hands out the lowest free number again");
            keys.load(file);
            assertFalse(kernel.keys.containsKey(closedFd), "the socket that took the closed listener's number was keyed");
            assertEquals(List.of(), kernel.lengths);
            assertEquals(0, keys.tracked());
        }
    }

    @Test
    void listenersThatAreDroppedWithoutCloseAreHeldWeakly() throws Exception {
        keys.load(keyFile(K1));
        WeakReference<FileDescriptor> dropped;
        try (ServerSocketChannel channel = listener()) {
            dropped = forgottenListener(FileDescriptors.of(channel));
            assertEquals(1, keys.tracked());
        }
        for (int i = 0; i < 50 && dropped.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(null, dropped.get(), "the tracker kept a listener alive");
        assertEquals(0, keys.tracked());
    }

    /** A descriptor the application dropped without closing: only the tracker could still hold it. */
    private WeakReference<FileDescriptor> forgottenListener(int fdVal) throws Exception {
        FileDescriptor fd = new FileDescriptor();
        java.lang.invoke.MethodHandles.privateLookupIn(FileDescriptor.class, java.lang.invoke.MethodHandles.lookup())
                .findVarHandle(FileDescriptor.class, "fd", int.class).set(fd, fdVal);
        keys.enabled(fd, fdVal);
        return new WeakReference<>(fd);
    }

    @Test
    void aBadFileIsCountedAndNamedAndNewListenersUseTheNamespacesKey() throws Exception {
        Path file = keyFile("not a key\n");
        keys.load(file);
        assertEquals(0, stats.keyLoads());
        assertEquals(1, stats.keyLoadFailures());
        assertFalse(keys.ownKey());
        assertTrue(keys.failure().startsWith("listen.keyfile " + file + ": found the primary key with a character"), keys.failure());
        assertFalse(keys.describe().contains("not a key"), keys.describe());
        try (ServerSocketChannel a = listener()) {
            listened(a);
            assertEquals(null, keyOf(a));
            assertEquals(List.of(), kernel.lengths);
        }
    }

    @Test
    void aListenerKeyedOnceKeepsItsKeyWhenALaterLoadFailsAndNewOnesGetNone() throws Exception {
        Path file = keyFile(K1);
        keys.load(file);
        try (ServerSocketChannel a = listener(); ServerSocketChannel b = listener()) {
            listened(a);
            keyFile(K1 + "," + K2 + "," + K1);
            keys.load(file);
            assertArrayEquals(FastOpenKey.parse(K1).bytes(), keyOf(a), "the kernel cannot take a listener's key back");
            listened(b);
            assertEquals(null, keyOf(b));
            assertEquals(1, stats.keyLoadFailures());
        }
    }

    @Test
    void aKernelWithoutBackupKeysGetsThePrimaryAlone() throws Exception {
        kernel.longestAccepted = 16;
        keys.load(keyFile(K2 + "," + K1));
        try (ServerSocketChannel a = listener()) {
            listened(a);
            assertArrayEquals(FastOpenKey.parse(K2).bytes(), keyOf(a));
            assertEquals(List.of(32, 16), kernel.lengths);
        }
    }

    @Test
    void aKernelWithoutListenerKeysIsAskedOnceAndListenersKeepFastOpen() throws Exception {
        kernel.keysUnsupported = true;
        keys.load(keyFile(K1));
        try (ServerSocketChannel a = listener(); ServerSocketChannel b = listener()) {
            listened(a);
            listened(b);
            assertEquals(List.of(16), kernel.lengths);
            assertFalse(keys.ownKey());
            assertTrue(keys.describe().endsWith("the kernel refused TCP_FASTOPEN_KEY"), keys.describe());
        }
    }

    @Test
    void withoutAFileNothingIsSetAndTheNamespacesKeyIsNamed() throws Exception {
        keys.load(null);
        try (ServerSocketChannel a = listener()) {
            listened(a);
            assertEquals(List.of(), kernel.lengths);
            assertEquals("listeners use the namespace's key (net.ipv4.tcp_fastopen_key)", keys.describe());
        }
    }
}
