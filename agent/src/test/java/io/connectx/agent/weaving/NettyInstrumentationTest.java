package io.connectx.agent.weaving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.Test;

/** The Netty hook family against Netty's own class files (4.2 on the class path, 4.1 copied by the build), as the agent checks them. */
class NettyInstrumentationTest {
    private static final String SHADED = "io/grpc/netty/shaded/io/netty";

    @Test
    void everyHookPointIsFoundInNetty() {
        assertNull(NettyInstrumentation.mismatch(getClass().getClassLoader(), "io/netty"));
    }

    @Test
    void everyHookPointIsFoundInNetty41() throws IOException {
        Path dir = Path.of("target", "netty-4.1");
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                jars.add(jar.toUri().toURL());
            }
        }
        assertEquals(2, jars.size(), "the build copies Netty 4.1's unix-common and classes-epoll into " + dir);
        try (URLClassLoader netty41 = new URLClassLoader(jars.toArray(new URL[0]), null)) {
            assertNull(NettyInstrumentation.mismatch(netty41, "io/netty"));
        }
    }

    @Test
    void aShadedCopyIsFoundUnderItsOwnPrefix() {
        ClassLoader shaded = serving(name -> name.startsWith(SHADED) ? relocated(name) : null);
        assertNull(NettyInstrumentation.mismatch(shaded, SHADED));
    }

    @Test
    void aCopyLackingOneMethodIsLeftAloneWhole() {
        String fileDescriptor = "io/netty" + NettyInstrumentation.FILE_DESCRIPTOR + ".class";
        ClassLoader changed = serving(name -> name.equals(fileDescriptor) ? withoutMethod(name, "writevAddresses") : null);
        String why = NettyInstrumentation.mismatch(changed, "io/netty");
        assertNotNull(why);
        assertTrue(why.contains("writevAddresses"), why);
    }

    @Test
    void nettyWithoutItsEpollTransportIsLeftAlone() {
        String epoll = "io/netty/channel/epoll/";
        ClassLoader noEpoll = serving(name -> name.startsWith(epoll) ? new byte[0] : null);
        String why = NettyInstrumentation.mismatch(noEpoll, "io/netty");
        assertNotNull(why);
        assertTrue(why.contains("io.netty.channel.epoll.Native"), why);
    }

    @Test
    void ioUringBesideEpollIsLeftAloneWithOneLine() throws Exception {
        ClassLoader loader = getClass().getClassLoader();
        assertNotNull(loader.getResource("io/netty" + NettyInstrumentation.IO_URING + ".class"),
                "Netty 4.2's io_uring transport on the test class path");
        String fileDescriptor = "io/netty" + NettyInstrumentation.FILE_DESCRIPTOR;
        NettyInstrumentation transformer = new NettyInstrumentation();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (String className : List.of(fileDescriptor, "io/netty" + NettyInstrumentation.SOCKET)) {
                assertNotNull(transformer.transform(loader, className, null, null, original(className + ".class")),
                        className + " woven");
            }
        } finally {
            System.setErr(err);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("io_uring")).toList();
        assertEquals(List.of("connectx: Netty's io_uring transport at io.netty is left alone (its socket calls are io_uring "
                + "submissions): connections on it run plain; epoll gets Fast Open"), lines, captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theConnectTimeoutHookReadsTheChannelsOwnTimeout() {
        String channel = "io/netty" + NettyInstrumentation.EPOLL_CHANNEL;
        byte[] woven = HookWeaver.weave(original(channel + ".class"), NettyInstrumentation.points("io/netty", NettyInstrumentation.EPOLL_CHANNEL));
        List<String> calls = new ArrayList<>();
        new ClassReader(woven).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if (!name.equals("doConnect")) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        calls.add(owner + "." + method + desc);
                    }
                };
            }
        }, 0);
        assertTrue(calls.containsAll(List.of("io/netty/channel/epoll/EpollChannelConfig.getConnectTimeoutMillis()I",
                "io/connectx/nettybridge/NettySocketBridge.connectTimeout(II)V")), calls.toString());
    }

    /** A loader whose resources are {@code change}'s answer (an empty array: absent), else the test class path's. */
    private static ClassLoader serving(java.util.function.Function<String, byte[]> change) {
        return new ClassLoader(null) {
            @Override
            public InputStream getResourceAsStream(String name) {
                byte[] bytes = change.apply(name);
                if (bytes != null) {
                    return bytes.length == 0 ? null : new ByteArrayInputStream(bytes);
                }
                return NettyInstrumentationTest.class.getClassLoader().getResourceAsStream(name);
            }
        };
    }

    private static byte[] original(String resource) {
        try (InputStream in = NettyInstrumentationTest.class.getClassLoader().getResourceAsStream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The class file at {@code io/netty/...} rewritten as grpc-netty-shaded relocates it. */
    private static byte[] relocated(String shadedResource) {
        byte[] bytes = original("io/netty" + shadedResource.substring(SHADED.length()));
        return transformed(bytes, next -> new ClassRemapper(next, new Remapper() {
            @Override
            public String map(String internalName) {
                return internalName.startsWith("io/netty/") ? SHADED + internalName.substring("io/netty".length()) : internalName;
            }
        }));
    }

    private static byte[] withoutMethod(String resource, String method) {
        return transformed(original(resource), next -> new ClassVisitor(Opcodes.ASM9, next) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return name.equals(method) ? null : super.visitMethod(access, name, descriptor, signature, exceptions);
            }
        });
    }

    private static byte[] transformed(byte[] bytes, UnaryOperator<ClassVisitor> visitor) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(bytes).accept(visitor.apply(writer), 0);
        return writer.toByteArray();
    }
}
