package io.connectx.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TcpExtCountersTest {

    @Test
    void readsTcpExtPairsAndIgnoresOtherGroups() {
        TcpExtCounters before = TcpExtCounters.parse(List.of(
                "TcpExt: SyncookiesSent TCPFastOpenActive TCPFastOpenPassive",
                "TcpExt: 0 5 7",
                "IpExt: InNoRoutes TCPFastOpenActive",
                "IpExt: 1 999"));
        TcpExtCounters after = TcpExtCounters.parse(List.of(
                "TcpExt: SyncookiesSent TCPFastOpenActive TCPFastOpenPassive",
                "TcpExt: 0 12 7"));
        assertEquals(5, before.get(TcpExtCounters.ACTIVE));
        assertEquals(7, after.since(before, TcpExtCounters.ACTIVE));
        assertEquals(0, after.since(before, TcpExtCounters.PASSIVE));
        assertThrows(IllegalArgumentException.class, () -> after.get("NoSuchCounter"));
    }

    @Test
    void thisKernelHasTheFastOpenCounters() {
        TcpExtCounters now = TcpExtCounters.read();
        for (String name : List.of(TcpExtCounters.ACTIVE, TcpExtCounters.ACTIVE_FAIL, TcpExtCounters.PASSIVE,
                TcpExtCounters.COOKIE_REQUESTED, TcpExtCounters.BLACKHOLE)) {
            now.get(name);
        }
    }
}
