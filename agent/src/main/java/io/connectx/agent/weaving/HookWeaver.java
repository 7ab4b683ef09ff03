package io.connectx.agent.weaving;

import static net.bytebuddy.jar.asm.Opcodes.ACC_ABSTRACT;
import static net.bytebuddy.jar.asm.Opcodes.ACC_NATIVE;
import static net.bytebuddy.jar.asm.Opcodes.ASM9;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;

/**
 * Weaves {@link Hook}s into a few named classes with ByteBuddy's bundled ASM: a reader, one visitor and a
 * writer, where ByteBuddy's AgentBuilder, Advice and type pool would load some 1,500 classes of their own
 * during premain. No class-format change (no member added or removed), as retransformation demands.
 * <p>
 * Stays registered after {@link #install}: should another agent retransform one of these classes later,
 * the JVM hands the original bytes to every transformer again and the hooks are woven anew.
 */
final class HookWeaver implements ClassFileTransformer {
    /** Hook points by class, in internal form ({@code sun/nio/ch/Net}). */
    private final Map<String, List<HookPoint>> points;
    private final Set<String> woven = ConcurrentHashMap.newKeySet();
    private volatile Throwable failure;

    private HookWeaver(Map<String, List<HookPoint>> points) {
        this.points = points;
    }

    /**
     * Weaves every class in {@code points} (by binary name, already loaded) or none: when one class or one
     * of its methods is missing, or the JVM rejects the result, the classes are restored and this throws.
     */
    static HookWeaver install(Instrumentation inst, Map<String, List<HookPoint>> pointsByClass)
            throws ClassNotFoundException, UnmodifiableClassException {
        Map<String, List<HookPoint>> internal = new HashMap<>();
        Class<?>[] classes = new Class<?>[pointsByClass.size()];
        int i = 0;
        for (Map.Entry<String, List<HookPoint>> e : pointsByClass.entrySet()) {
            internal.put(e.getKey().replace('.', '/'), e.getValue());
            classes[i++] = Class.forName(e.getKey(), false, ClassLoader.getSystemClassLoader());
        }
        HookWeaver weaver = new HookWeaver(internal);
        inst.addTransformer(weaver, true);
        try {
            inst.retransformClasses(classes);
            if (weaver.failure != null || !weaver.woven.containsAll(internal.keySet())) {
                throw new IllegalStateException("could not weave " + pointsByClass.keySet() + ": woven " + weaver.woven
                        + (weaver.failure == null ? "" : ", " + weaver.failure));
            }
            return weaver;
        } catch (RuntimeException | UnmodifiableClassException | LinkageError e) {
            inst.removeTransformer(weaver);
            if (!weaver.woven.isEmpty()) {
                try {
                    inst.retransformClasses(classes);
                } catch (RuntimeException | UnmodifiableClassException | LinkageError restore) {
                    e.addSuppressed(restore);
                }
            }
            throw e;
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
            byte[] bytes) {
        List<HookPoint> classPoints = className == null ? null : points.get(className);
        if (classPoints == null) {
            return null;
        }
        try {
            byte[] result = weave(bytes, classPoints);
            woven.add(className);
            return result;
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
            return null;
        }
    }

    /** The class with every point woven; throws, naming them, when a point is not in the class. */
    static byte[] weave(byte[] bytes, List<HookPoint> classPoints) {
        ClassReader reader = new ClassReader(bytes);
        Map<String, Integer> maxLocals = maxLocals(reader, classPoints);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        List<HookPoint> missing = new ArrayList<>(classPoints);
        reader.accept(new ClassVisitor(ASM9, writer) {
            private String owner;

            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                owner = name;
                super.visit(version, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                for (HookPoint point : classPoints) {
                    if (point.matches(name, descriptor) && (access & (ACC_ABSTRACT | ACC_NATIVE)) == 0) {
                        missing.remove(point);
                        return new HookedMethod(next, owner, access, descriptor, point.hook(),
                                maxLocals.getOrDefault(name + descriptor, -1));
                    }
                }
                return next;
            }
        }, ClassReader.EXPAND_FRAMES);
        if (!missing.isEmpty()) {
            throw new IllegalStateException(reader.getClassName() + " lacks " + missing);
        }
        return writer.toByteArray();
    }

    /**
     * The max_locals of each method whose hook keeps a flag, by name and descriptor: the flag's local is the
     * first past the method's own. Only those methods' code is read.
     */
    private static Map<String, Integer> maxLocals(ClassReader reader, List<HookPoint> classPoints) {
        Map<String, Integer> result = new HashMap<>();
        List<HookPoint> flagged = new ArrayList<>();
        for (HookPoint point : classPoints) {
            if (point.hook().keepsFlag()) {
                flagged.add(point);
            }
        }
        if (flagged.isEmpty()) {
            return result;
        }
        reader.accept(new ClassVisitor(ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                if (!matchesAny(flagged, name, descriptor)) {
                    return null;
                }
                return new MethodVisitor(ASM9) {
                    @Override
                    public void visitMaxs(int maxStack, int maxLocalsOfMethod) {
                        result.put(name + descriptor, maxLocalsOfMethod);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return result;
    }

    private static boolean matchesAny(List<HookPoint> points, String name, String descriptor) {
        for (HookPoint point : points) {
            if (point.matches(name, descriptor)) {
                return true;
            }
        }
        return false;
    }
}
