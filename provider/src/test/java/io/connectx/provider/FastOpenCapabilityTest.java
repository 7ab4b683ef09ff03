package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class FastOpenCapabilityTest {
    @Test
    void linuxReadsTheClientAndServerBitsOfTheSysctl() {
        FastOpenCapability clientOnly = new FastOpenCapability.Linux(OptionalInt.of(1));
        assertNull(clientOnly.unavailabilityCause());
        assertTrue(clientOnly.isClientSideAvailable());
        assertFalse(clientOnly.isServerSideAvailable());
        assertEquals("net.ipv4.tcp_fastopen=1 has the client bit 1", clientOnly.clientSide());
        assertEquals("net.ipv4.tcp_fastopen=1 lacks the server bit 2", clientOnly.serverSide());
        FastOpenCapability serverOnly = new FastOpenCapability.Linux(OptionalInt.of(2));
        assertFalse(serverOnly.isClientSideAvailable());
        assertTrue(serverOnly.isServerSideAvailable());
    }

    @Test
    void anUnreadableSysctlOffersNeitherSide() {
        FastOpenCapability unread = new FastOpenCapability.Linux(OptionalInt.empty());
        assertEquals("cannot read /proc/sys/net/ipv4/tcp_fastopen", unread.unavailabilityCause());
        assertFalse(unread.isClientSideAvailable());
        assertFalse(unread.isServerSideAvailable());
    }

    @Test
    void darwinOffersBothSidesWithoutReadingItsSysctl() {
        FastOpenCapability darwin = FastOpenCapability.of(FastOpenPlatforms.Kind.DARWIN);
        assertNull(darwin.unavailabilityCause());
        assertTrue(darwin.isClientSideAvailable());
        assertTrue(darwin.isServerSideAvailable());
        assertEquals("sysctl -w net.inet.tcp.fastopen=3", darwin.fix());
    }
}
