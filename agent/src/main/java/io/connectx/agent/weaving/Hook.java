package io.connectx.agent.weaving;

import static net.bytebuddy.jar.asm.Opcodes.ACONST_NULL;
import static net.bytebuddy.jar.asm.Opcodes.CHECKCAST;
import static net.bytebuddy.jar.asm.Opcodes.DUP;
import static net.bytebuddy.jar.asm.Opcodes.DUP2;
import static net.bytebuddy.jar.asm.Opcodes.DUP2_X1;
import static net.bytebuddy.jar.asm.Opcodes.DUP_X2;
import static net.bytebuddy.jar.asm.Opcodes.GETSTATIC;
import static net.bytebuddy.jar.asm.Opcodes.I2L;
import static net.bytebuddy.jar.asm.Opcodes.IFEQ;
import static net.bytebuddy.jar.asm.Opcodes.INSTANCEOF;
import static net.bytebuddy.jar.asm.Opcodes.INTEGER;
import static net.bytebuddy.jar.asm.Opcodes.INVOKEVIRTUAL;
import static net.bytebuddy.jar.asm.Opcodes.IRETURN;
import static net.bytebuddy.jar.asm.Opcodes.LCONST_0;
import static net.bytebuddy.jar.asm.Opcodes.LMUL;
import static net.bytebuddy.jar.asm.Opcodes.POP;
import static net.bytebuddy.jar.asm.Opcodes.POP2;
import static net.bytebuddy.jar.asm.Opcodes.SWAP;

import io.connectx.agent.BootstrapBridgeInjector;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Type;

/**
 * The socket hooks: what is woven into the JDK's socket classes (calls into {@code SocketHookBridge}) and into
 * Netty's epoll transport (calls into {@code NettySocketBridge}). The writes share their exits ({@link Exit}).
 */
enum Hook implements MethodHook {
    /**
     * {@code Net.connect(family, fd, remote, port)}: may answer for the JDK, or ask for the result and
     * replace it (a deferred socket is reported in progress).
     */
    CONNECT(true) {
        @Override
        public void enter(HookedMethod m) {
            MethodVisitor out = m.out();
            m.loadArgument(1);
            m.loadArgument(2);
            m.loadArgument(3);
            m.callBridge("beforeConnect", "(Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)Ljava/lang/Object;");
            Label proceed = new Label();
            out.visitInsn(DUP);
            out.visitTypeInsn(INSTANCEOF, "java/lang/Integer");
            out.visitJumpInsn(IFEQ, proceed);
            out.visitTypeInsn(CHECKCAST, "java/lang/Integer");
            out.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Integer", "intValue", "()I", false);
            out.visitInsn(IRETURN);
            out.visitLabel(proceed);
            m.frame(false, "java/lang/Object");
            out.visitFieldInsn(GETSTATIC, "java/lang/Boolean", "TRUE", "Ljava/lang/Boolean;");
            out.visitInsn(SWAP);
            out.visitMethodInsn(INVOKEVIRTUAL, "java/lang/Boolean", "equals", "(Ljava/lang/Object;)Z", false);
            m.storeFlag();
        }

        @Override
        public void returned(HookedMethod m) {
            MethodVisitor out = m.out();
            Label done = new Label();
            m.loadFlag();
            out.visitJumpInsn(IFEQ, done);
            m.loadArgument(1);
            m.loadArgument(2);
            m.loadArgument(3);
            m.callBridge("afterConnect", "(ILjava/io/FileDescriptor;Ljava/net/InetAddress;I)I");
            out.visitLabel(done);
            m.frame(true, INTEGER);
        }
    },
    /**
     * {@code UnixAsynchronousSocketChannelImpl.implConnect}: its {@code Net.connect} is left untouched, since
     * an AsynchronousSocketChannel's reads and writes are not guarded.
     */
    ASYNC_CONNECT(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadFd();
            m.callBridge("asyncConnect", "(Ljava/io/FileDescriptor;)V");
        }
    },
    /** {@code SocketChannelImpl.connect(SocketAddress)}: counted. */
    COUNT_CONNECT(false) {
        @Override
        public void enter(HookedMethod m) {
            countConnect(m);
        }
    },
    /** {@code NioSocketImpl.connect(SocketAddress, int millis)}: counted, and its timeout kept. */
    TIMED_CONNECT_MILLIS(false) {
        @Override
        public void enter(HookedMethod m) {
            countConnect(m);
        }

        @Override
        public void returned(HookedMethod m) {
            m.loadFd();
            m.loadArgument(1);
            m.out().visitInsn(I2L);
            m.out().visitLdcInsn(1_000_000L);
            m.out().visitInsn(LMUL);
            keepTimeout(m);
        }
    },
    /** {@code SocketChannelImpl.blockingConnect(SocketAddress, long nanos)}: counted, and its timeout kept. */
    TIMED_CONNECT_NANOS(false) {
        @Override
        public void enter(HookedMethod m) {
            countConnect(m);
        }

        @Override
        public void returned(HookedMethod m) {
            m.loadFd();
            m.loadArgument(1);
            keepTimeout(m);
        }
    },
    /** A read returning the count read (int or long). */
    READ(false) {
        @Override
        public void enter(HookedMethod m) {
            beforeRead(m);
        }

        @Override
        public void returned(HookedMethod m) {
            MethodVisitor out = m.out();
            if (m.returnType().getSort() == Type.LONG) {
                out.visitInsn(DUP2);
            } else {
                out.visitInsn(DUP);
                out.visitInsn(I2L);
            }
            m.loadFd();
            out.visitInsn(DUP_X2);
            out.visitInsn(POP);
            out.visitInsn(ACONST_NULL);
            m.callBridge("afterRead", AFTER_READ);
        }

        @Override
        public boolean catchesThrown() {
            return true;
        }

        @Override
        public void thrown(HookedMethod m) {
            readThrew(m);
        }
    },
    /** {@code available()} reads nothing, but before the first write it too must start the handshake. */
    AVAILABLE(false) {
        @Override
        public void enter(HookedMethod m) {
            beforeRead(m);
        }

        @Override
        public void returned(HookedMethod m) {
            m.loadFd();
            m.out().visitInsn(LCONST_0);
            m.out().visitInsn(ACONST_NULL);
            m.callBridge("afterRead", AFTER_READ);
        }

        @Override
        public boolean catchesThrown() {
            return true;
        }

        @Override
        public void thrown(HookedMethod m) {
            readThrew(m);
        }
    },
    /** Writes take the socket object along, as shutdownOutput does: on xnu a write may park until established. */
    WRITE_BYTES(false, Exit.WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadThis();
            m.loadFd();
            m.loadArgument(0);
            m.loadArgument(1);
            m.loadArgument(2);
            m.callBridge("beforeWrite", "(Ljava/lang/Object;Ljava/io/FileDescriptor;[BII)V");
        }
    },
    WRITE_BUFFER(false, Exit.WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadThis();
            m.loadFd();
            m.loadArgument(0);
            m.callBridge("beforeWrite", "(Ljava/lang/Object;Ljava/io/FileDescriptor;Ljava/nio/ByteBuffer;)V");
        }
    },
    WRITE_BUFFERS(false, Exit.WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadThis();
            m.loadFd();
            m.loadArgument(0);
            m.loadArgument(1);
            m.loadArgument(2);
            m.callBridge("beforeWrite", "(Ljava/lang/Object;Ljava/io/FileDescriptor;[Ljava/nio/ByteBuffer;II)V");
        }
    },
    /** The socket object itself goes along: a wait for the handshake parks through its own park method. */
    SHUTDOWN_OUTPUT(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadThis();
            m.loadFd();
            m.callBridge("beforeShutdownOutput", "(Ljava/lang/Object;Ljava/io/FileDescriptor;)V");
        }
    },
    /**
     * {@code translateInterestOps(int)}: waiting for OP_READ before any write must start the handshake. The
     * channel goes along, as for reads.
     */
    INTEREST(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadThis();
            m.loadFd();
            m.loadArgument(0);
            m.callBridge("beforeInterest", "(Ljava/lang/Object;Ljava/io/FileDescriptor;I)V");
        }
    },
    CLOSE(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadFd();
            m.callBridge("closed", "(Ljava/io/FileDescriptor;)V");
        }
    },
    /** {@code NioSocketImpl.accept(SocketImpl)} fills in the SocketImpl it is given. */
    ACCEPT_INTO(false) {
        @Override
        public void returned(HookedMethod m) {
            m.loadArgument(0);
            m.callBridge("afterAccept", "(Ljava/lang/Object;)V");
        }
    },
    /** {@code ServerSocketChannelImpl.accept()} returns the accepted channel. */
    ACCEPT_RETURN(false) {
        @Override
        public void returned(HookedMethod m) {
            m.out().visitInsn(DUP);
            m.callBridge("afterAccept", "(Ljava/lang/Object;)V");
        }
    },
    /** On exit of the methods that call the native {@code Net.listen}, which itself cannot be woven. */
    LISTEN(false) {
        @Override
        public void returned(HookedMethod m) {
            m.loadFd();
            m.callBridge("afterListen", "(Ljava/io/FileDescriptor;)V");
        }
    },
    /**
     * Netty's {@code Socket.connect(SocketAddress)}, returning boolean (true connected, false in progress):
     * set up for Fast Open on entry when admitted, and its result replaced on exit as for the JDK.
     */
    NETTY_CONNECT(true) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.loadArgument(0);
            m.callNettyBridge("beforeConnect", "(ILjava/net/SocketAddress;)Z");
            m.storeFlag();
        }

        @Override
        public void returned(HookedMethod m) {
            MethodVisitor out = m.out();
            Label done = new Label();
            m.loadFlag();
            out.visitJumpInsn(IFEQ, done);
            m.loadNettyFd();
            m.loadArgument(0);
            m.callNettyBridge("afterConnect", "(ZILjava/net/SocketAddress;)Z");
            out.visitLabel(done);
            m.frame(true, INTEGER);
        }
    },
    /** Netty's reads, returning the count (int): {@code read}, {@code readAddress}, {@code recv}, {@code recvAddress}. */
    NETTY_READ(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.callNettyBridge("beforeRead", "(I)V");
        }

        @Override
        public void returned(HookedMethod m) {
            m.out().visitInsn(DUP);
            m.out().visitInsn(I2L);
            m.loadNettyFd();
            m.callNettyBridge("readReturned", "(JI)V");
        }

        @Override
        public boolean catchesThrown() {
            return true;
        }

        @Override
        public void thrown(HookedMethod m) {
            m.loadNettyFd();
            m.out().visitInsn(SWAP);
            m.callNettyBridge("readThrew", "(ILjava/lang/Throwable;)V");
        }
    },
    /** {@code write(ByteBuffer, int pos, int limit)} and {@code send(...)}. */
    NETTY_WRITE_BUFFER(false, Exit.NETTY_WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.loadArgument(0);
            m.loadArgument(1);
            m.loadArgument(2);
            m.callNettyBridge("beforeWrite", "(ILjava/nio/ByteBuffer;II)V");
        }
    },
    /** {@code writeAddress(long address, int pos, int limit)} and {@code sendAddress(...)}. */
    NETTY_WRITE_ADDRESS(false, Exit.NETTY_WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.loadArgument(0);
            m.loadArgument(1);
            m.loadArgument(2);
            m.callNettyBridge("beforeWriteAddress", "(IJII)V");
        }
    },
    /** {@code writev(ByteBuffer[], int offset, int length, long maxBytes)}. */
    NETTY_WRITEV(false, Exit.NETTY_WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.loadArgument(0);
            m.loadArgument(1);
            m.loadArgument(2);
            m.callNettyBridge("beforeWritev", "(I[Ljava/nio/ByteBuffer;II)V");
        }
    },
    /** {@code writevAddresses(long iov, int count)}. */
    NETTY_WRITEV_ADDRESSES(false, Exit.NETTY_WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.loadArgument(0);
            m.loadArgument(1);
            m.callNettyBridge("beforeWritevAddresses", "(IJI)V");
        }
    },
    /** {@code LinuxSocket.sendFile(...)}: bytes the engine cannot judge, so never in the SYN. */
    NETTY_OPAQUE_WRITE(false, Exit.NETTY_WRITE) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.callNettyBridge("beforeOpaqueWrite", "(I)V");
        }
    },
    /**
     * {@code Native.splice(fdIn, offIn, fdOut, offOut, len)}: a read of one socket (the read-first trigger) and
     * a write to another whose bytes are not judged (held out of the SYN).
     */
    NETTY_SPLICE(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadArgument(0);
            m.callNettyBridge("beforeRead", "(I)V");
            m.loadArgument(2);
            m.callNettyBridge("beforeOpaqueWrite", "(I)V");
        }
    },
    /** {@code Native.epollCtlAdd/epollCtlMod(int epfd, int fd, int flags)}. */
    NETTY_INTEREST(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadArgument(1);
            m.loadArgument(2);
            m.callNettyBridge("beforeInterest", "(II)V");
        }
    },
    /**
     * Exit of Netty's {@code AbstractEpollChannel.doConnect}: the channel's {@code CONNECT_TIMEOUT_MILLIS}, which
     * bounds a deferred handshake as the JDK's timed connect does (Netty's own timer ends when the connect
     * reports done, before a deferred SYN is out).
     */
    NETTY_CONNECT_TIMEOUT(false) {
        @Override
        public void returned(HookedMethod m) {
            m.loadNettyChannelFdAndConnectTimeout(m.ownerPrefix(NettyInstrumentation.EPOLL_CHANNEL));
            m.callNettyBridge("connectTimeout", "(II)V");
        }
    },
    /** Entry of Netty's {@code Socket.shutdown(boolean read, boolean write)}. */
    NETTY_SHUTDOWN(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.loadArgument(1);
            m.callNettyBridge("beforeShutdown", "(IZ)V");
        }
    },
    NETTY_CLOSE(false) {
        @Override
        public void enter(HookedMethod m) {
            m.loadNettyFd();
            m.callNettyBridge("closed", "(I)V");
        }
    },
    /** {@code Socket.accept(byte[])}, returning the accepted descriptor (-1 for none yet). */
    NETTY_ACCEPT(false) {
        @Override
        public void returned(HookedMethod m) {
            m.out().visitInsn(DUP);
            m.callNettyBridge("afterAccept", "(I)V");
        }
    },
    NETTY_LISTEN(false) {
        @Override
        public void returned(HookedMethod m) {
            m.loadNettyFd();
            m.callNettyBridge("afterListen", "(I)V");
        }
    };

    static final String BRIDGE = MethodHook.internalName(BootstrapBridgeInjector.BRIDGE);
    /** In the bootstrap loader's unnamed module, which Netty's loaders reach (see NettySocketBridge). */
    static final String NETTY_BRIDGE = MethodHook.internalName(BootstrapBridgeInjector.NETTY_BRIDGE);
    private static final String AFTER_READ = "(Ljava/io/FileDescriptor;JLjava/lang/Throwable;)V";
    private static final String AFTER_WRITE = "(Ljava/io/FileDescriptor;Ljava/lang/Throwable;)V";

    private final boolean keepsFlag;
    private final Exit exit;

    Hook(boolean keepsFlag) {
        this(keepsFlag, Exit.NONE);
    }

    Hook(boolean keepsFlag, Exit exit) {
        this.keepsFlag = keepsFlag;
        this.exit = exit;
    }

    @Override
    public boolean keepsFlag() {
        return keepsFlag;
    }

    @Override
    public void returned(HookedMethod m) {
        exit.returned(m);
    }

    @Override
    public boolean catchesThrown() {
        return exit != Exit.NONE;
    }

    @Override
    public void thrown(HookedMethod m) {
        exit.thrown(m);
    }

    /** How a hooked method's end is reported, where its hook does not say otherwise. */
    enum Exit {
        NONE {
            @Override
            void returned(HookedMethod m) {
            }

            @Override
            void thrown(HookedMethod m) {
            }
        },
        /** A JDK write reports how it ended: {@code afterWrite(fd, null)} or {@code afterWrite(fd, thrown)}. */
        WRITE {
            @Override
            void returned(HookedMethod m) {
                m.loadFd();
                m.out().visitInsn(ACONST_NULL);
                m.callBridge("afterWrite", AFTER_WRITE);
            }

            @Override
            void thrown(HookedMethod m) {
                m.loadFd();
                m.out().visitInsn(SWAP);
                m.callBridge("afterWrite", AFTER_WRITE);
            }
        },
        /** A Netty write reports how it ended: {@code writeReturned(fd)} or {@code writeThrew(fd, thrown)}. */
        NETTY_WRITE {
            @Override
            void returned(HookedMethod m) {
                m.loadNettyFd();
                m.callNettyBridge("writeReturned", "(I)V");
            }

            @Override
            void thrown(HookedMethod m) {
                m.loadNettyFd();
                m.out().visitInsn(SWAP);
                m.callNettyBridge("writeThrew", "(ILjava/lang/Throwable;)V");
            }
        };

        abstract void returned(HookedMethod m);

        abstract void thrown(HookedMethod m);
    }

    private static void countConnect(HookedMethod m) {
        m.callBridge("tcpConnect", "()V");
    }

    /** The fd and the timeout in nanoseconds on the stack. */
    private static void keepTimeout(HookedMethod m) {
        m.callBridge("afterTimedConnect", "(Ljava/io/FileDescriptor;J)V");
    }

    /**
     * The socket object goes along: a read before any write starts the handshake with a zero-byte send that
     * holds the socket's own locks (see JdkSocketNatives.sendNothing).
     */
    private static void beforeRead(HookedMethod m) {
        m.loadThis();
        m.loadFd();
        m.callBridge("beforeRead", "(Ljava/lang/Object;Ljava/io/FileDescriptor;)V");
    }

    /** {@code afterRead(fd, 0, thrown)}, as the exit of a read that threw (its count is then 0). */
    private static void readThrew(HookedMethod m) {
        MethodVisitor out = m.out();
        m.loadFd();
        out.visitInsn(SWAP);
        out.visitInsn(LCONST_0);
        out.visitInsn(DUP2_X1);
        out.visitInsn(POP2);
        m.callBridge("afterRead", AFTER_READ);
    }
}
