package io.connectx.provider;

import java.nio.ByteBuffer;
import java.util.Locale;

/** Which first writes may ride in the SYN: the agent key {@code first}. */
public enum FirstWritePolicy {
    /** Only writes recognised as safe to replay, whole: one TLS ClientHello, or one HTTP/1.x GET, HEAD or OPTIONS. */
    AUTO,
    /** Every first write: for protocols the user knows to be idempotent. */
    ALWAYS,
    /** None: the handshake is still saved from blocking connect, but every write waits for it. */
    NEVER;

    public static FirstWritePolicy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad first '" + text + "': expected auto, always or never");
        }
    }

    /** May {@code data} (position to limit, left unchanged) travel in the SYN? */
    public boolean allowsInSyn(ByteBuffer data) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> ReplaySafety.isReplaySafe(data);
        };
    }

    /** May the bytes of this gathering write, all of them together, travel in the SYN? */
    public boolean allowsInSyn(ByteBuffer[] data, int offset, int length) {
        return switch (this) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> ReplaySafety.isReplaySafe(data, offset, length);
        };
    }
}
