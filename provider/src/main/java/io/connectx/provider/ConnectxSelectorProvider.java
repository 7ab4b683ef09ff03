package io.connectx.provider;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The JVM-wide {@link SelectorProvider} the agent installs. It hands out the platform's own channels and
 * selectors: the JDK's selectors accept only its own channel classes, so a provider with channel classes
 * of its own would break {@code register}. Fast Open behaviour is added where those channels connect,
 * not by owning them.
 *
 * <p>Under the agent the JDK loads this class through the system class loader (the agent names it in
 * {@code java.nio.channels.spi.SelectorProvider}), from the agent jar's visible part or from the
 * application's own copy of this module, whichever comes first on the class path: the same class either
 * way. It reaches the platform provider through {@code io.connectx.entry.SelectorProviderDoor}, which the
 * agent opens, and so needs no access to {@code sun.nio.ch} of its own. Used without the agent it needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} to reach the platform provider.
 */
public final class ConnectxSelectorProvider extends SelectorProvider {
    /** The agent's door; the agent installs this class JVM-wide only when the copy the system loader finds names it. */
    static final String DOOR = "io.connectx.entry.SelectorProviderDoor";
    private final SelectorProvider platform;

    public ConnectxSelectorProvider() {
        this.platform = platformProvider();
    }

    /** The provider the JDK would have chosen: the agent's door first, {@code sun.nio.ch.DefaultSelectorProvider.get()} without it. */
    static SelectorProvider platformProvider() {
        SelectorProvider fromAgent = fromAgent();
        if (fromAgent != null) {
            return fromAgent;
        }
        try {
            return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider")
                    .getMethod("get").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("connectx cannot reach the platform SelectorProvider"
                    + " (run with the agent, or --add-exports java.base/sun.nio.ch=ALL-UNNAMED): " + e, e);
        }
    }

    /** {@code io.connectx.entry.SelectorProviderDoor.platform()} beside the agent on the system class path; null without it. */
    private static SelectorProvider fromAgent() {
        try {
            return (SelectorProvider) Class.forName(DOOR, true, ClassLoader.getSystemClassLoader())
                    .getMethod("platform").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return platform.openDatagramChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return platform.openDatagramChannel(family);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return platform.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return platform.openSelector();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return platform.openServerSocketChannel();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return platform.openServerSocketChannel(family);
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return platform.openSocketChannel();
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return platform.openSocketChannel(family);
    }

    @Override
    public Channel inheritedChannel() throws IOException {
        return platform.inheritedChannel();
    }
}
