package io.connectx.samples;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary gRPC-java application on {@code grpc-netty-shaded} (its own shaded copy of Netty, which uses
 * the epoll transport on Linux), one unary method {@code connectx.Echo/Say} with string messages, so no code
 * generation. Usage:
 * <ul>
 * <li>{@code GrpcEchoApp server HOST PORT [CERT KEY]}: serves, TLS with CERT and KEY (PEM); prints
 * {@code listening};</li>
 * <li>{@code GrpcEchoApp client HOST PORT COUNT [CERT]}: COUNT calls, each on a new channel (a new connection),
 * TLS trusting CERT; prints {@code response I body=echo I}.</li>
 * </ul>
 * It knows nothing of connectx.
 */
public final class GrpcEchoApp {
    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> SAY = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("connectx.Echo/Say")
            .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

    private GrpcEchoApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("transport epoll=" + Epoll.isAvailable());
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        if (args[0].equals("server")) {
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .addService(ServerServiceDefinition.builder("connectx.Echo").addMethod(SAY,
                            ServerCalls.asyncUnaryCall((String request, io.grpc.stub.StreamObserver<String> reply) -> {
                                reply.onNext("echo " + request);
                                reply.onCompleted();
                            })).build());
            if (args.length > 4) {
                builder.sslContext(GrpcSslContexts.forServer(new File(args[3]), new File(args[4])).build());
            }
            Server server = builder.build().start();
            System.out.println("listening");
            server.awaitTermination();
            return;
        }
        int count = Integer.parseInt(args[3]);
        for (int i = 1; i <= count; i++) {
            NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port);
            if (args.length > 4) {
                builder.sslContext(GrpcSslContexts.forClient().trustManager(new File(args[4])).build());
            } else {
                builder.usePlaintext();
            }
            ManagedChannel channel = builder.build();
            try {
                String reply = ClientCalls.blockingUnaryCall(channel, SAY,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), String.valueOf(i));
                System.out.println("response " + i + " body=" + reply);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
