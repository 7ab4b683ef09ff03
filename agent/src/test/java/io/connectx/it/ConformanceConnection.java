package io.connectx.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;

/**
 * One TCP client connection as an application writes it with one JDK API: the abstract transport that the
 * conformance scenarios ({@link ConformanceScenarios}) are written against, as Netty's testsuite writes one
 * scenario set against every transport. Each implementation is ordinary application code for its API;
 * what it observes on the way (a non-blocking connect's return value, OP_CONNECT) goes to the {@link ConformanceTrace}.
 */
interface ConformanceConnection extends Closeable {
    /** Connects; {@code timeoutMs} 0 means the API's untimed connect. */
    void connect(InetSocketAddress address, int timeoutMs) throws Exception;

    void write(byte[] bytes) throws Exception;

    /** Reads up to and without the next {@code \n}; {@code <EOF>} is appended when the stream ended first. */
    String readLine(int timeoutMs) throws Exception;

    /** Reads until the peer closes. */
    String readAll(int timeoutMs) throws Exception;

    /** Keepalive after {@code idle} s idle, probes every {@code interval} s, gives up after {@code count}. */
    void keepAlive(int idle, int interval, int count) throws IOException;

    boolean isOpen();

    /** The most any read here takes in: far more than any answer of the suite's server. */
    int MAX_LINE = 65536;

    static ConformanceConnection open(String api, ConformanceTrace trace) throws IOException {
        return switch (api) {
            case "socket", "virtual" -> new OfSocket();
            case "channel" -> new OfChannel();
            case "selector" -> new OfSelector(trace);
            case "async" -> new OfAsync();
            default -> throw new IllegalArgumentException(api);
        };
    }

    /** An application-level timeout: the code gave up waiting for an event, no exception was thrown to it. */
    final class AppTimeout extends Exception {
        AppTimeout(String message) {
            super(message);
        }
    }

    private static void keepAlive(NetworkChannel channel, int idle, int interval, int count) throws IOException {
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idle);
        channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, interval);
        channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
    }

    private static String line(ByteArrayOutputStream out, boolean eof) {
        String text = out.toString(StandardCharsets.UTF_8);
        return eof ? text + "<EOF>" : text;
    }

    /** {@link Socket}: its timed connect and SO_TIMEOUT. */
    final class OfSocket implements ConformanceConnection {
        private final Socket socket = new Socket();

        @Override
        public void connect(InetSocketAddress address, int timeoutMs) throws IOException {
            socket.connect(address, timeoutMs);
        }

        @Override
        public void write(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
        }

        @Override
        public String readLine(int timeoutMs) throws IOException {
            socket.setSoTimeout(timeoutMs);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int b = in.read(); out.size() < MAX_LINE; b = in.read()) {
                if (b < 0) {
                    return line(out, true);
                }
                if (b == '\n') {
                    return line(out, false);
                }
                out.write(b);
            }
            return line(out, false);
        }

        @Override
        public String readAll(int timeoutMs) throws IOException {
            socket.setSoTimeout(timeoutMs);
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void keepAlive(int idle, int interval, int count) throws IOException {
            socket.setKeepAlive(true);
            setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idle);
            setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, interval);
            setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
        }

        private <T> void setOption(SocketOption<T> option, T value) throws IOException {
            socket.setOption(option, value);
        }

        @Override
        public boolean isOpen() {
            return !socket.isClosed();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * A blocking {@link SocketChannel}: {@code connect}, or the socket adaptor's timed connect (a channel
     * has no other); reads and writes on the channel itself, which have no timeout.
     */
    final class OfChannel implements ConformanceConnection {
        private final SocketChannel channel = SocketChannel.open();

        OfChannel() throws IOException {
        }

        @Override
        public void connect(InetSocketAddress address, int timeoutMs) throws IOException {
            if (timeoutMs > 0) {
                channel.socket().connect(address, timeoutMs);
            } else {
                channel.connect(address);
            }
        }

        @Override
        public void write(byte[] bytes) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }

        @Override
        public String readLine(int timeoutMs) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (out.size() < MAX_LINE) {
                one.clear();
                if (channel.read(one) < 0) {
                    return line(out, true);
                }
                if (one.get(0) == '\n') {
                    return line(out, false);
                }
                out.write(one.get(0));
            }
            return line(out, false);
        }

        @Override
        public String readAll(int timeoutMs) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (out.size() < MAX_LINE && channel.read(buf.clear()) >= 0) {
                out.write(buf.array(), 0, buf.position());
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void keepAlive(int idle, int interval, int count) throws IOException {
            ConformanceConnection.keepAlive(channel, idle, interval, count);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * A non-blocking {@link SocketChannel} on a {@link Selector}, written the usual way: connect, and when
     * that returns false, OP_CONNECT then finishConnect; OP_WRITE when a write is short; OP_READ to read.
     * The application's time bound is its select timeout.
     */
    final class OfSelector implements ConformanceConnection {
        private final ConformanceTrace trace;
        private final Selector selector = Selector.open();
        private final SocketChannel channel = SocketChannel.open();
        private SelectionKey key;

        OfSelector(ConformanceTrace trace) throws IOException {
            this.trace = trace;
            channel.configureBlocking(false);
        }

        @Override
        public void connect(InetSocketAddress address, int timeoutMs) throws Exception {
            boolean connected = channel.connect(address);
            trace.saw("connect-returned=" + connected);
            if (!connected) {
                int wait = timeoutMs > 0 ? timeoutMs : 5000;
                if (!await(SelectionKey.OP_CONNECT, wait)) {
                    throw new AppTimeout("no OP_CONNECT within " + wait + " ms");
                }
                boolean finished = channel.finishConnect();
                trace.saw("OP_CONNECT finishConnect=" + finished);
                if (!finished) {
                    throw new AppTimeout("OP_CONNECT selected but finishConnect returned false");
                }
            }
        }

        /** Waits at most {@code timeoutMs} for {@code op}; false when it did not come. */
        boolean await(int op, long timeoutMs) throws IOException {
            if (key == null) {
                key = channel.register(selector, op);
            } else {
                key.interestOps(op);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            for (long left = timeoutMs; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                selector.select(left);
                boolean ready = selector.selectedKeys().remove(key) && (key.readyOps() & op) != 0;
                if (ready) {
                    return true;
                }
            }
            return false;
        }

        SocketChannel channel() {
            return channel;
        }

        @Override
        public void write(byte[] bytes) throws Exception {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            channel.write(buf);
            while (buf.hasRemaining()) {
                if (!await(SelectionKey.OP_WRITE, 5000)) {
                    throw new AppTimeout("no OP_WRITE within 5000 ms");
                }
                channel.write(buf);
            }
        }

        @Override
        public String readLine(int timeoutMs) throws Exception {
            return read(timeoutMs, true);
        }

        @Override
        public String readAll(int timeoutMs) throws Exception {
            return read(timeoutMs, false);
        }

        private String read(int timeoutMs, boolean oneLine) throws Exception {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocate(1);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (out.size() < MAX_LINE) {
                one.clear();
                int n = channel.read(one);
                if (n < 0) {
                    return oneLine ? line(out, true) : out.toString(StandardCharsets.UTF_8);
                }
                if (n == 0) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0 || !await(SelectionKey.OP_READ, left)) {
                        throw new AppTimeout("no OP_READ within " + timeoutMs + " ms");
                    }
                    continue;
                }
                if (oneLine && one.get(0) == '\n') {
                    return line(out, false);
                }
                out.write(one.get(0));
            }
            return line(out, false);
        }

        @Override
        public void keepAlive(int idle, int interval, int count) throws IOException {
            ConformanceConnection.keepAlive(channel, idle, interval, count);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            try (selector) {
                channel.close();
            }
        }
    }

    /** {@link AsynchronousSocketChannel}, each operation's Future waited on with the application's timeout. */
    final class OfAsync implements ConformanceConnection {
        private final AsynchronousSocketChannel channel = AsynchronousSocketChannel.open();

        OfAsync() throws IOException {
        }

        @Override
        public void connect(InetSocketAddress address, int timeoutMs) throws Exception {
            if (timeoutMs > 0) {
                channel.connect(address).get(timeoutMs, TimeUnit.MILLISECONDS);
            } else {
                channel.connect(address).get();
            }
        }

        @Override
        public void write(byte[] bytes) throws Exception {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf).get(5, TimeUnit.SECONDS);
            }
        }

        @Override
        public String readLine(int timeoutMs) throws Exception {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (out.size() < MAX_LINE) {
                one.clear();
                if (channel.read(one).get(timeoutMs, TimeUnit.MILLISECONDS) < 0) {
                    return line(out, true);
                }
                if (one.get(0) == '\n') {
                    return line(out, false);
                }
                out.write(one.get(0));
            }
            return line(out, false);
        }

        @Override
        public String readAll(int timeoutMs) throws Exception {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (out.size() < MAX_LINE && channel.read(buf.clear()).get(timeoutMs, TimeUnit.MILLISECONDS) >= 0) {
                out.write(buf.array(), 0, buf.position());
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void keepAlive(int idle, int interval, int count) throws IOException {
            ConformanceConnection.keepAlive(channel, idle, interval, count);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
