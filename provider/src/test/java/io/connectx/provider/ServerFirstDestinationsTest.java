package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ServerFirstDestinationsTest {
    private static final InetSocketAddress MARIADB = new InetSocketAddress("127.0.0.1", 3306);
    private static final InetSocketAddress WEB = new InetSocketAddress("127.0.0.1", 443);

    @Test
    void aDestinationThatSpokeFirstIsRememberedByAddressAndPort() {
        ServerFirstDestinations memory = new ServerFirstDestinations();
        memory.spokeFirst(MARIADB);
        assertTrue(memory.speaksFirst(MARIADB));
        assertFalse(memory.speaksFirst(WEB));
        assertFalse(memory.speaksFirst(null));
    }

    @Test
    void aClientWritingFirstClearsTheDestination() {
        ServerFirstDestinations memory = new ServerFirstDestinations();
        memory.spokeFirst(MARIADB);
        memory.waitedForTheClient(MARIADB);
        assertFalse(memory.speaksFirst(MARIADB));
    }

    @Test
    void theMemoryStartsOverAtItsBound() {
        ServerFirstDestinations memory = new ServerFirstDestinations();
        for (int port = 1; port <= ServerFirstDestinations.MAX_REMEMBERED; port++) {
            memory.spokeFirst(new InetSocketAddress("127.0.0.1", port));
        }
        assertTrue(memory.speaksFirst(new InetSocketAddress("127.0.0.1", 1)));
        memory.spokeFirst(MARIADB);
        assertFalse(memory.speaksFirst(new InetSocketAddress("127.0.0.1", 1)));
        assertTrue(memory.speaksFirst(MARIADB));
    }
}
