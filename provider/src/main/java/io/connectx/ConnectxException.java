package io.connectx;

import java.net.SocketException;

/**
 * A connectx(2) or disconnectx(2) failure whose errno has no closer JDK exception (see the table in
 * {@link Connectx}). The message starts with the errno's name, as every exception {@link Connectx} throws does.
 */
public final class ConnectxException extends SocketException {
    private static final long serialVersionUID = 1L;
    private final ConnectxErrno errno;

    ConnectxException(ConnectxErrno errno, String detail) {
        super(errno.name() + ": " + detail);
        this.errno = errno;
    }

    public ConnectxErrno errno() {
        return errno;
    }
}
