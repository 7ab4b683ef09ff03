package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationPolicyTest {

    @ParameterizedTest(name = "{0} admits {1}:{2} = {3}")
    @CsvSource(delimiter = '|', value = {
        "*:443                 | 10.1.2.3     | 443  | true",
        "*:443                 | 10.1.2.3     | 444  | false",
        "*:443                 | ::1          | 443  | false",
        "*:*                   | 127.0.0.1    | 80   | false",
        "*:*                   | 127.1.2.3    | 80   | false",
        "*:*                   | 0.0.0.0      | 80   | false",
        "*:*                   | ::           | 80   | false",
        "127.0.0.1:*           | 127.0.0.1    | 80   | true",
        "127.0.0.0/8:80        | 127.1.2.3    | 80   | true",
        "[::1]:*               | ::1          | 80   | true",
        "*:80,127.0.0.1:80     | 127.0.0.1    | 80   | true",
        "*:*                   | 192.0.2.1    | 1    | true",
        "10.0.0.0/8:*          | 10.255.0.1   | 80   | true",
        "10.0.0.0/8:*          | 11.0.0.1     | 80   | false",
        "10.1.2.3:8080         | 10.1.2.3     | 8080 | true",
        "10.1.2.3:8080         | 10.1.2.4     | 8080 | false",
        "10.1.2.3/8:*          | 10.9.9.9     | 1    | true",
        "0.0.0.0/0:22          | 203.0.113.9  | 22   | true",
        "127.0.0.1:*           | ::1          | 80   | false",
        "[::1]:8080            | ::1          | 8080 | true",
        "[::1]:8080            | 127.0.0.1    | 8080 | false",
        "[fd00::]/8:*          | fdff::1      | 9    | true",
        "[fd00::/8]:*          | fe80::1      | 9    | false",
        "[2001:db8::]/33:*     | 2001:db8:7fff::1 | 9 | true",
        "[2001:db8::]/33:*     | 2001:db8:8000::1 | 9 | false",
        "10.0.0.0/8:443,*:8443 | 172.16.0.1   | 8443 | true",
        "10.0.0.0/8:443,*:8443 | 172.16.0.1   | 443  | false",
    })
    void admits(String spec, String address, int port, boolean expected) throws UnknownHostException {
        assertEquals(expected, DestinationPolicy.parse(spec).admits(InetAddress.getByName(address), port));
    }

    @org.junit.jupiter.api.Test
    void starLeavesOutThisHostsOwnAddressesAndNamingThemAdmitsThem() throws Exception {
        List<InetAddress> own = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            own.addAll(Collections.list(nif.getInetAddresses()));
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(own.stream().anyMatch(a -> !a.isLoopbackAddress()),
                "skipped: this host has no address besides loopback: " + own);
        for (InetAddress address : own) {
            assertFalse(DestinationPolicy.parse("*:*").admits(address, 443), address.toString());
            String named = address instanceof java.net.Inet6Address ? "[" + address.getHostAddress().replaceAll("%.*", "") + "]"
                    : address.getHostAddress();
            assertTrue(DestinationPolicy.parse(named + ":443").admits(address, 443), named);
        }
    }

    @org.junit.jupiter.api.Test
    void aSnapshotOfOwnAddressesMatchesByValue() throws Exception {
        OwnAddresses.Snapshot s = OwnAddresses.Snapshot.of(List.of(InetAddress.getByName("10.9.8.7"),
                InetAddress.getByName("192.0.2.1"), InetAddress.getByName("2001:db8::5")), 0);
        assertTrue(s.contains(InetAddress.getByName("192.0.2.1")));
        assertTrue(s.contains(InetAddress.getByName("10.9.8.7")));
        assertTrue(s.contains(InetAddress.getByName("2001:db8::5")));
        assertFalse(s.contains(InetAddress.getByName("10.9.8.6")));
        assertFalse(s.contains(InetAddress.getByName("2001:db8::6")));
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        "example.com:443  | 'example.com'",
        "10.0.0.1         | '10.0.0.1'",
        "10.0.0.1:0       | '0'",
        "10.0.0.1:65536   | '65536'",
        "10.0.0.1:http    | 'http'",
        "10.0.0.256:1     | '10.0.0.256'",
        "10.0.0:1         | '10.0.0'",
        "10.0.0.0/33:1    | '/33'",
        "10.0.0.0/x:1     | '/x'",
        "[::1:443         | '[::1:443'",
        "[zz::1]:443      | '[zz::1]'",
        "[::1]/129:1      | '/129'",
        "[::ffff:1.2.3.4]:1 | '[::ffff:1.2.3.4]'",
        "*:443,,*:8443    | ''",
        "' '              | 'empty destination list'",
    })
    void badEntriesNameTheTokenAndWhatWasExpected(String spec, String token) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DestinationPolicy.parse(spec));
        assertTrue(e.getMessage().contains(token), e.getMessage());
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void defaultAdmitsTlsPortsOnly() throws UnknownHostException {
        DestinationPolicy policy = DestinationPolicy.defaults();
        InetAddress any = InetAddress.getByName("198.51.100.7");
        assertTrue(policy.admits(any, 443));
        assertTrue(policy.admits(any, 8443));
        assertEquals(false, policy.admits(any, 80));
    }
}
