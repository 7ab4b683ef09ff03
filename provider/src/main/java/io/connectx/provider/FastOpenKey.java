package io.connectx.provider;

import java.util.Arrays;

/**
 * A listener's own Fast Open key: a primary, which makes and checks cookies, and optionally a backup, which
 * only checks them, so that cookies made under the old key stay valid while a fleet rotates.
 *
 * <p>The text is the one the sysctl {@code net.ipv4.tcp_fastopen_key} takes: a key is 32 hex digits,
 * optionally as four dash-separated groups of 8 ({@code 00112233-44556677-8899aabb-ccddeeff}), and a comma
 * separates the primary from the backup. Each group of 8 digits is a 32-bit word stored little-endian, as the
 * kernel's proc_tcp_fastopen_key stores it (cpu_to_le32), so that one text is one key whether a sysctl or a
 * listener holds it.
 *
 * <p>A key is a secret: {@link #toString} names its shape only, and no message quotes the text it came from.
 */
public final class FastOpenKey {
    /** TCP_FASTOPEN_KEY_LENGTH in include/net/tcp.h. */
    public static final int LENGTH = 16;
    static final String EXPECTED = "one key, or a primary and a backup separated by a comma, each 32 hex digits"
            + " (optionally 8-8-8-8 with dashes, as net.ipv4.tcp_fastopen_key shows them)";
    private static final int GROUP_DIGITS = 8;

    private final byte[] bytes;

    private FastOpenKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Parses a key file's text; surrounding whitespace (a trailing newline, say) is ignored. Throws
     * {@link IllegalArgumentException} saying what was found and what was expected, without the text itself.
     */
    public static FastOpenKey parse(String text) {
        String[] keys = text.strip().split(",", -1);
        if (keys.length > 2) {
            throw bad(keys.length + " keys");
        }
        byte[] bytes = new byte[keys.length * LENGTH];
        for (int k = 0; k < keys.length; k++) {
            parseKey(keys[k].strip(), k == 0 ? "the primary key" : "the backup key", bytes, k * LENGTH);
        }
        return new FastOpenKey(bytes);
    }

    private static void parseKey(String key, String which, byte[] into, int offset) {
        if (key.isEmpty()) {
            throw bad(which + " empty");
        }
        String digits = key.indexOf('-') < 0 ? key : undash(key, which);
        for (int i = 0; i < digits.length(); i++) {
            if (hexValue(digits.charAt(i)) < 0) {
                throw bad(which + " with a character that is not a hex digit");
            }
        }
        if (digits.length() != 2 * LENGTH) {
            throw bad(which + " of " + digits.length() + " hex digits");
        }
        for (int word = 0; word < LENGTH / 4; word++) {
            long value = Long.parseLong(digits.substring(word * GROUP_DIGITS, (word + 1) * GROUP_DIGITS), 16);
            for (int b = 0; b < 4; b++) {
                into[offset + word * 4 + b] = (byte) (value >>> (8 * b)); // little-endian, as cpu_to_le32 on x86 and arm64
            }
        }
    }

    private static String undash(String key, String which) {
        String[] groups = key.split("-", -1);
        boolean fourGroupsOfEight = groups.length == LENGTH / 4;
        for (String group : groups) {
            fourGroupsOfEight &= group.length() == GROUP_DIGITS;
        }
        if (!fourGroupsOfEight) {
            throw bad(which + " with dashes that do not make four groups of 8 digits");
        }
        return String.join("", groups);
    }

    /** Only ASCII hex digits: Character.digit would take other scripts' digits too. */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static IllegalArgumentException bad(String found) {
        return new IllegalArgumentException("found " + found + "; expected " + EXPECTED);
    }

    /** The bytes for TCP_FASTOPEN_KEY: 16, or 32 with the backup; a copy the caller may clear. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public boolean hasBackup() {
        return bytes.length > LENGTH;
    }

    /** The primary alone, for a kernel that takes no backup. */
    public FastOpenKey primaryOnly() {
        return hasBackup() ? new FastOpenKey(Arrays.copyOf(bytes, LENGTH)) : this;
    }

    /** Its shape, never its value. */
    @Override
    public String toString() {
        return hasBackup() ? "a primary key and a backup" : "one key";
    }
}
