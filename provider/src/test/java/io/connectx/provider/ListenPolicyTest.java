package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ListenPolicyTest {

    @Test
    void listedPortsOnly() {
        ListenPolicy policy = ListenPolicy.parse("8080, 9090");
        assertTrue(policy.admits(8080));
        assertTrue(policy.admits(9090));
        assertFalse(policy.admits(8081));
        assertFalse(policy.admits(-1), "not an inet socket");
    }

    @Test
    void starAdmitsEveryInetPort() {
        assertTrue(ListenPolicy.parse("*").admits(1));
        assertFalse(ListenPolicy.parse("*").admits(-1));
        assertTrue(ListenPolicy.none().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "http", "80,", "", "*,80"})
    void badPortsAreRefused(String spec) {
        assertThrows(IllegalArgumentException.class, () -> ListenPolicy.parse(spec));
    }

    @Test
    void queueLength() {
        assertEquals(16, ListenPolicy.parseQueueLength("16"));
        assertThrows(IllegalArgumentException.class, () -> ListenPolicy.parseQueueLength("0"));
        assertThrows(IllegalArgumentException.class, () -> ListenPolicy.parseQueueLength("many"));
    }
}
