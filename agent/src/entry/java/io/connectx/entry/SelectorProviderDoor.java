package io.connectx.entry;

import java.nio.channels.spi.SelectorProvider;

/**
 * How {@code io.connectx.provider.ConnectxSelectorProvider}, which the JDK loads through the system class
 * loader (it names the class in {@code java.nio.channels.spi.SelectorProvider}), reaches the JDK's own
 * provider without any access to {@code sun.nio.ch} of its own: the agent, to whose module alone that package
 * is exported, opens this door once with a {@link Source}. The door hands out only the JDK's own provider (a
 * class the boot loader defined in {@code sun.nio.ch}), the object that {@code SelectorProvider.provider()}
 * returns to any application without the agent; so a caller that opens it, or reaches its fields, can neither
 * plant a provider of its own nor get anything the JDK would not give it anyway.
 */
public final class SelectorProviderDoor {
    private static Source source;
    private static SelectorProvider platform;

    private SelectorProviderDoor() {
    }

    /** The agent's side of the door: asked once, when the JDK first builds its JVM-wide provider. */
    public interface Source {
        SelectorProvider platform();
    }

    /**
     * Called once by the agent. Accepts only a source whose class the agent's own loader defined; later calls,
     * and any other caller's, change nothing.
     */
    public static synchronized void open(Source value) {
        if (source == null && value != null && value.getClass().getClassLoader() instanceof AgentClassLoader) {
            source = value;
        }
    }

    /** The JDK's own SelectorProvider, or null when no agent opened the door (or it failed to reach it). */
    public static synchronized SelectorProvider platform() {
        if (!isTheJdks(platform) && source != null) {
            SelectorProvider p;
            try {
                p = source.platform();
            } catch (RuntimeException | LinkageError e) {
                p = null;
            }
            platform = isTheJdks(p) ? p : null;
        }
        return isTheJdks(platform) ? platform : null;
    }

    private static boolean isTheJdks(SelectorProvider p) {
        return p != null && p.getClass().getClassLoader() == null && p.getClass().getName().startsWith("sun.nio.ch.");
    }
}
