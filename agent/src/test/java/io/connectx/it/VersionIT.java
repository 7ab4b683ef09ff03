package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The version where operators look, through the real jar: {@code version}, and the start-up line at
 * {@code log=info}. (doctor's first line, the MBean's {@code Version} and the summary line: OperabilityIT.)
 */
class VersionIT {
    /** The POM's version, handed over by failsafe: what the jar must report. */
    static final String VERSION = System.getProperty("connectx.version");
    /** Semantic versioning 2.0.0's MAJOR.MINOR.PATCH with an optional pre-release (Maven's -SNAPSHOT between releases). */
    static final String SEMVER = "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?";

    @Test
    void theVersionCommandPrintsTheVersionTheJdkAndThePlatformPath() throws Exception {
        ChildJvm.Result r = new ChildJvm().args("-jar", ChildJvm.AGENT_JAR.toString(), "version").run();
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        List<String> lines = r.stdout().lines().toList();
        assertEquals(3, lines.size(), r.stdout());
        assertEquals("connectx " + VERSION, lines.get(0));
        assertTrue(VERSION.matches(SEMVER), VERSION + " is a semantic version");
        assertTrue(lines.get(1).startsWith("jdk       " + Runtime.version() + " (" + System.getProperty("java.vendor")
                + ") at " + System.getProperty("java.home")), lines.get(1));
        assertTrue(lines.get(2).startsWith("platform  Linux (Linux "), lines.get(2));
    }

    @Test
    void theStartUpLineAtLogInfoNamesTheVersion() throws Exception {
        ChildJvm.Result r = new ChildJvm().agent("log=info").args("-cp", ChildJvm.TEST_CLASSES.toString(),
                AgentJarIT.QuietApp.class.getName()).run();
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("hello\n", r.stdout());
        assertTrue(r.stderr().contains("connectx: version " + VERSION + " active: dest=*:443,*:8443;first=auto\n"),
                r.stderr());
    }
}
