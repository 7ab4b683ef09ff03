package io.connectx.sys;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A descriptor's file status flags (fcntl F_GETFL) as Linux shows them in /proc/self/fdinfo/FD (proc(5)):
 * a line {@code flags:} with the value in octal. For the JDK natives path, which has no fcntl.
 */
final class FileStatusFlags {
    private static final String PREFIX = "flags:";

    private FileStatusFlags() {
    }

    static int of(int fd) throws IOException {
        byte[] buf = new byte[256]; // pos, flags, mnt_id, ino: the flags line is the second
        int n;
        try (FileInputStream in = new FileInputStream("/proc/self/fdinfo/" + fd)) {
            n = in.readNBytes(buf, 0, buf.length);
        }
        return parse(new String(buf, 0, n, StandardCharsets.US_ASCII));
    }

    static int parse(String fdinfo) throws IOException {
        for (String line : fdinfo.split("\n")) {
            if (line.startsWith(PREFIX)) {
                try {
                    return Integer.parseInt(line.substring(PREFIX.length()).trim(), 8);
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IOException("no flags line in fdinfo: " + fdinfo);
    }
}
