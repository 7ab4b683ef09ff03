package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FastOpenKeyTest {
    private static final String PRIMARY = "00112233-44556677-8899aabb-ccddeeff";
    private static final String BACKUP = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    /** The bytes the sysctl stores for PRIMARY: each 8-digit word little-endian (proc_tcp_fastopen_key's cpu_to_le32). */
    private static final byte[] PRIMARY_BYTES = bytes(0x33, 0x22, 0x11, 0x00, 0x77, 0x66, 0x55, 0x44,
            0xbb, 0xaa, 0x99, 0x88, 0xff, 0xee, 0xdd, 0xcc);
    private static final byte[] BACKUP_BYTES = bytes(0x3c, 0x2d, 0x1e, 0x0f, 0x78, 0x69, 0x5a, 0x4b,
            0xb4, 0xa5, 0x96, 0x87, 0xf0, 0xe1, 0xd2, 0xc3);

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void aDashedKeyIsFourLittleEndianWordsAsTheSysctlStoresThem() {
        FastOpenKey key = FastOpenKey.parse(PRIMARY);
        assertArrayEquals(PRIMARY_BYTES, key.bytes());
        assertFalse(key.hasBackup());
    }

    @Test
    void withoutDashesTheSameDigitsAreTheSameKey() {
        assertArrayEquals(PRIMARY_BYTES, FastOpenKey.parse(PRIMARY.replace("-", "")).bytes());
        assertArrayEquals(PRIMARY_BYTES, FastOpenKey.parse(PRIMARY.toUpperCase()).bytes());
    }

    @Test
    void aPrimaryAndABackupMakeThirtyTwoBytesPrimaryFirst() {
        FastOpenKey key = FastOpenKey.parse(PRIMARY + "," + BACKUP);
        assertTrue(key.hasBackup());
        assertArrayEquals(concat(PRIMARY_BYTES, BACKUP_BYTES), key.bytes());
        assertArrayEquals(PRIMARY_BYTES, key.primaryOnly().bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "  \t", "\n\n"})
    void surroundingWhitespaceAndLineEndsAreIgnored(String space) {
        assertArrayEquals(PRIMARY_BYTES, FastOpenKey.parse(space + PRIMARY + space).bytes());
        assertArrayEquals(concat(PRIMARY_BYTES, BACKUP_BYTES),
                FastOpenKey.parse(PRIMARY + space + "," + space + BACKUP + space).bytes());
    }

    @Test
    void threeKeysAreRefused() {
        String message = refused(PRIMARY + "," + BACKUP + "," + PRIMARY);
        assertTrue(message.startsWith("found 3 keys; expected one key, or a primary and a backup"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"00112233445566778899aabbccddee", "00112233445566778899aabbccddeeff00",
        "00112233-44556677-8899aabb", "0"})
    void aKeyOfTheWrongLengthIsRefusedWithItsLength(String key) {
        String message = refused(key);
        assertTrue(message.contains("hex digits") || message.contains("four groups of 8"), message);
    }

    @Test
    void theLengthFoundIsNamed() {
        assertTrue(refused("00112233445566778899aabbccddee").startsWith("found the primary key of 30 hex digits;"));
        assertTrue(refused(PRIMARY + ",0011").startsWith("found the backup key of 4 hex digits;"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"00112233-44556677-8899aabb-ccddeefg", "0011223344556677 8899aabbccddeeff",
        "0x112233445566778899aabbccddeeff", "00112233-44556677-8899aabb-ccddee\u0661\u0662"})
    void aCharacterThatIsNotAnAsciiHexDigitIsRefused(String key) {
        assertTrue(refused(key).contains("not a hex digit"), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0011223-344556677-8899aabb-ccddeeff", "00112233--44556677-8899aabbccddeeff",
        "-00112233-44556677-8899aabb-ccddeeff", "0011-2233-4455-6677-8899-aabb-ccdd-eeff"})
    void dashesOutsideTheSysctlsGroupsAreRefused(String key) {
        assertTrue(refused(key).contains("four groups of 8"), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", ",", PRIMARY + ",", "," + PRIMARY})
    void anEmptyFileOrAnEmptyKeyIsRefused(String text) {
        assertTrue(refused(text).contains("empty"), "'" + text + "'");
    }

    @Test
    void noMessageAndNoStringQuotesTheKey() {
        String wrongLength = "00112233445566778899aabbccddeeff0";
        for (String text : new String[] {wrongLength, PRIMARY + "," + BACKUP + "," + PRIMARY, PRIMARY + "," + "zz"}) {
            String message = refused(text);
            assertFalse(message.contains("0011223344") || message.contains("00112233-") || message.contains("0f1e2d"), message);
        }
        String shown = FastOpenKey.parse(PRIMARY + "," + BACKUP).toString();
        assertEquals("a primary key and a backup", shown);
        assertEquals("one key", FastOpenKey.parse(PRIMARY).toString());
    }

    @Test
    void bytesIsACopyTheCallerMayClear() {
        FastOpenKey key = FastOpenKey.parse(PRIMARY);
        Arrays.fill(key.bytes(), (byte) 0);
        assertArrayEquals(PRIMARY_BYTES, key.bytes());
    }

    private static String refused(String text) {
        return assertThrows(IllegalArgumentException.class, () -> FastOpenKey.parse(text)).getMessage();
    }
}
