package io.connectx.agent;

import io.connectx.entry.SelectorProviderDoor;
import io.connectx.provider.ConnectxLog;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;

/**
 * Makes {@code io.connectx.provider.ConnectxSelectorProvider} the JVM-wide {@link SelectorProvider} at
 * premain, unless the application chose its own. The JDK loads the provider named in
 * {@value #PROPERTY} through the system class loader, which cannot see the agent's own classes; so the
 * agent jar keeps that one class where the system loader looks (agent/pom.xml), and the class reaches the
 * JDK's provider through {@link SelectorProviderDoor}, which only the agent opens.
 */
final class JvmWideSelectorProvider {
    static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";
    static final String PROVIDER = "io.connectx.provider.ConnectxSelectorProvider";
    private static final String DOOR = SelectorProviderDoor.class.getName();

    private JvmWideSelectorProvider() {
    }

    /** Only from premain: an attached agent finds the JVM's provider chosen, or about to be, without it. */
    static void install() {
        SelectorProviderDoor.open(new PlatformProvider());
        String chosen = System.getProperty(PROPERTY);
        if (chosen != null) {
            if (!chosen.equals(PROVIDER)) {
                ConnectxLog.info("SelectorProvider: the application's " + chosen + " (" + PROPERTY + ") stays JVM-wide");
            }
            return;
        }
        String service = applicationService();
        if (service != null) {
            ConnectxLog.info("SelectorProvider: the application's service " + service + " stays JVM-wide");
            return;
        }
        String copy = PROVIDER.replace('.', '/') + ".class";
        if (!namesTheDoor(copy)) {
            ConnectxLog.info("SelectorProvider: the class path's " + ClassLoader.getSystemResource(copy)
                    + " predates " + DOOR + "; the JDK's provider stays JVM-wide");
            return;
        }
        System.setProperty(PROPERTY, PROVIDER);
    }

    /**
     * A provider the JDK would load as a service (its second choice, after the property): a service file on
     * the class path, or a module of the boot layer that provides one. Null when there is none.
     */
    private static String applicationService() {
        URL file = ClassLoader.getSystemResource("META-INF/services/" + PROPERTY);
        if (file != null) {
            return file.toString();
        }
        for (Module module : ModuleLayer.boot().modules()) {
            for (ModuleDescriptor.Provides provides : module.getDescriptor().provides()) {
                if (provides.service().equals(PROPERTY)) {
                    return module.getName() + " " + provides.providers();
                }
            }
        }
        return null;
    }

    /**
     * Whether the copy of the provider that the system loader finds first (the application's own copy of the
     * provider module, or else the agent jar's) names the door: an older copy would reach for
     * {@code sun.nio.ch} itself, fail, and with it every {@code SelectorProvider.provider()} of the JVM.
     */
    private static boolean namesTheDoor(String resource) {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(resource)) {
            return in != null && contains(in.readAllBytes(), DOOR.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The JDK's own provider, asked for only when the JDK first builds the JVM-wide one; {@code sun.nio.ch} is
     * exported to the agent's module alone ({@link JdkModules}).
     */
    private static final class PlatformProvider implements SelectorProviderDoor.Source {
        @Override
        public SelectorProvider platform() {
            try {
                return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                ConnectxLog.warnOnce("selector-provider", "cannot reach the JDK's SelectorProvider: " + e);
                return null;
            }
        }
    }
}
