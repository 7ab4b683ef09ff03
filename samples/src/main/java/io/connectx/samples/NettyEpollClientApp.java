package io.connectx.samples;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.Version;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary Netty application on the epoll transport, written to Netty's API as it stands from 4.1 to 4.2
 * ({@code EpollEventLoopGroup}, {@code Bootstrap}, {@code EpollSocketChannel}), so that it runs unchanged on
 * either: each request an HTTP/1.1 {@code Connection: close} exchange on a new connection, written in
 * {@code channelActive}. Usage: {@code NettyEpollClientApp MODE HOST PORT COUNT [CONNECT_TIMEOUT_MILLIS [GATE]]},
 * MODE one of {@code get}, {@code post}, {@code sendfile} (the GET written as a {@code DefaultFileRegion}, which
 * epoll sends with sendfile(2)), {@code shutdown} (shutdownOutput in channelActive, before any write; the
 * reply is whatever the server sends back) or {@code udp} (an {@code EpollDatagramChannel} connected to the
 * address, one datagram each, printing {@code response I udp sent}). Prints {@code netty VERSION}, {@code transport epoll=true}, then
 * {@code response I status=S body=B}, or {@code error I connect=C TYPE: MESSAGE} with C whether it is a
 * ConnectException; each with {@code elapsed-ms=N}. With GATE, a file: after the first request the app
 * prints {@code gate} and waits (at most 30 s) for that file before the next. It knows nothing of connectx.
 */
public final class NettyEpollClientApp {
    private static final long REQUEST_TIMEOUT_SECONDS = 20;

    private NettyEpollClientApp() {
    }

    @SuppressWarnings("deprecation") // EpollEventLoopGroup: the one group both 4.1 and 4.2 have
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        int connectTimeout = args.length > 4 ? Integer.parseInt(args[4]) : 30_000;
        Path gate = args.length > 5 ? Path.of(args[5]) : null;
        System.out.println("netty " + Version.identify().get("netty-transport").artifactVersion());
        System.out.println("transport epoll=" + Epoll.isAvailable());
        EventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            for (int i = 1; i <= count; i++) {
                if (i == 2 && gate != null) {
                    System.out.println("gate");
                    for (int wait = 0; wait < 300 && !Files.exists(gate); wait++) {
                        Thread.sleep(100);
                    }
                }
                long start = System.nanoTime();
                String outcome;
                try {
                    outcome = "response " + i + " " + (mode.equals("udp") ? datagram(group, host, port, i)
                            : exchange(group, mode, host, port, i, connectTimeout));
                } catch (Exception e) {
                    Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                    outcome = "error " + i + " connect=" + (cause instanceof ConnectException) + " "
                            + cause.getClass().getName() + ": " + cause.getMessage();
                }
                System.out.println(outcome + " elapsed-ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String exchange(EventLoopGroup group, String mode, String host, int port, int i, int connectTimeout)
            throws Exception {
        String request = mode.equals("post")
                ? "POST /" + i + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 7\r\nConnection: close\r\n\r\norder " + i % 10
                : "GET /" + i + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
        CompletableFuture<String> response = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeout)
                .handler(new ChannelInboundHandlerAdapter() {
                    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) throws IOException {
                        ChannelFuture sent = switch (mode) {
                            case "shutdown" -> ((DuplexChannel) ctx.channel()).shutdownOutput();
                            case "sendfile" -> ctx.writeAndFlush(new DefaultFileRegion(requestFile(request), 0,
                                    request.length()));
                            default -> ctx.writeAndFlush(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
                        };
                        sent.addListener(f -> {
                            if (!f.isSuccess()) {
                                response.completeExceptionally(f.cause());
                            }
                        });
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        try {
                            byte[] bytes = new byte[buf.readableBytes()];
                            buf.readBytes(bytes);
                            received.writeBytes(bytes);
                        } finally {
                            buf.release();
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        response.complete(parse(received.toString(StandardCharsets.US_ASCII)));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        response.completeExceptionally(cause);
                        ctx.close();
                    }
                });
        ChannelFuture connect = bootstrap.connect(host, port);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                response.completeExceptionally(f.cause());
            }
        });
        try {
            return response.get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            Channel channel = connect.channel();
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** One datagram on a new {@code EpollDatagramChannel} connected to the address. */
    private static String datagram(EventLoopGroup group, String host, int port, int i) throws Exception {
        Channel channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(host, port).sync().channel();
        try {
            channel.writeAndFlush(Unpooled.copiedBuffer("datagram " + i, StandardCharsets.US_ASCII)).sync();
            return "udp sent";
        } finally {
            channel.close().sync();
        }
    }

    /** The request in a file of its own, deleted when the JVM exits. */
    private static File requestFile(String request) throws IOException {
        Path file = Files.createTempFile("netty-request", ".http");
        file.toFile().deleteOnExit();
        Files.writeString(file, request, StandardCharsets.US_ASCII);
        return file.toFile();
    }

    /** {@code status=S body=B} of an HTTP/1.1 response read to the end of the connection. */
    static String parse(String response) {
        int head = response.indexOf("\r\n\r\n");
        if (!response.startsWith("HTTP/1.1 ") || head < 0) {
            return "status=none body=" + response.replace("\r\n", " ");
        }
        return "status=" + response.substring(9, 12) + " body=" + response.substring(head + 4);
    }
}
