package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.KernelFastOpen;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent widens no access for the application: with the agent on, told off, disabled by bad settings,
 * standing aside (the kernel's client bit off) or failed (JNA unloadable), application code is denied exactly what it is denied without the agent, and no
 * JDK package is exported or opened to its module. The agent's own opens go to its own class loader's module.
 */
@ExtendWith(FastOpenSysctl.class)
class IsolationIT {

    @Test
    void applicationCodeIsDeniedExactlyAsWithoutTheAgent() throws Exception {
        ChildJvm.Result plain = probe(new ChildJvm());
        List<String> denied = plain.lines("access ");
        assertEquals(7, denied.size(), plain.stdout());
        assertTrue(denied.stream().allMatch(l -> l.contains(" denied ")), "the JDK itself denies all of these\n" + plain.stdout());
        assertEquals(List.of("widened 0"), plain.lines("widened "), plain.stdout());

        ChildJvm.Result on = probe(new ChildJvm().agent("dest=127.0.0.0/8:*;first=always"));
        assertEquals(List.of("mbean true"), on.lines("mbean "), "the agent ran: its MBean is registered\n" + on);
        assertSameAccess(plain, on, "agent on");
        assertSameAccess(plain, probe(new ChildJvm().agent("detach")), "agent told off");
        assertSameAccess(plain, probe(new ChildJvm().agent("dest=nonsense")), "agent disabled by a bad setting");
        String sysctl = Files.readString(KernelFastOpen.SYSCTL).trim();
        Files.writeString(KernelFastOpen.SYSCTL, "2");
        try {
            ChildJvm.Result standingAside = probe(new ChildJvm().agent("dest=127.0.0.0/8:*"));
            assertTrue(standingAside.stderr().contains("sysctl -w net.ipv4.tcp_fastopen=3"), standingAside.toString());
            assertSameAccess(plain, standingAside, "agent standing aside: the kernel's client bit is off");
        } finally {
            Files.writeString(KernelFastOpen.SYSCTL, sysctl);
        }
        ChildJvm.Result failed = probe(new ChildJvm().args(OperabilityIT.NO_NATIVES).agent("dest=127.0.0.0/8:*"));
        assertTrue(failed.stderr().contains("connectx: disabled: JNA could not bind libc"), "agent failed\n" + failed);
        assertSameAccess(plain, failed, "agent failed");
    }

    private static ChildJvm.Result probe(ChildJvm jvm) throws Exception {
        ChildJvm.Result r = jvm.args("-cp", ChildJvm.TEST_CLASSES.toString(), EncapsulationProbe.class.getName()).run();
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertEquals(List.of("connected true"), r.lines("connected "), r.stdout() + r.stderr());
        return r;
    }

    private static void assertSameAccess(ChildJvm.Result plain, ChildJvm.Result agent, String what) {
        assertEquals(plain.lines("access "), agent.lines("access "), what + "\n" + agent.stdout() + agent.stderr());
        assertEquals(List.of(), agent.lines("exported "), what);
        assertEquals(List.of(), agent.lines("opened "), what);
        assertEquals(List.of("widened 0"), agent.lines("widened "), what);
    }
}
