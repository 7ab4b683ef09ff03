package io.connectx.provider;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.SocketImpl;

/**
 * The addresses {@code NioSocketImpl.accept} wrote into the {@link SocketImpl} it filled in: the
 * protected fields {@code address}, {@code port} and {@code localport} of {@code java.net.SocketImpl}
 * (the same in JDK 17 and 25). Needs {@code java.net} opened to this module, which the agent does.
 */
record AcceptedSocketImpl(int localPort, InetAddress peer, int peerPort) {
    private static final Field ADDRESS = field("address");
    private static final Field PORT = field("port");
    private static final Field LOCAL_PORT = field("localport");

    static AcceptedSocketImpl of(Object impl) throws IllegalAccessException {
        if (!(impl instanceof SocketImpl) || ADDRESS == null) {
            return new AcceptedSocketImpl(-1, null, -1);
        }
        return new AcceptedSocketImpl(LOCAL_PORT.getInt(impl), (InetAddress) ADDRESS.get(impl), PORT.getInt(impl));
    }

    private static Field field(String name) {
        try {
            Field f = SocketImpl.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // java.net not open to us: the event goes without the addresses
        }
    }
}
