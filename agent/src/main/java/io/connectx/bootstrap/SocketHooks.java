package io.connectx.bootstrap;

import java.io.FileDescriptor;
import java.net.InetAddress;

/** What the advice inlined into {@code sun.nio.ch.Net} calls; implemented in the agent's own loader. */
public interface SocketHooks {

    void beforeConnect(FileDescriptor fd, InetAddress remote, int port);

    void afterListen(FileDescriptor fd);
}
