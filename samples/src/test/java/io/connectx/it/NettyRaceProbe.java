package io.connectx.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM: COUNT fresh connections on Netty's epoll transport, whose first write comes 95 to 105 ms
 * after channelActive, a sweep across the agent's grace (DeferredHandshakes.INTEREST_GRACE_MILLIS, 100 ms)
 * after which its timer thread starts the handshake of a channel reading (EPOLLIN) but not yet written: the
 * timer's trigger races the event loop's write. Odd connections write a POST, even ones a GET. Usage:
 * {@code NettyRaceProbe HOST PORT COUNT}; prints {@code race done=N}. Every wait is bounded.
 */
public final class NettyRaceProbe {
    private NettyRaceProbe() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        int done = 0;
        try {
            for (int i = 1; i <= count; i++) {
                String request = i % 2 == 0 ? "GET /" + i + " HTTP/1.1\r\nHost: race\r\n\r\n"
                        : "POST /" + i + " HTTP/1.1\r\nHost: race\r\nContent-Length: 4\r\n\r\nbody";
                long delayMicros = 95_000 + (i % 100) * 100L;
                CompletableFuture<Void> closed = new CompletableFuture<>();
                Channel channel = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                        .handler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.executor().schedule(() -> ctx.writeAndFlush(
                                        Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII)), delayMicros, TimeUnit.MICROSECONDS);
                                ctx.fireChannelActive();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                closed.complete(null);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                closed.completeExceptionally(cause);
                                ctx.close();
                            }
                        }).connect(host, port).sync().channel();
                try {
                    closed.get(10, TimeUnit.SECONDS);
                    done++;
                } finally {
                    channel.close().await(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        System.out.println("race done=" + done);
    }
}
