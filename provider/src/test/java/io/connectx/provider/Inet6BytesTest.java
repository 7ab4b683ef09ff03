package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class Inet6BytesTest {
    @Test
    void readsTheAddressInPlaceWhenJavaNetIsOpen() throws Exception {
        // Surefire opens java.net to the tests, as the agent opens it to itself.
        assertTrue(Inet6Bytes.isDirect(), "java.net is open: the bytes are read without a copy");
        Inet6Address address = (Inet6Address) InetAddress.getByName("2001:db8::7");
        assertArrayEquals(address.getAddress(), Inet6Bytes.of(address));
    }
}
