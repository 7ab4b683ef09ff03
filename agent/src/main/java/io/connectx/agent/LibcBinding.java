package io.connectx.agent;

import io.connectx.provider.ConnectxLog;
import io.connectx.provider.FastOpenPlatforms;
import io.connectx.provider.FastOpenSockets;
import io.connectx.sys.JdkSocketNatives;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The native calls of the connect path, bound the first time a hook needs one, on that hook's thread: never on
 * the start-up path. On Linux those are the JDK's own natives ({@code io.connectx.sys.JdkSocketNatives}), all
 * resolved or none, and JNA's binding of libc only when they are not; JNA is not loaded otherwise until a
 * feature that needs it runs (the SYN-data proof, listeners, doctor). Loading JNA there would cost every application's start-up, even one that never makes
 * an admitted connect, and JNA's {@code Native} initialiser gets a {@code java.util.logging.Logger}, which
 * fixes the JVM's LogManager before the application's {@code main} could choose its own. Other threads that need the binding meanwhile wait for it,
 * bounded, and leave their socket plain when it is late or failed.
 */
final class LibcBinding {
    /**
     * How long a hook waits for a binding another thread is making. Generous for a loaded machine's first JNA
     * load; bounded so that a connect made while the binding waits on a lock the connecting thread holds (a
     * class being initialised, say) proceeds plain instead of hanging.
     */
    static final long WAIT_MILLIS = 5_000;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<Thread> binder = new AtomicReference<>();
    private final FastOpenSockets sockets;
    private final FastOpenPlatforms.Kind platform;
    private volatile boolean bound;

    LibcBinding(FastOpenSockets sockets, FastOpenPlatforms.Kind platform) {
        this.sockets = sockets;
        this.platform = platform;
    }

    /** Whether native calls can be made: binds on the first call, waits up to {@link #WAIT_MILLIS} on others. */
    boolean await() {
        if (bound) {
            return true;
        }
        Thread current = Thread.currentThread();
        if (binder.compareAndSet(null, current)) {
            bind();
            return bound;
        }
        if (binder.get() == current) {
            return false; // re-entered from the binding itself (a LogManager that connects somewhere, say)
        }
        try {
            return finished.await(WAIT_MILLIS, TimeUnit.MILLISECONDS) && bound;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void bind() {
        String failure = null;
        try {
            failure = FastOpenPlatforms.bindingFailure(platform);
            bound = failure == null;
            if (bound && platform == FastOpenPlatforms.Kind.LINUX && !JdkSocketNatives.isAvailable()
                    && ConnectxLog.isEnabled(ConnectxLog.Level.DEBUG)) {
                ConnectxLog.debug("the JDK's own socket natives are not usable here (" + JdkSocketNatives.unavailabilityCause()
                        + "); connects use JNA");
            }
        } catch (Throwable t) {
            failure = "JNA could not bind the C library: " + t;
        } finally {
            finished.countDown();
        }
        if (failure != null) {
            AgentStarter.libcFailed(sockets, failure);
        }
    }
}
