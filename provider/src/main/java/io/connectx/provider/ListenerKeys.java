package io.connectx.provider;

import io.connectx.sys.FileDescriptors;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The listeners the agent gave Fast Open, and the key they share ({@code listen.keyfile}). Every server
 * behind one address needs the same key for a client's cookie to be valid on all of them. Loading the
 * file again (a second attach) re-keys every listener still open; listeners opened later get the key
 * when they listen.
 *
 * <p>Listeners are held weakly, by their FileDescriptor, so a collected one leaves the WeakHashMap. A closed
 * channel's FileDescriptor keeps its number (the JDK's NIO close does not clear it), and the number may
 * already belong to another socket: so each listener is known by its socket's inode as well
 * ({@code /proc/self/fd/N} reads {@code socket:[INODE]}), and one whose number no longer leads to that
 * socket is dropped, not keyed. (A close in the moment between that check and the setsockopt could still
 * reach the socket that takes the number; a socket's own key is read only while it listens with Fast Open,
 * from its accept queue in tcp_fastopen_cookie_gen_check, so a client socket never uses it.) At most {@link #MAX_TRACKED} are held; one beyond that still gets the key
 * when it listens, but not a later one.
 *
 * <p>The kernel cannot give a listener back the namespace's key: a listener keyed once keeps its key
 * until it gets another, also when a later load fails.
 */
public final class ListenerKeys {
    static final int MAX_TRACKED = 4096;
    private static final String NAMESPACE_KEY = "the namespace's key (net.ipv4.tcp_fastopen_key)";

    private final FastOpen platform;
    private final FastOpenStats stats;
    /** Each listener the agent enabled, by its socket. Guarded by this. */
    private final Map<FileDescriptor, Listener> listeners = new WeakHashMap<>();
    private FastOpenKey key;
    private Path file;
    private String failure;
    private boolean unsupported;

    ListenerKeys(FastOpen platform, FastOpenStats stats) {
        this.platform = platform;
        this.stats = stats;
    }

    /**
     * Reads {@code keyFile} (null: none) and gives its key to every open listener the agent enabled. A bad
     * file gets one line naming it and what was expected; listeners then use the namespace's key, and
     * server Fast Open stays on. The key never reaches a line, a counter or an exception.
     */
    public synchronized void load(Path keyFile) {
        file = keyFile;
        failure = null;
        key = null;
        if (keyFile == null) {
            keepNotice("");
            return;
        }
        try {
            key = FastOpenKeyFile.read(keyFile);
            stats.keyLoads.increment();
        } catch (IllegalArgumentException e) {
            stats.keyLoadFailures.increment();
            failure = "listen.keyfile " + e.getMessage();
            ConnectxLog.warn(failure + "; listeners use " + NAMESPACE_KEY + ", and server Fast Open stays on");
            keepNotice(" after this failed load");
            return;
        }
        if (FastOpenKeyFile.readableByOthers(keyFile)) {
            ConnectxLog.warn("listen.keyfile " + keyFile + " can be read by group or others; the key is used, but keep it"
                    + " private: chmod 600 " + keyFile);
        }
        int keyed = 0;
        int open = 0;
        for (Iterator<Map.Entry<FileDescriptor, Listener>> it = listeners.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<FileDescriptor, Listener> entry = it.next();
            int fdVal = FileDescriptors.fdVal(entry.getKey());
            if (!entry.getValue().isAt(fdVal)) {
                it.remove();
                continue;
            }
            open++;
            entry.getValue().keyed |= give(fdVal);
            keyed += entry.getValue().keyed ? 1 : 0;
        }
        if (open > 0) {
            ConnectxLog.warn("listen.keyfile " + keyFile + ": " + key + " given to " + keyed + " of " + open + " open listeners");
        }
    }

    /** Called once the agent enabled Fast Open on a listener: remembers it and gives it the current key. */
    synchronized void enabled(FileDescriptor fd, int fdVal) {
        boolean given = key != null && give(fdVal);
        long socket = socketInode(fdVal);
        if (socket < 0) {
            return; // no /proc: this listener could not be told from a later socket on its number
        }
        if (listeners.size() >= MAX_TRACKED) {
            dropClosed();
        }
        if (listeners.size() < MAX_TRACKED) {
            listeners.put(fd, new Listener(socket, given));
        } else {
            ConnectxLog.warnOnce("listener-keys-full", "over " + MAX_TRACKED + " open Fast Open listeners: listeners"
                    + " opened from now on get the current key, but a later attach does not re-key them");
        }
    }

    /**
     * Sets the key on one listener. A kernel that refuses the backup gets the primary alone (one warning);
     * one that refuses any listener key is not asked again (one warning).
     */
    private boolean give(int fdVal) {
        if (unsupported) {
            return false;
        }
        FastOpenKey given = key;
        FastOpen.Outcome outcome = set(fdVal, given);
        if (outcome == FastOpen.Outcome.UNSUPPORTED && given.hasBackup()) {
            given = given.primaryOnly();
            outcome = set(fdVal, given);
            if (outcome == FastOpen.Outcome.ENABLED) {
                ConnectxLog.warnOnce("listener-key-backup", "the kernel refused a backup Fast Open key: listeners hold the"
                        + " primary of listen.keyfile alone, so cookies made under the backup are refused");
            }
        }
        if (outcome == FastOpen.Outcome.UNSUPPORTED) {
            unsupported = true;
            ConnectxLog.warnOnce("listener-key-unsupported", "the kernel refused TCP_FASTOPEN_KEY (Linux 4.20 or later"
                    + " takes it): listeners use " + NAMESPACE_KEY + ", and server Fast Open stays on");
            return false;
        }
        if (outcome == FastOpen.Outcome.ENABLED) {
            stats.listenersKeyed.increment();
            return true;
        }
        return false;
    }

    private FastOpen.Outcome set(int fdVal, FastOpenKey given) {
        byte[] bytes = given.bytes();
        try {
            return platform.setListenerKey(fdVal, bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Says, when open listeners hold a key the agent no longer has, that they keep it. */
    private void keepNotice(String when) {
        dropClosed();
        int keeping = 0;
        for (Listener listener : listeners.values()) {
            keeping += listener.keyed ? 1 : 0;
        }
        if (keeping > 0) {
            ConnectxLog.warn(keeping + " open listeners keep the key they hold" + when + " (the kernel cannot give a"
                    + " listener back the namespace's key); new listeners use " + NAMESPACE_KEY);
        }
    }

    /** No lambdas here: this runs in premain when a key file fails, and each lambda spins a class. */
    private void dropClosed() {
        for (Iterator<Map.Entry<FileDescriptor, Listener>> it = listeners.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<FileDescriptor, Listener> entry = it.next();
            if (!entry.getValue().isAt(FileDescriptors.fdVal(entry.getKey()))) {
                it.remove();
            }
        }
    }

    /** The inode of the socket behind {@code fdVal} in this process, or -1 (closed, not a socket, no /proc). */
    static long socketInode(int fdVal) {
        if (fdVal < 0) {
            return -1;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fdVal)).toString();
            return target.startsWith("socket:[") && target.endsWith("]")
                    ? Long.parseLong(target.substring(8, target.length() - 1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A listener the agent enabled: its socket's inode, and whether it holds a key of the agent's. */
    private static final class Listener {
        final long socket;
        boolean keyed;

        Listener(long socket, boolean keyed) {
            this.socket = socket;
            this.keyed = keyed;
        }

        /** Whether {@code fdVal} still leads to this listener's socket (not closed, its number not reused). */
        boolean isAt(int fdVal) {
            return socketInode(fdVal) == socket;
        }
    }

    /** Whether listeners get a key of their own, from {@link #file()}; false: the namespace's key. */
    public synchronized boolean ownKey() {
        return key != null && !unsupported;
    }

    /** The key file configured, or null. Paths are not secret. */
    public synchronized Path file() {
        return file;
    }

    /** Why the last load failed, naming the file; null when it did not. */
    public synchronized String failure() {
        return failure;
    }

    /** Which key listeners use, for {@code doctor} and the start-up line: never the key itself. */
    public synchronized String describe() {
        if (ownKey()) {
            return "listeners use keys of their own from " + file + " (" + key + ")";
        }
        if (unsupported) {
            return "listeners use " + NAMESPACE_KEY + ": the kernel refused TCP_FASTOPEN_KEY";
        }
        return failure != null ? "listeners use " + NAMESPACE_KEY + ": " + failure : "listeners use " + NAMESPACE_KEY;
    }

    /** Open listeners tracked for re-keying (tests). */
    synchronized int tracked() {
        dropClosed();
        return listeners.size();
    }
}
