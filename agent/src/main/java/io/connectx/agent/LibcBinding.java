package io.connectx.agent;

import io.connectx.sys.LinuxSockets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * JNA's binding of libc, made on a thread of its own while premain weaves: unpacking libjnidispatch and
 * binding it costs about 100 ms, which premain would otherwise add to every application's start-up. The
 * hooks that make native calls wait for it, bounded, and leave the socket plain when it is late or failed.
 */
final class LibcBinding {
    /**
     * How long a hook waits for the binding. Generous for a loaded machine's first JNA load; bounded so that
     * a connect made while the binding waits on a lock the connecting thread holds (a class being
     * initialised, say) proceeds plain instead of hanging.
     */
    static final long WAIT_MILLIS = 5_000;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean bound;

    private LibcBinding() {
    }

    /**
     * Starts binding; {@code onFailure} gets the cause if it fails. The thread is not a daemon, so that an
     * application that ends at once still hears about the failure.
     */
    static LibcBinding start(Consumer<Throwable> onFailure) {
        LibcBinding binding = new LibcBinding();
        Thread thread = new Thread(() -> {
            try {
                binding.bound = LinuxSockets.isAvailable();
            } finally {
                binding.finished.countDown();
            }
            if (!binding.bound) {
                onFailure.accept(LinuxSockets.unavailabilityCause());
            }
        }, "connectx-libc-binding");
        thread.start();
        return binding;
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
