package io.connectx.provider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** The file named by {@code listen.keyfile}, read as the agent reads it: bounded, and never quoted back. */
public final class FastOpenKeyFile {
    /** Two dashed keys and a comma are 71 characters; the rest is room for whitespace and line ends. */
    static final int MAX_BYTES = 256;

    private FastOpenKeyFile() {
    }

    /**
     * Reads and parses {@code file}. Throws {@link IllegalArgumentException} with one message that names
     * the file and what was expected, and holds no byte of its content.
     */
    public static FastOpenKey read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a regular file that this JVM can see; expected "
                    + FastOpenKey.EXPECTED);
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            // The exception's message is the path and the reason (AccessDeniedException: PATH): no content.
            throw new IllegalArgumentException(file + " cannot be read (" + e + "); expected a file readable by this JVM's user");
        }
        if (content.length > MAX_BYTES) {
            throw new IllegalArgumentException(file + " holds more than " + MAX_BYTES + " bytes; expected " + FastOpenKey.EXPECTED);
        }
        try {
            return FastOpenKey.parse(new String(content, StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        } finally {
            java.util.Arrays.fill(content, (byte) 0);
        }
    }

    /** True when the group or others may read {@code file}: a key is a secret. False where permissions are not POSIX. */
    public static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
