package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.it.FastOpenTestServer.Accepted;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code attach PID} and {@code attach PID detach} on an unmodified sample application that is already running. */
@ExtendWith(FastOpenSysctl.class)
class LiveAttachIT {
    private static ChildJvm.Result attach(String... args) throws Exception {
        return new ChildJvm().args("-jar", ChildJvm.AGENT_JAR.toString(), "attach").args(args).run();
    }

    @Test
    void attachTurnsFastOpenOnInARunningJvmAndDetachTurnsItOff() throws Exception {
        String host = FastOpenSysctl.freshHost();
        try (FastOpenTestServer server = FastOpenTestServer.start(host);
                ChildJvm.Running app = new ChildJvm().args("-cp", SampleApps.classPath(),
                        "io.connectx.samples.PeriodicClient", host, String.valueOf(server.port()), "100", "400")
                        .start("started")) {
            server.accepted(5);
            long pid = app.pid();
            // The agent is active inside the target before the attach command returns: count before and after.
            int beforeAttach = server.accepted(0).size();
            ChildJvm.Result attach = attach(String.valueOf(pid), "dest=127.0.0.0/8:" + server.port() + ";first=always");
            assertEquals(0, attach.exitCode(), attach.stdout() + attach.stderr());
            int attached = server.accepted(0).size();
            server.accepted(attached + 10);
            int beforeDetach = server.accepted(0).size();
            ChildJvm.Result detach = attach(String.valueOf(pid), "detach");
            assertEquals(0, detach.exitCode(), detach.stdout() + detach.stderr());
            int detached = server.accepted(0).size();
            List<Accepted> all = server.accepted(detached + 8);
            assertTrue(all.subList(0, beforeAttach).stream().noneMatch(Accepted::synData), "before the attach: " + all);
            // One connection may straddle the attach's end, and the first with the agent fetches the cookie.
            assertTrue(all.subList(attached + 2, beforeDetach).stream().allMatch(Accepted::synData),
                    "while attached: " + all + "\n" + app);
            // One connection may straddle the detach's end.
            assertTrue(all.subList(detached + 1, all.size()).stream().noneMatch(Accepted::synData), "after the detach: " + all);
            assertTrue(app.lines("failed").isEmpty() && app.lines("bad").isEmpty(), app.toString());
            assertTrue(app.stderr().contains("connectx: detached"), app.toString());
        }
    }
}
