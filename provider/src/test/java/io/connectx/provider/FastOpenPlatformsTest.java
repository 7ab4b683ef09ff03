package io.connectx.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which platform path an OS gets; the Darwin path cannot be run here, only chosen and refused. */
class FastOpenPlatformsTest {

    @Test
    void osNamesSelectTheirPath() {
        assertEquals(FastOpenPlatforms.Kind.LINUX, FastOpenPlatforms.kindOf("Linux"));
        assertEquals(FastOpenPlatforms.Kind.DARWIN, FastOpenPlatforms.kindOf("Mac OS X"));
        assertEquals(FastOpenPlatforms.Kind.DARWIN, FastOpenPlatforms.kindOf("Darwin"));
        assertEquals(FastOpenPlatforms.Kind.UNSUPPORTED, FastOpenPlatforms.kindOf("Windows 11"));
        assertEquals(FastOpenPlatforms.Kind.UNSUPPORTED, FastOpenPlatforms.kindOf(null));
    }

    @Test
    void thisLinuxGetsLinuxFastOpen() {
        assertEquals(FastOpenPlatforms.Kind.LINUX, FastOpenPlatforms.current());
        assertInstanceOf(LinuxFastOpen.class, FastOpenPlatforms.of(FastOpenPlatforms.Kind.LINUX));
    }

    @Test
    void theDarwinPathSaysWhyItCannotLoadOffMacOs() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FastOpenPlatforms.of(FastOpenPlatforms.Kind.DARWIN));
        assertTrue(e.getMessage().contains("not macOS"), e.getMessage());
    }

    @Test
    void onDarwinTheConnectIsReplacedNotPrepared() throws Exception {
        // DarwinFastOpen answers connectInPlace; Linux leaves the JDK's connect to run (null).
        assertEquals(null, new LinuxFastOpen().connectInPlace(-1, java.net.InetAddress.getLoopbackAddress(), 1));
        assertEquals(DarwinFastOpen.class, DarwinFastOpen.class.getMethod("connectInPlace", int.class,
                java.net.InetAddress.class, int.class).getDeclaringClass());
    }
}
