package io.connectx.provider;

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

    /** The implementation for {@code kind}; throws with the reason when its native bindings are not available. */
    public static FastOpen of(Kind kind) {
        return switch (kind) {
            case LINUX -> {
                if (!LinuxSockets.isAvailable()) {
                    throw new IllegalStateException("JNA could not bind libc: " + LinuxSockets.unavailabilityCause());
                }
                yield new LinuxFastOpen();
            }
            case DARWIN -> {
                if (!DarwinSockets.isAvailable()) {
                    throw new IllegalStateException("JNA could not bind libSystem: " + DarwinSockets.unavailabilityCause());
                }
                yield new DarwinFastOpen();
            }
            case UNSUPPORTED -> throw new IllegalStateException("unsupported OS '" + System.getProperty("os.name")
                    + "' (Linux and macOS only)");
        };
    }
}
