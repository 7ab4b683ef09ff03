package io.connectx.it;

import io.connectx.sys.FileDescriptors;
import io.connectx.sys.TcpInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Runs in a child JVM. Opens COUNT fresh connections with one JDK API, each a request and a reply, and
 * prints one line per connection: {@code conn I reply=ok|bad client-syn-data=true|false|unknown}.
 * The connecting code is plain JDK use; only the TCP_INFO read afterwards (through the agent jar's
 * classes, on the class path) is test instrumentation. HTTP clients hide their socket: {@code unknown}.
 *
 * <p>Usage: {@code ClientProbe MODE HOST PORT COUNT}.
 */
public final class ClientProbe {
    private static final int TIMEOUT_MS = 5000;

    private ClientProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        InetSocketAddress server = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int count = Integer.parseInt(args[3]);
        System.out.println("provider " + SelectorProvider.provider().getClass().getName());
        long acknowledgedBefore = synDataAcked();
        HttpClient httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(TIMEOUT_MS)).build();
        if (mode.startsWith("other-sockets-then-")) {
            touchOtherSocketKinds(server);
            mode = mode.substring("other-sockets-then-".length());
        }
        int failures = 0;
        for (int i = 1; i <= count; i++) {
            String expected = "PONG " + i + "\n";
            Exchange exchange = switch (mode) {
                case "socket" -> viaSocket(new Socket(server.getAddress(), server.getPort()), i);
                case "socket-connect" -> {
                    Socket s = new Socket();
                    s.connect(server);
                    yield viaSocket(s, i);
                }
                case "socket-timeout" -> {
                    Socket s = new Socket();
                    s.connect(server, TIMEOUT_MS);
                    yield viaSocket(s, i);
                }
                case "channel-blocking" -> viaBlockingChannel(SocketChannel.open(server), i);
                case "channel-adaptor" -> {
                    SocketChannel ch = SocketChannel.open();
                    ch.socket().connect(server, TIMEOUT_MS);
                    yield viaBlockingChannel(ch, i);
                }
                case "channel-selector" -> viaSelector(server, i);
                case "httpclient" -> {
                    expected = "pong " + i;
                    HttpResponse<String> r = httpClient.send(HttpRequest.newBuilder(uri(server, i))
                            .timeout(Duration.ofMillis(TIMEOUT_MS)).build(), HttpResponse.BodyHandlers.ofString());
                    yield new Exchange(r.body(), null);
                }
                case "urlconnection" -> {
                    expected = "pong " + i;
                    HttpURLConnection c = (HttpURLConnection) uri(server, i).toURL().openConnection();
                    c.setConnectTimeout(TIMEOUT_MS);
                    c.setReadTimeout(TIMEOUT_MS);
                    try (InputStream in = c.getInputStream()) {
                        yield new Exchange(new String(in.readAllBytes(), StandardCharsets.UTF_8), null);
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            boolean ok = expected.equals(exchange.reply());
            failures += ok ? 0 : 1;
            System.out.println("conn " + i + " reply=" + (ok ? "ok" : "bad:" + exchange.reply().trim())
                    + " client-syn-data=" + (exchange.synData() == null ? "unknown" : exchange.synData()));
        }
        // The agent's own TCP_INFO proof on this JVM's client sockets, which HTTP clients keep to themselves.
        System.out.println("mbean-syn-data-acked " + (acknowledgedBefore < 0 ? -1 : synDataAcked() - acknowledgedBefore));
        System.exit(failures == 0 ? 0 : 1);
    }

    /** The agent's SynDataAcked; the first read also switches its proof on. -1 without the agent. */
    private static long synDataAcked() {
        try {
            return (Long) java.lang.management.ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new javax.management.ObjectName("io.connectx:type=FastOpen"), "SynDataAcked");
        } catch (javax.management.JMException e) {
            return -1;
        }
    }

    private record Exchange(String reply, Boolean synData) {
    }

    /**
     * A connected UDP channel to the same host and port, and a Unix-domain exchange: both must pass
     * through the agent untouched, and must not spoil Fast Open for the TCP connections that follow.
     */
    private static void touchOtherSocketKinds(InetSocketAddress server) throws IOException {
        try (java.nio.channels.DatagramChannel udp = java.nio.channels.DatagramChannel.open()) {
            udp.connect(server);
            udp.write(ByteBuffer.wrap(ping(0)));
            System.out.println("udp connected " + udp.isConnected());
        }
        java.nio.file.Path path = java.nio.file.Files.createTempDirectory("probe").resolve("s");
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel
                        .open(java.net.StandardProtocolFamily.UNIX).bind(java.net.UnixDomainSocketAddress.of(path));
                SocketChannel client = SocketChannel.open(java.net.UnixDomainSocketAddress.of(path));
                SocketChannel accepted = listener.accept()) {
            client.write(ByteBuffer.wrap(ping(0)));
            ByteBuffer buf = ByteBuffer.allocate(16);
            accepted.read(buf);
            System.out.println("unix exchange " + new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim());
        } finally {
            java.nio.file.Files.deleteIfExists(path);
            java.nio.file.Files.deleteIfExists(path.getParent());
        }
    }

    private static URI uri(InetSocketAddress server, int i) {
        return URI.create("http://" + server.getAddress().getHostAddress() + ":" + server.getPort() + "/" + i);
    }

    private static byte[] ping(int i) {
        return ("PING " + i + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Exchange viaSocket(Socket socket, int i) throws IOException {
        try (socket) {
            socket.setSoTimeout(TIMEOUT_MS);
            socket.getOutputStream().write(ping(i));
            String reply = readLine(socket.getInputStream());
            return new Exchange(reply, TcpInfo.of(FileDescriptors.of(socket)).synData());
        }
    }

    private static Exchange viaBlockingChannel(SocketChannel channel, int i) throws IOException {
        try (channel) {
            channel.write(ByteBuffer.wrap(ping(i)));
            channel.socket().setSoTimeout(TIMEOUT_MS);
            String reply = readLine(channel.socket().getInputStream());
            return new Exchange(reply, TcpInfo.of(FileDescriptors.of(channel)).synData());
        }
    }

    /** Non-blocking: connect, OP_CONNECT and finishConnect when connect did not complete at once, then OP_WRITE, OP_READ. */
    private static Exchange viaSelector(InetSocketAddress server, int i) throws IOException {
        try (Selector selector = Selector.open(); SocketChannel channel = SocketChannel.open()) {
            channel.configureBlocking(false);
            boolean connected = channel.connect(server);
            SelectionKey key = channel.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT);
            ByteBuffer request = ByteBuffer.wrap(ping(i));
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(256);
            long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
            while (System.nanoTime() < deadline && !reply.toString(StandardCharsets.UTF_8).endsWith("\n")) {
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
                    reply.write(buf.array(), 0, buf.position());
                }
            }
            System.out.println("connect-returned " + connected);
            return new Exchange(reply.toString(StandardCharsets.UTF_8), TcpInfo.of(FileDescriptors.of(channel)).synData());
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
