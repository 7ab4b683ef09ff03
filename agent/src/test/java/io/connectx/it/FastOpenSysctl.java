package io.connectx.it;

import io.connectx.sys.KernelFastOpen;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Sets {@code net.ipv4.tcp_fastopen=3} (client and server) for a test class and restores the old value
 * after it. Without root the class is skipped, and the reason is printed.
 */
public final class FastOpenSysctl implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FastOpenSysctl.class);

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        String reason = null;
        if (!Files.isReadable(KernelFastOpen.SYSCTL)) {
            reason = KernelFastOpen.SYSCTL + " does not exist: this kernel has no TCP Fast Open";
        } else if (!Files.isWritable(KernelFastOpen.SYSCTL)) {
            reason = "needs root to set net.ipv4.tcp_fastopen=3 (run the tests as root, as CI does)";
        }
        if (reason != null) {
            System.err.println("SKIPPED " + context.getDisplayName() + ": " + reason);
            Assumptions.abort(reason);
        }
        String old = Files.readString(KernelFastOpen.SYSCTL).trim();
        context.getStore(NS).put("old", old);
        Files.writeString(KernelFastOpen.SYSCTL, "3");
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        String old = context.getStore(NS).get("old", String.class);
        if (old != null) {
            Files.writeString(KernelFastOpen.SYSCTL, old);
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_HOST = new java.util.concurrent.atomic.AtomicInteger(10);

    /**
     * A loopback address no other test of this run used, with no cached cookie: its first connection is
     * the cookie fetch. Cookies are kept per destination IP, so this isolates tests from each other.
     */
    public static String freshHost() throws IOException, InterruptedException {
        int n = NEXT_HOST.getAndIncrement();
        if (n > 254) {
            throw new IllegalStateException("out of fresh loopback addresses");
        }
        String host = "127.0.0." + n;
        forgetCookie(host);
        return host;
    }

    /** Forgets the cached Fast Open cookie for {@code address}, so its next connection is a cold one. */
    public static void forgetCookie(String address) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "tcp_metrics", "delete", address).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(); // fails harmlessly when no entry exists
    }
}
