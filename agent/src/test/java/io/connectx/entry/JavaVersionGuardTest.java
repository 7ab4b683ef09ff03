package io.connectx.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JavaVersionGuardTest {

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "1.8", "9", "10", "11", "15", "16", "16.0.2", "", "junk", "1."})
    void javaBelowSeventeenIsRefused(String specificationVersion) {
        assertFalse(JavaVersionGuard.supports(specificationVersion), specificationVersion);
    }

    @ParameterizedTest
    @ValueSource(strings = {"17", "18", "21", "25", "26", "17.0.1"})
    void javaSeventeenAndLaterIsSupported(String specificationVersion) {
        assertTrue(JavaVersionGuard.supports(specificationVersion), specificationVersion);
    }

    @Test
    void noVersionAtAllIsRefused() {
        assertFalse(JavaVersionGuard.supports(null));
    }

    @Test
    void theRunningJvmIsSupported() {
        assertTrue(JavaVersionGuard.supported(), System.getProperty("java.specification.version"));
    }

    @Test
    void theRefusalIsTheDocumentedLine() {
        assertEquals("connectx: needs Java 17 or later; the application runs without it", JavaVersionGuard.REFUSAL);
    }
}
