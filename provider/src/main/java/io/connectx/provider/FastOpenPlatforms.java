package io.connectx.provider;

import io.connectx.sys.JdkSocketNatives;
import io.connectx.sys.LinuxSockets;
import io.connectx.sys.darwin.DarwinSockets;
import java.util.Locale;

/**
 * Which {@link FastOpen} this OS gets: Linux's TCP_FASTOPEN_CONNECT path or Darwin's connectx(2) path. A test
 * may choose the path whatever the OS (the agent's {@code platform} setting, or the system property
 * {@value #PLATFORM_PROPERTY}): {@code platform=darwin} with {@code darwin.library} naming the xnu-model
 * library runs the Darwin path on Linux.
 */
public final class FastOpenPlatforms {
    /** The agent's {@code platform} setting as a system property; tests only. */
    public static final String PLATFORM_PROPERTY = "connectx.platform";
    private static volatile Kind chosen;

    public enum Kind {
        LINUX, DARWIN, UNSUPPORTED
    }

    private FastOpenPlatforms() {
    }

    /** By the {@code os.name} system property's value. */
    public static Kind kindOf(String osName) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return Kind.LINUX;
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return Kind.DARWIN;
        }
        return Kind.UNSUPPORTED;
    }

    /** The path chosen for tests, if any; otherwise the OS's. */
    public static Kind current() {
        Kind kind = chosen;
        if (kind != null) {
            return kind;
        }
        String property = System.getProperty(PLATFORM_PROPERTY);
        return property != null ? parse(property) : kindOf(System.getProperty("os.name"));
    }

    /** Runs {@code kind}'s path whatever the OS; for tests (the agent's {@code platform} setting). */
    public static void choose(Kind kind) {
        chosen = kind;
    }

    /** True when a test chose the path rather than the OS. */
    public static boolean isChosen() {
        return chosen != null || System.getProperty(PLATFORM_PROPERTY) != null;
    }

    /** {@code darwin} or {@code linux}, as the {@code platform} setting spells them. */
    public static Kind parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "darwin" -> Kind.DARWIN;
            case "linux" -> Kind.LINUX;
            default -> throw new IllegalArgumentException("bad platform '" + text + "': expected darwin or linux");
        };
    }

    /** The implementation for {@code kind}, its native bindings checked; throws with the reason when they are not available. */
    public static FastOpen of(Kind kind) {
        String failure = bindingFailure(kind);
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return unbound(kind);
    }

    /**
     * The implementation for {@code kind} without touching JNA, for a caller that binds it on another thread
     * ({@link #bindingFailure}) and makes no native call before that succeeded: the agent, whose premain
     * would otherwise pay for unpacking and binding JNA.
     */
    public static FastOpen unbound(Kind kind) {
        return switch (kind) {
            case LINUX -> new LinuxFastOpen();
            case DARWIN -> new DarwinFastOpen();
            case UNSUPPORTED -> throw new IllegalStateException("unsupported OS '" + System.getProperty("os.name")
                    + "' (Linux and macOS only)");
        };
    }

    /**
     * Binds the native calls of {@code kind}'s connect path; returns null when they are available, or why they are
     * not. On Linux the JDK's own natives when they all resolve, so that JNA is not loaded; JNA otherwise.
     */
    public static String bindingFailure(Kind kind) {
        return switch (kind) {
            case LINUX -> JdkSocketNatives.isAvailable() || LinuxSockets.isAvailable() ? null
                    : "JNA could not bind libc: " + LinuxSockets.unavailabilityCause()
                            + " (and the JDK's own natives are not usable: " + JdkSocketNatives.unavailabilityCause() + ")";
            case DARWIN -> DarwinSockets.isAvailable() ? null
                    : "JNA could not bind " + (DarwinSockets.library() == null ? "libSystem" : DarwinSockets.library())
                            + ": " + DarwinSockets.unavailabilityCause();
            case UNSUPPORTED -> "unsupported OS '" + System.getProperty("os.name") + "' (Linux and macOS only)";
        };
    }
}
