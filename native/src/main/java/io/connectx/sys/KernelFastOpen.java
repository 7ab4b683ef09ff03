package io.connectx.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * {@code net.ipv4.tcp_fastopen} (Documentation/networking/ip-sysctl.rst): bit 0x1 enables the client
 * side, 0x2 the server side. Per network namespace.
 */
public final class KernelFastOpen {
    public static final Path SYSCTL = Path.of("/proc/sys/net/ipv4/tcp_fastopen");
    public static final int CLIENT = 0x1;
    public static final int SERVER = 0x2;

    private KernelFastOpen() {
    }

    /** The sysctl's value, or empty where it cannot be read (not Linux, no procfs). */
    public static OptionalInt sysctl() {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(SYSCTL).trim()));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
