package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent initialises no logging before main, so an application's own LogManager is the one in use, whether
 * main chooses it or the command line does. The agent admits the application's connection, so JNA (whose
 * initialiser asks java.util.logging for a Logger) binds during the run, after main began.
 */
@ExtendWith(FastOpenSysctl.class)
class ApplicationLoggingIT {
    private static final String OWN = OwnLogManagerApp.OwnLogManager.class.getName();

    @Test
    void aLogManagerChosenInMainIsTheOneInUse() throws Exception {
        for (boolean agent : List.of(false, true)) {
            ChildJvm jvm = new ChildJvm();
            if (agent) {
                jvm.agent("dest=127.0.0.0/8:*;first=always");
            }
            ChildJvm.Result r = jvm.args("-cp", ChildJvm.TEST_CLASSES.toString(), OwnLogManagerApp.class.getName(),
                    "set-in-main").run();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(List.of("connected true"), r.lines("connected "), r.stdout() + r.stderr());
            assertEquals(List.of("logmanager " + OWN), r.lines("logmanager "), "agent " + agent + "\n" + r.stdout() + r.stderr());
            assertEquals(List.of("made-after-main true"), r.lines("made-after-main "), "agent " + agent + "\n" + r.stdout());
        }
    }

    @Test
    void aLogManagerGivenOnTheCommandLineIsTheOneInUseAndMadeAfterMainBegan() throws Exception {
        for (boolean agent : List.of(false, true)) {
            ChildJvm jvm = new ChildJvm().args("-Djava.util.logging.manager=" + OWN);
            if (agent) {
                jvm.agent("dest=127.0.0.0/8:*;first=always");
            }
            ChildJvm.Result r = jvm.args("-cp", ChildJvm.TEST_CLASSES.toString(), OwnLogManagerApp.class.getName()).run();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(List.of("logmanager " + OWN), r.lines("logmanager "), "agent " + agent + "\n" + r.stdout() + r.stderr());
            assertEquals(List.of("made-after-main true"), r.lines("made-after-main "), "agent " + agent + "\n" + r.stdout());
        }
    }
}
