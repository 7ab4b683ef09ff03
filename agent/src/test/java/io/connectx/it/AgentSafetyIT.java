package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.KernelFastOpen;
import io.connectx.sys.TcpExtCounters;
import java.io.File;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent never breaks an application: bad settings, a kernel that says no, other socket kinds, other libraries. */
@ExtendWith(FastOpenSysctl.class)
class AgentSafetyIT {

    /** Each bad form the agent argument can take; a huge one (over 64 KiB) is written "HUGE" for a readable name. */
    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "dest=nonsense", "dest=*:99999", "dest=*:0", "dest=10.0.0.0/99:1", "dest=[fd00::]/200:1",
        "dest=300.1.1.1:80", "dest=example.com:443", "colour=blue", "dest", "dest=", "dest=*:1;dest=*:2",
        "first=sometimes", "listen=http", "listen.qlen=0", "HUGE"})
    void badConfigurationIsOneLineAndThePlainConnectsWork(String given) throws Exception {
        String args = given.equals("HUGE") ? "dest=" + "*:443,".repeat(12_000) + "*:443" : given;
        ClientFastOpenIT.Run run = ClientFastOpenIT.probe("socket", port -> args, true);
        List<String> complaints = run.result().stderr().lines().filter(l -> l.startsWith("connectx:")).toList();
        assertEquals(1, complaints.size(), run.toString());
        assertTrue(complaints.get(0).contains("expected"), complaints.get(0));
        assertTrue(complaints.get(0).contains("plain connects"), complaints.get(0));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals(ClientFastOpenIT.COUNT, run.accepted().size(), run.toString());
        assertEquals(0, run.counter(TcpExtCounters.ACTIVE), run.toString());
        assertEquals("sun.nio.ch.EPollSelectorProvider", run.provider(), "a disabled agent installs nothing");
    }

    @Test
    void withoutTheClientBitTheAgentSaysHowToSetItAndStandsAside() throws Exception {
        String old = Files.readString(KernelFastOpen.SYSCTL).trim();
        Files.writeString(KernelFastOpen.SYSCTL, "2");
        try {
            ClientFastOpenIT.Run run = ClientFastOpenIT.probe("socket", port -> "dest=127.0.0.0/8:" + port, true);
            List<String> complaints = run.result().stderr().lines().filter(l -> l.startsWith("connectx:")).toList();
            assertEquals(1, complaints.size(), run.toString());
            assertTrue(complaints.get(0).contains("sysctl -w net.ipv4.tcp_fastopen=3"), complaints.get(0));
            assertEquals(0, run.result().exitCode(), run.toString());
            assertEquals(0, run.counter(TcpExtCounters.ACTIVE), run.toString());
        } finally {
            Files.writeString(KernelFastOpen.SYSCTL, old);
        }
    }

    @Test
    void udpAndUnixDomainSocketsPassUntouchedAndTcpStillGetsFastOpen() throws Exception {
        ClientFastOpenIT.Run run = ClientFastOpenIT.probe("other-sockets-then-socket", port -> "dest=127.0.0.0/8:*;first=always", true);
        run.assertRepliesCorrect();
        assertTrue(run.result().stdout().contains("udp connected true"), run.toString());
        assertTrue(run.result().stdout().contains("unix exchange PING 0"), run.toString());
        assertEquals(ClientFastOpenIT.COUNT - 1, run.counter(TcpExtCounters.ACTIVE), run.toString());
    }

    @Test
    void anAppWithItsOwnOlderJnaAndByteBuddyKeepsWorkingAndGetsFastOpen() throws Exception {
        File libs = new File(ChildJvm.TEST_CLASSES.getParent().toFile(), "app-libs");
        String appClassPath = new File(libs, "jna-5.11.0.jar") + File.pathSeparator + new File(libs, "byte-buddy-1.14.18.jar");
        ClientFastOpenIT.Run run = ClientFastOpenIT.probe("socket", port -> "dest=127.0.0.0/8:" + port + ";first=always", true,
                appClassPath, OwnLibrariesApp.class.getName(), null);
        run.assertRepliesCorrect();
        assertTrue(run.result().stdout().contains("app jna from file:" + libs + "/jna-5.11.0.jar"), run.toString());
        assertTrue(run.result().stdout().contains("getpid=true"), run.toString());
        assertTrue(run.result().stdout().contains("byte-buddy-1.14.18.jar made app.Generated"), run.toString());
        assertEquals(ClientFastOpenIT.COUNT - 1, run.counter(TcpExtCounters.ACTIVE), run.toString());
    }
}
