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
 * <p>Needs {@code sun.nio.ch} open to this class's module (the agent opens it; standalone use needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}) to reach the platform provider.
 */
public final class ConnectxSelectorProvider extends SelectorProvider {
    private final SelectorProvider platform;

    public ConnectxSelectorProvider() {
        this.platform = platformProvider();
    }

    /** The provider the JDK would have chosen: {@code sun.nio.ch.DefaultSelectorProvider.get()}. */
    static SelectorProvider platformProvider() {
        try {
            return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider")
                    .getMethod("get").invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("connectx cannot reach the platform SelectorProvider"
                    + " (run with the agent, or --add-exports java.base/sun.nio.ch=ALL-UNNAMED): " + e, e);
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
