package io.connectx.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;

/**
 * Runs in a child JVM as an application that has only what every application has (no --add-opens, no
 * connectx classes of its own): prints the JVM-wide SelectorProvider, where its class came from and which
 * loader defined it, then makes COUNT fresh non-blocking connections through a {@link Selector}, each a
 * {@link TestProtocol} request and its reply. Usage: {@code SelectorClientApp HOST PORT COUNT}, or
 * {@code SelectorClientApp} alone to print the provider and stop.
 */
public final class SelectorClientApp {
    private static final int TIMEOUT_MS = 5000;

    private SelectorClientApp() {
    }

    public static void main(String[] args) throws Exception {
        SelectorProvider provider = SelectorProvider.provider();
        Class<?> type = provider.getClass();
        System.out.println("provider " + type.getName());
        System.out.println("provider-loader " + (type.getClassLoader() == ClassLoader.getSystemClassLoader() ? "system"
                : String.valueOf(type.getClassLoader())));
        System.out.println("provider-from " + (type.getProtectionDomain().getCodeSource() == null ? "jdk"
                : type.getProtectionDomain().getCodeSource().getLocation()));
        if (args.length == 0) {
            return;
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        for (int i = 1; i <= count; i++) {
            String reply = exchange(server, i);
            System.out.println("conn " + i + " reply=" + (("PONG " + i + "\n").equals(reply) ? "ok" : "bad " + reply));
        }
    }

    /** Non-blocking connect; OP_CONNECT and finishConnect when it did not complete at once; OP_WRITE; OP_READ. */
    private static String exchange(InetSocketAddress server, int i) throws IOException {
        try (Selector selector = Selector.open(); SocketChannel channel = SocketChannel.open()) {
            channel.configureBlocking(false);
            boolean connected = channel.connect(server);
            SelectionKey key = channel.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT);
            ByteBuffer request = ByteBuffer.wrap(("PING " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder reply = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(256);
            long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
            while (System.nanoTime() < deadline && reply.indexOf("\n") < 0) {
                if (selector.select(TIMEOUT_MS) == 0) {
                    continue;
                }
                selector.selectedKeys().clear();
                if (key.isConnectable() && channel.finishConnect()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                } else if (key.isWritable()) {
                    channel.write(request);
                    if (!request.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                } else if (key.isReadable()) {
                    buf.clear();
                    if (channel.read(buf) < 0) {
                        break;
                    }
                    reply.append(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
                }
            }
            return reply.toString();
        }
    }

    /** An application's own provider, named on the command line or in a service file; never used for I/O here. */
    public static final class OwnProvider extends SelectorProvider {
        @Override
        public DatagramChannel openDatagramChannel() {
            throw new UnsupportedOperationException();
        }

        @Override
        public DatagramChannel openDatagramChannel(ProtocolFamily family) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Pipe openPipe() {
            throw new UnsupportedOperationException();
        }

        @Override
        public AbstractSelector openSelector() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServerSocketChannel openServerSocketChannel() {
            throw new UnsupportedOperationException();
        }

        @Override
        public SocketChannel openSocketChannel() {
            throw new UnsupportedOperationException();
        }
    }
}
