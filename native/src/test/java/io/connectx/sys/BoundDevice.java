package io.connectx.sys;

import java.nio.charset.StandardCharsets;

/** What SO_BINDTODEVICE holds on a socket, for tests that check {@link LinuxSockets#bindToDevice}'s effect. */
public final class BoundDevice {
    private BoundDevice() {
    }

    /** The interface name the socket is bound to, or "" for none. */
    public static String of(int fd) {
        byte[] device = new byte[16]; // IFNAMSIZ
        int[] len = {device.length};
        LinuxSockets.getsockopt(fd, LinuxSocketOptions.SOL_SOCKET, LinuxSocketOptions.SO_BINDTODEVICE, device, len);
        return new String(device, 0, len[0], StandardCharsets.US_ASCII).replace("\0", "");
    }
}
