package io.connectx.agent;

import static net.bytebuddy.jar.asm.Opcodes.AALOAD;
import static net.bytebuddy.jar.asm.Opcodes.ACC_FINAL;
import static net.bytebuddy.jar.asm.Opcodes.ACC_STATIC;
import static net.bytebuddy.jar.asm.Opcodes.ACC_SUPER;
import static net.bytebuddy.jar.asm.Opcodes.ACONST_NULL;
import static net.bytebuddy.jar.asm.Opcodes.ARRAYLENGTH;
import static net.bytebuddy.jar.asm.Opcodes.GETSTATIC;
import static net.bytebuddy.jar.asm.Opcodes.ICONST_0;
import static net.bytebuddy.jar.asm.Opcodes.INVOKESTATIC;
import static net.bytebuddy.jar.asm.Opcodes.INVOKEVIRTUAL;
import static net.bytebuddy.jar.asm.Opcodes.POP;
import static net.bytebuddy.jar.asm.Opcodes.RETURN;
import static net.bytebuddy.jar.asm.Opcodes.V17;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;

/**
 * Defines the bridge classes in the bootstrap loader. Only they go there: JNA and ByteBuddy must stay in
 * the agent's loader (JNA's resource lookup fails from the bootstrap loader). They are defined directly
 * rather than by appending a jar to the bootstrap search path, because HotSpot answers an appended path
 * with a class-data-sharing warning printed on the application's own stdout.
 * <p>
 * The JDK's internal {@code Unsafe.defineClass} is the one API that defines a class into the bootstrap
 * loader; the Instrumentation exports it to the agent alone. It is called from a class generated here, in
 * its static initialiser, rather than through core reflection: from JDK 18 the first reflective call spins
 * method handles, some 15-20 ms of every application's start-up.
 */
public final class BootstrapBridgeInjector {
    public static final String BRIDGE = "io.connectx.bootstrap.SocketHookBridge";
    /**
     * In the agent jar these names are relocated (see agent/pom.xml): the socket bridge into {@code sun.nio.ch}
     * (java.base) and the platform-server bridge into {@code sun.management} (java.management), packages the
     * application's module can neither call nor reflect on.
     */
    /**
     * Netty's bridge is not relocated: it goes into the bootstrap loader's unnamed module, which Netty's class
     * loaders reach, and only it is given {@code sun.nio.ch} (NettyInstrumentation).
     */
    public static final String NETTY_BRIDGE = "io.connectx.nettybridge.NettySocketBridge";
    static final String PLATFORM_SERVER_BRIDGE = "io.connectx.bootstrap.PlatformServerBridge";
    static final String[] BRIDGE_CLASSES = {"io.connectx.bootstrap.SocketHooks", BRIDGE,
        "io.connectx.bootstrap.SocketHookBridge$Seal", PLATFORM_SERVER_BRIDGE, NETTY_BRIDGE};
    private static final String UNSAFE = "jdk/internal/misc/Unsafe";
    private static final String DEFINER = "io/connectx/agent/BootstrapBridgeDefiner";

    /** The names and class files the generated definer reads; set just before it is initialised. */
    static String[] pendingNames;
    static byte[][] pendingBytes;

    private BootstrapBridgeInjector() {
    }

    /** Returns the bridge class as the bootstrap loader defined it. */
    static synchronized Class<?> inject(Instrumentation inst) throws IOException, ReflectiveOperationException {
        List<String> names = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        for (String name : BRIDGE_CLASSES) {
            if (isDefined(name)) {
                continue; // an earlier start in this JVM left them there
            }
            String resource = name.replace('.', '/') + ".class";
            try (InputStream in = BootstrapBridgeInjector.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("agent jar lacks " + resource);
                }
                names.add(name);
                bytes.add(in.readAllBytes());
            }
        }
        if (!names.isEmpty()) {
            JdkModules.requireOwnModule(BootstrapBridgeInjector.class.getModule());
            inst.redefineModule(Object.class.getModule(), Set.of(),
                    Map.of("jdk.internal.misc", Set.of(BootstrapBridgeInjector.class.getModule())), Map.of(), Set.of(), Map.of());
            pendingNames = names.toArray(new String[0]);
            pendingBytes = bytes.toArray(new byte[0][]);
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                lookup.ensureInitialized(lookup.defineClass(definer(pendingNames.length)));
            } finally {
                pendingNames = null;
                pendingBytes = null;
            }
        }
        Class<?> bridge = Class.forName(BRIDGE, true, null);
        if (bridge.getClassLoader() != null) {
            throw new IllegalStateException("bridge class was not defined by the bootstrap loader");
        }
        return bridge;
    }

    /**
     * {@code static { for i < count: Unsafe.getUnsafe().defineClass(pendingNames[i], pendingBytes[i], 0,
     * pendingBytes[i].length, null, null); }}, unrolled (no branch, so no stack map frame to write).
     */
    private static byte[] definer(int count) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(V17, ACC_FINAL | ACC_SUPER, DEFINER, null, "java/lang/Object", null);
        MethodVisitor init = writer.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
        init.visitCode();
        String injector = "io/connectx/agent/BootstrapBridgeInjector";
        for (int i = 0; i < count; i++) {
            init.visitMethodInsn(INVOKESTATIC, UNSAFE, "getUnsafe", "()L" + UNSAFE + ";", false);
            init.visitFieldInsn(GETSTATIC, injector, "pendingNames", "[Ljava/lang/String;");
            init.visitLdcInsn(i);
            init.visitInsn(AALOAD);
            init.visitFieldInsn(GETSTATIC, injector, "pendingBytes", "[[B");
            init.visitLdcInsn(i);
            init.visitInsn(AALOAD);
            init.visitInsn(ICONST_0);
            init.visitFieldInsn(GETSTATIC, injector, "pendingBytes", "[[B");
            init.visitLdcInsn(i);
            init.visitInsn(AALOAD);
            init.visitInsn(ARRAYLENGTH);
            init.visitInsn(ACONST_NULL);
            init.visitInsn(ACONST_NULL);
            init.visitMethodInsn(INVOKEVIRTUAL, UNSAFE, "defineClass",
                    "(Ljava/lang/String;[BIILjava/lang/ClassLoader;Ljava/security/ProtectionDomain;)Ljava/lang/Class;", false);
            init.visitInsn(POP);
        }
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    private static boolean isDefined(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
