package io.connectx.sys;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        // java.io rather than Files.readString: the agent reads this in premain, and NIO's file channel would
        // initialise sun.nio.ch.IOUtil there (loading libnet and libnio) in an application that may never use NIO.
        try (FileInputStream in = new FileInputStream(SYSCTL.toString())) {
            return OptionalInt.of(Integer.parseInt(new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim()));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
