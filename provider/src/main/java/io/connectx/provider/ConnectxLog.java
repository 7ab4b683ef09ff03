package io.connectx.provider;

import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * The agent's few messages. They go to stderr with a {@code connectx:} prefix rather than through a
 * logging framework, because initialising java.util.logging from premain would fix the app's
 * LogManager choice before the app makes it.
 */
public final class ConnectxLog {
    private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();

    private ConnectxLog() {
    }

    public static void warn(String message) {
        System.err.println("connectx: " + message);
    }

    /** Logs {@code message} the first time {@code key} is seen, so a per-connection fault is one line, not a flood. */
    public static void warnOnce(String key, String message) {
        if (ONCE.add(key)) {
            warn(message);
        }
    }
}
