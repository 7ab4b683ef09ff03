package io.connectx.provider;

import io.connectx.sys.KernelFastOpen;
import io.connectx.sys.LinuxSockets;
import io.connectx.sys.darwin.DarwinSockets;
import java.util.OptionalInt;

/**
 * What this platform's kernel offers for Fast Open, decided in one place per platform, in the manner of
 * Netty's {@code Epoll.isTcpFastOpenClientSideAvailable()}: the agent's start-up, a reconfiguring attach and
 * {@code doctor} all ask here. Read once per instance ({@link #of}); the kernel's setting may change later.
 */
public abstract class FastOpenCapability {
    FastOpenCapability() {
    }

    /** The capability of {@code kind}'s kernel as it is now. */
    public static FastOpenCapability of(FastOpenPlatforms.Kind kind) {
        return switch (kind) {
            case LINUX -> new Linux(KernelFastOpen.sysctl());
            case DARWIN -> new Darwin();
            case UNSUPPORTED -> throw new IllegalArgumentException("unsupported OS '" + System.getProperty("os.name")
                    + "' (Linux and macOS only)");
        };
    }

    /** Why the kernel's Fast Open setting could not be read, or null; unread, neither side is available. */
    public abstract String unavailabilityCause();

    public abstract boolean isClientSideAvailable();

    public abstract boolean isServerSideAvailable();

    /** The client side's setting as a user reads it, said whether it is on or off. */
    public abstract String clientSide();

    /** The server side's setting as a user reads it, said whether it is on or off. */
    public abstract String serverSide();

    /** The command that turns both sides on. */
    public abstract String fix();

    /** Where {@link #fix} is kept across reboots. */
    public abstract String persistence();

    /** The kernel named for a user, or why it is too old for connectx's Fast Open (then {@link #isKernelSupported} is false). */
    public abstract String kernel();

    public abstract boolean isKernelSupported();

    /** The C library JNA binds for listeners, the SYN-data proof and {@code doctor}. */
    public abstract String nativeLibrary();

    /** Why JNA could not bind {@link #nativeLibrary}, or null when it did. Binds it. */
    public abstract Throwable nativeUnavailabilityCause();

    /** {@code net.ipv4.tcp_fastopen} (bit 1 client, bit 2 server); {@code TCP_FASTOPEN_CONNECT} needs Linux 4.11. */
    static final class Linux extends FastOpenCapability {
        private final OptionalInt sysctl;

        Linux(OptionalInt sysctl) {
            this.sysctl = sysctl;
        }

        @Override
        public String unavailabilityCause() {
            return sysctl.isPresent() ? null : "cannot read " + KernelFastOpen.SYSCTL;
        }

        @Override
        public boolean isClientSideAvailable() {
            return (sysctl.orElse(0) & KernelFastOpen.CLIENT) != 0;
        }

        @Override
        public boolean isServerSideAvailable() {
            return (sysctl.orElse(0) & KernelFastOpen.SERVER) != 0;
        }

        @Override
        public String clientSide() {
            return "net.ipv4.tcp_fastopen=" + sysctl.orElse(0) + (isClientSideAvailable() ? " has" : " lacks")
                    + " the client bit 1";
        }

        @Override
        public String serverSide() {
            return "net.ipv4.tcp_fastopen=" + sysctl.orElse(0) + (isServerSideAvailable() ? " has" : " lacks")
                    + " the server bit 2";
        }

        @Override
        public String fix() {
            return "sysctl -w net.ipv4.tcp_fastopen=3";
        }

        @Override
        public String persistence() {
            return "/etc/sysctl.d/99-tcp-fastopen.conf";
        }

        @Override
        public String kernel() {
            String version = System.getProperty("os.version");
            return isKernelSupported() ? "Linux " + version + " " + System.getProperty("os.arch")
                    + " (TCP_FASTOPEN_CONNECT needs 4.11+)"
                    : "Linux " + version + " lacks TCP_FASTOPEN_CONNECT; fix: upgrade to Linux 4.11 or later";
        }

        @Override
        public boolean isKernelSupported() {
            String[] parts = System.getProperty("os.version").split("[.-]");
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
            return major > 4 || (major == 4 && minor >= 11);
        }

        @Override
        public String nativeLibrary() {
            return "libc";
        }

        @Override
        public Throwable nativeUnavailabilityCause() {
            return LinuxSockets.unavailabilityCause();
        }
    }

    /**
     * {@code net.inet.tcp.fastopen} (bit 1 server, bit 2 client: reversed from Linux) is not read by this build
     * (no sysctlbyname binding); macOS ships it on for both sides, and where the kernel declines Fast Open,
     * connectx(2) makes a plain handshake by itself. connectx(2) needs macOS 10.11.
     */
    static final class Darwin extends FastOpenCapability {
        private static final String UNREAD = "net.inet.tcp.fastopen is not read by this build (macOS ships it on)";

        @Override
        public String unavailabilityCause() {
            return null;
        }

        @Override
        public boolean isClientSideAvailable() {
            return true;
        }

        @Override
        public boolean isServerSideAvailable() {
            return true;
        }

        @Override
        public String clientSide() {
            return UNREAD;
        }

        @Override
        public String serverSide() {
            return UNREAD;
        }

        @Override
        public String fix() {
            return "sysctl -w net.inet.tcp.fastopen=3";
        }

        @Override
        public String persistence() {
            return "/etc/sysctl.conf";
        }

        @Override
        public String kernel() {
            return "the Darwin path (connectx(2), macOS 10.11+) on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.version") + " " + System.getProperty("os.arch");
        }

        @Override
        public boolean isKernelSupported() {
            return true;
        }

        @Override
        public String nativeLibrary() {
            return DarwinSockets.library() == null ? "libSystem" : DarwinSockets.library();
        }

        @Override
        public Throwable nativeUnavailabilityCause() {
            return DarwinSockets.unavailabilityCause();
        }
    }
}
