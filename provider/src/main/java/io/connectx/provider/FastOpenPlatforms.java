package io.connectx.provider;

import io.connectx.sys.JdkSocketNatives;
import io.connectx.sys.LinuxSockets;
import io.connectx.sys.darwin.DarwinSockets;
import java.util.Locale;

/** Which {@link FastOpen} this OS gets: Linux's TCP_FASTOPEN_CONNECT path or Darwin's connectx(2) path. */
public final class FastOpenPlatforms {

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

    public static Kind current() {
        return kindOf(System.getProperty("os.name"));
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
                    : "JNA could not bind libSystem: " + DarwinSockets.unavailabilityCause();
            case UNSUPPORTED -> "unsupported OS '" + System.getProperty("os.name") + "' (Linux and macOS only)";
        };
    }
}
