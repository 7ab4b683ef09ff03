package io.connectx.provider;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's messages, filtered by the {@code log} setting. Start-up lines (the agent standing aside,
 * or saying what it does) go straight to stderr as one line each: they come before the application has
 * configured its logging, and initialising java.util.logging from premain would fix the application's
 * LogManager choice before it makes it. Everything later goes through {@link System.Logger}, so it
 * reaches whatever logging the application configured.
 */
public final class ConnectxLog {
    public enum Level {
        DEBUG(System.Logger.Level.DEBUG), INFO(System.Logger.Level.INFO), WARN(System.Logger.Level.WARNING), OFF(null);

        private final System.Logger.Level system;

        Level(System.Logger.Level system) {
            this.system = system;
        }

        public static Level parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad log '" + text + "': expected debug, info, warn or off");
            }
        }
    }

    private static final Set<String> ONCE = ConcurrentHashMap.newKeySet();
    /** A logging framework that writes to a socket must not log its way back into the agent. */
    private static final ThreadLocal<Boolean> LOGGING = new ThreadLocal<>();
    private static volatile Level threshold = Level.WARN;

    private ConnectxLog() {
    }

    public static void setLevel(Level level) {
        threshold = level;
    }

    public static boolean isEnabled(Level level) {
        return level.ordinal() >= threshold.ordinal() && threshold != Level.OFF;
    }

    /** A start-up line at WARN, on stderr. */
    public static void warn(String message) {
        startupLine(Level.WARN, message);
    }

    /** A start-up line at INFO, on stderr. */
    public static void info(String message) {
        startupLine(Level.INFO, message);
    }

    /** A start-up line at DEBUG, on stderr (log=debug). */
    public static void debugAtStartup(String message) {
        startupLine(Level.DEBUG, message);
    }

    private static void startupLine(Level level, String message) {
        if (isEnabled(level)) {
            System.err.println("connectx: " + message);
        }
    }

    /** A runtime warning, logged the first time {@code key} is seen so a per-connection fault is one line, not a flood. */
    public static void warnOnce(String key, String message) {
        if (isEnabled(Level.WARN) && ONCE.add(key)) {
            log(Level.WARN, message);
        }
    }

    /** A runtime detail, for {@code log=debug}. Callers on the connect path check {@link #isEnabled} before building the text. */
    public static void debug(String message) {
        if (isEnabled(Level.DEBUG)) {
            log(Level.DEBUG, message);
        }
    }

    private static void log(Level level, String message) {
        if (LOGGING.get() != null) {
            return;
        }
        LOGGING.set(Boolean.TRUE);
        try {
            System.getLogger("io.connectx").log(level.system, "connectx: " + message);
        } finally {
            LOGGING.remove();
        }
    }
}
