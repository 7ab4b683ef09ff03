package io.connectx.agent.weaving;

import java.io.FileDescriptor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolFamily;

/** Classes with the hooked JDK methods' shapes, for {@link HookWeaverTest} to weave and run. */
final class ShapedLikeTheJdk {
    private ShapedLikeTheJdk() {
    }

    /** Like {@code sun.nio.ch.Net}: a static connect returning 1 (connected), whose body the skip must bypass. */
    public static final class Net {
        public static int bodyRuns;

        private Net() {
        }

        public static int connect(ProtocolFamily family, FileDescriptor fd, InetAddress remote, int port) throws IOException {
            bodyRuns++;
            if (port == 0) {
                throw new IOException("port 0");
            }
            for (int i = 0; i < 2; i++) {
                if (remote == null) {
                    return -1;
                }
            }
            return 1;
        }
    }

    /** Like {@code NioSocketImpl}: an fd field, a read that returns or throws inside its own try/catch, a write. */
    public static final class Socket {
        public final FileDescriptor fd = new FileDescriptor();
        public IOException failure;
        public int count = 3;

        public int read(byte[] b, int off, int len) throws IOException {
            try {
                if (failure != null) {
                    throw failure;
                }
                return count;
            } catch (IllegalStateException e) {
                return -5;
            }
        }

        public void write(byte[] b, int off, int len) throws IOException {
            if (failure != null) {
                throw failure;
            }
        }

        public long read(java.nio.ByteBuffer[] dsts, int offset, int length) throws IOException {
            return count;
        }
    }
}
