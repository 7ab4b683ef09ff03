package io.connectx.agent.weaving;

import static net.bytebuddy.jar.asm.Opcodes.ACONST_NULL;
import static net.bytebuddy.jar.asm.Opcodes.ACC_STATIC;
import static net.bytebuddy.jar.asm.Opcodes.ALOAD;
import static net.bytebuddy.jar.asm.Opcodes.ASM9;
import static net.bytebuddy.jar.asm.Opcodes.DCONST_0;
import static net.bytebuddy.jar.asm.Opcodes.DOUBLE;
import static net.bytebuddy.jar.asm.Opcodes.FCONST_0;
import static net.bytebuddy.jar.asm.Opcodes.FLOAT;
import static net.bytebuddy.jar.asm.Opcodes.F_NEW;
import static net.bytebuddy.jar.asm.Opcodes.GETFIELD;
import static net.bytebuddy.jar.asm.Opcodes.GOTO;
import static net.bytebuddy.jar.asm.Opcodes.ICONST_0;
import static net.bytebuddy.jar.asm.Opcodes.ILOAD;
import static net.bytebuddy.jar.asm.Opcodes.INTEGER;
import static net.bytebuddy.jar.asm.Opcodes.INVOKESTATIC;
import static net.bytebuddy.jar.asm.Opcodes.INVOKEVIRTUAL;
import static net.bytebuddy.jar.asm.Opcodes.IRETURN;
import static net.bytebuddy.jar.asm.Opcodes.ISTORE;
import static net.bytebuddy.jar.asm.Opcodes.LCONST_0;
import static net.bytebuddy.jar.asm.Opcodes.LONG;
import static net.bytebuddy.jar.asm.Opcodes.RETURN;
import static net.bytebuddy.jar.asm.Opcodes.TOP;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Type;

/**
 * Weaves one {@link MethodHook} into one method, the way ByteBuddy's Advice does, without its machinery:
 * <ul>
 * <li>the entry code goes first;</li>
 * <li>every return becomes a jump to one exit block after the original code, so the exit code runs
 * outside every handler of the method (a replacement thrown there is never caught by the JDK's own
 * try/catch);</li>
 * <li>for hooks that see what the method throws, one catch-all handler, the last in the exception table
 * so the method's own handlers keep precedence, covers the original code only.</li>
 * </ul>
 * Frames are written by hand at the few labels added (the class is read with EXPAND_FRAMES and written
 * without COMPUTE_FRAMES, whose common-superclass lookups would load classes during retransformation). They
 * declare only {@code this}, the parameters and, for a hook that keeps one, the flag in a local past all
 * of the method's own; each original frame gets that flag added.
 */
public final class HookedMethod extends MethodVisitor {
    private final String owner;
    private final boolean isStatic;
    private final Type[] parameters;
    private final Type returnType;
    private final MethodHook hook;
    /** The local holding the hook's flag: the first past the method's own, or -1 without a flag. */
    private final int flagSlot;
    private final Label bodyStart = new Label();
    private final Label bodyEnd = new Label();
    private final Label exit = new Label();
    private final Label thrown = new Label();
    private boolean returns;

    HookedMethod(MethodVisitor next, String owner, int access, String descriptor, MethodHook hook, int maxLocals) {
        super(ASM9, next);
        this.owner = owner;
        this.isStatic = (access & ACC_STATIC) != 0;
        this.parameters = Type.getArgumentTypes(descriptor);
        this.returnType = Type.getReturnType(descriptor);
        this.hook = hook;
        if (hook.keepsFlag() && maxLocals < 0) {
            throw new IllegalStateException(owner + " " + descriptor + ": no max_locals for the flag of " + hook);
        }
        this.flagSlot = hook.keepsFlag() ? maxLocals : -1;
    }

    public MethodVisitor out() {
        return mv;
    }

    Type returnType() {
        return returnType;
    }

    void loadArgument(int index) {
        int slot = isStatic ? 0 : 1;
        for (int i = 0; i < index; i++) {
            slot += parameters[i].getSize();
        }
        mv.visitVarInsn(parameters[index].getOpcode(ILOAD), slot);
    }

    void loadThis() {
        mv.visitVarInsn(ALOAD, 0);
    }

    /** The receiver's {@code fd} field, declared by the class or (NioSocketImpl) inherited from SocketImpl. */
    void loadFd() {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitFieldInsn(GETFIELD, owner, "fd", "Ljava/io/FileDescriptor;");
    }

    /**
     * Of the receiver, a Netty epoll channel (this class): its int descriptor and its
     * {@code CONNECT_TIMEOUT_MILLIS}, through the same public final {@code fd()} and {@code config()} Netty's
     * own connect uses. {@code prefix}: Netty's package prefix, shaded or not.
     */
    void loadNettyChannelFdAndConnectTimeout(String prefix) {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitMethodInsn(INVOKEVIRTUAL, owner, "fd", "()L" + prefix + "/channel/unix/FileDescriptor;", false);
        mv.visitMethodInsn(INVOKEVIRTUAL, prefix + "/channel/unix/FileDescriptor", "intValue", "()I", false);
        mv.visitVarInsn(ALOAD, 0);
        mv.visitMethodInsn(INVOKEVIRTUAL, owner, "config", "()L" + prefix + "/channel/epoll/EpollChannelConfig;", false);
        mv.visitMethodInsn(INVOKEVIRTUAL, prefix + "/channel/epoll/EpollChannelConfig", "getConnectTimeoutMillis", "()I", false);
    }

    /** The receiver's class name without {@code suffix}: Netty's package prefix. */
    String ownerPrefix(String suffix) {
        if (!owner.endsWith(suffix)) {
            throw new IllegalStateException(owner + " is not a " + suffix);
        }
        return owner.substring(0, owner.length() - suffix.length());
    }

    void callBridge(String name, String descriptor) {
        mv.visitMethodInsn(INVOKESTATIC, Hook.BRIDGE, name, descriptor, false);
    }

    /** The int descriptor of the receiver, a Netty unix {@code FileDescriptor}: its public final {@code intValue()}. */
    void loadNettyFd() {
        mv.visitVarInsn(ALOAD, 0);
        mv.visitMethodInsn(INVOKEVIRTUAL, owner, "intValue", "()I", false);
    }

    void callNettyBridge(String name, String descriptor) {
        mv.visitMethodInsn(INVOKESTATIC, Hook.NETTY_BRIDGE, name, descriptor, false);
    }

    void storeFlag() {
        mv.visitVarInsn(ISTORE, flagSlot);
    }

    void loadFlag() {
        mv.visitVarInsn(ILOAD, flagSlot);
    }

    /** A full frame at the current point: this and the parameters, the flag if stored by now, and {@code stack}. */
    void frame(boolean withFlag, Object... stack) {
        List<Object> locals = new ArrayList<>();
        if (!isStatic) {
            locals.add(owner);
        }
        for (Type parameter : parameters) {
            locals.add(frameType(parameter));
        }
        if (withFlag && flagSlot >= 0) {
            addFlag(locals);
        }
        mv.visitFrame(F_NEW, locals.size(), locals.toArray(), stack.length, stack);
    }

    @Override
    public void visitCode() {
        super.visitCode();
        hook.enter(this);
        super.visitLabel(bodyStart);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        if (flagSlot < 0) {
            super.visitFrame(type, numLocal, local, numStack, stack);
            return;
        }
        List<Object> locals = new ArrayList<>(numLocal + 1);
        for (int i = 0; i < numLocal; i++) {
            locals.add(local[i]);
        }
        addFlag(locals);
        super.visitFrame(type, locals.size(), locals.toArray(), numStack, stack);
    }

    @Override
    public void visitInsn(int opcode) {
        if (opcode >= IRETURN && opcode <= RETURN) {
            returns = true;
            super.visitJumpInsn(GOTO, exit);
        } else {
            super.visitInsn(opcode);
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        super.visitLabel(bodyEnd);
        if (returns) {
            super.visitLabel(exit);
            if (returnType.getSort() == Type.VOID) {
                frame(true);
            } else {
                frame(true, frameType(returnType));
            }
            hook.returned(this);
            super.visitInsn(returnType.getOpcode(IRETURN));
        }
        if (hook.catchesThrown()) {
            super.visitTryCatchBlock(bodyStart, bodyEnd, thrown, "java/lang/Throwable");
            super.visitLabel(thrown);
            frame(true, "java/lang/Throwable");
            hook.thrown(this);
            pushDefault();
            super.visitInsn(returnType.getOpcode(IRETURN));
        }
        // The writer computes both again (COMPUTE_MAXS).
        super.visitMaxs(maxStack, maxLocals);
    }

    /** Pads with TOP up to the flag's slot (a long or double fills two), then the flag. */
    private void addFlag(List<Object> locals) {
        int slots = 0;
        for (Object local : locals) {
            slots += local == LONG || local == DOUBLE ? 2 : 1;
        }
        for (; slots < flagSlot; slots++) {
            locals.add(TOP);
        }
        locals.add(INTEGER);
    }

    private void pushDefault() {
        switch (returnType.getSort()) {
            case Type.VOID -> { }
            case Type.LONG -> super.visitInsn(LCONST_0);
            case Type.FLOAT -> super.visitInsn(FCONST_0);
            case Type.DOUBLE -> super.visitInsn(DCONST_0);
            case Type.OBJECT, Type.ARRAY -> super.visitInsn(ACONST_NULL);
            default -> super.visitInsn(ICONST_0);
        }
    }

    private static Object frameType(Type type) {
        return switch (type.getSort()) {
            case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> INTEGER;
            case Type.LONG -> LONG;
            case Type.FLOAT -> FLOAT;
            case Type.DOUBLE -> DOUBLE;
            default -> type.getInternalName();
        };
    }
}
