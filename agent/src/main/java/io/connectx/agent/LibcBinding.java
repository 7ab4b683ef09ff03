package io.connectx.agent;

import io.connectx.provider.FastOpenSockets;
import io.connectx.provider.FastOpenPlatforms;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * JNA's binding of libc, made on a thread of its own while premain weaves: unpacking libjnidispatch and
 * binding it costs about 100 ms, which premain would otherwise add to every application's start-up. The
 * hooks that make native calls wait for it, bounded, and leave the socket plain when it is late or failed.
 */
final class LibcBinding implements Runnable {
    /**
     * How long a hook waits for the binding. Generous for a loaded machine's first JNA load; bounded so that
     * a connect made while the binding waits on a lock the connecting thread holds (a class being
     * initialised, say) proceeds plain instead of hanging.
     */
    static final long WAIT_MILLIS = 5_000;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final FastOpenSockets sockets;
    private final FastOpenPlatforms.Kind platform;
    private volatile boolean bound;

    private LibcBinding(FastOpenSockets sockets, FastOpenPlatforms.Kind platform) {
        this.sockets = sockets;
        this.platform = platform;
    }

    /**
     * Starts binding for {@code sockets}, which {@link AgentStarter} disables if it fails. The thread is not
     * a daemon, so that an application that ends at once still hears about a failure. (No lambdas here:
     * each spins a class the first time, inside premain.)
     */
    static LibcBinding start(FastOpenSockets sockets, FastOpenPlatforms.Kind platform) {
        LibcBinding binding = new LibcBinding(sockets, platform);
        new Thread(binding, "connectx-libc-binding").start();
        return binding;
    }

    @Override
    public void run() {
        String failure = null;
        try {
            failure = FastOpenPlatforms.bindingFailure(platform);
            bound = failure == null;
        } catch (Throwable t) {
            failure = "JNA could not bind the C library: " + t;
        } finally {
            finished.countDown();
        }
        if (failure != null) {
            AgentStarter.libcFailed(sockets, failure);
        }
    }

    /** Whether native calls can be made, waiting for the binding up to {@link #WAIT_MILLIS}. */
    boolean await() {
        if (bound) {
            return true;
        }
        try {
            return finished.await(WAIT_MILLIS, TimeUnit.MILLISECONDS) && bound;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
