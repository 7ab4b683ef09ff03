package io.connectx.agent;

import io.connectx.entry.ReadFirstDoor;
import io.connectx.provider.FastOpenSockets;
import io.connectx.sys.FileDescriptors;
import java.nio.channels.SocketChannel;

/**
 * The agent's side of {@link ReadFirstDoor}: takes over a socket that the application's
 * {@code io.connectx.Connectx} deferred, so that its first read starts the handshake. Only the JDK's own
 * channels have a descriptor to read, and only a connected one has a handshake to start; anything else is
 * refused.
 */
final class ReadFirstGuard implements ReadFirstDoor.Guard {

    @Override
    public boolean adopt(SocketChannel channel) {
        FastOpenSockets sockets = FastOpenSockets.active();
        if (sockets == null || channel.getClass().getModule() != Object.class.getModule() || !channel.isConnected()) {
            return false;
        }
        try {
            return sockets.adoptDeferred(FileDescriptors.descriptorOf(channel));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
