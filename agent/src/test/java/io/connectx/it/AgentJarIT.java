package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** Guards the packaging: what the shaded jar may hold, and what its manifest must say. */
class AgentJarIT {
    private static final List<String> ALLOWED = List.of("io/connectx/", "com/sun/jna/", "META-INF/");

    @Test
    void holdsOnlyOurPackagesRelocatedByteBuddyAndJna() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            List<String> strays = jar.stream().map(e -> e.getName())
                    .filter(name -> !name.endsWith("/"))
                    .filter(name -> ALLOWED.stream().noneMatch(name::startsWith))
                    .toList();
            assertEquals(List.of(), strays);
            assertTrue(jar.getEntry("io/connectx/shaded/net/bytebuddy/ByteBuddy.class") != null, "ByteBuddy relocated");
            assertTrue(jar.getEntry("com/sun/jna/Native.class") != null, "JNA included, not relocated");
            assertTrue(jar.getEntry("com/sun/jna/linux-x86-64/libjnidispatch.so") != null, "JNA's native dispatch library");
            assertEquals(List.of(), jar.stream().map(e -> e.getName())
                    .filter(name -> name.startsWith("META-INF/versions/")).toList(), "no unrelocated versioned classes");
        }
    }

    @Test
    void manifestNamesTheAgentEntryPoints() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.connectx.agent.ConnectxAgent", main.getValue("Premain-Class"));
            assertEquals("io.connectx.agent.ConnectxAgent", main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
        }
    }

    @Test
    void anAppStartedWithTheAgentPrintsNothingExtra() throws Exception {
        ChildJvm.Result result = new ChildJvm().agent(null).args("-cp", ChildJvm.TEST_CLASSES.toString(),
                QuietApp.class.getName()).run();
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("hello\n", result.stdout());
        assertEquals("", result.stderr().lines().filter(l -> !l.startsWith("WARNING:")).reduce("", String::concat),
                "only the JVM's own native-access warnings (JDK 24+) may appear");
    }

    /** Prints one line; the agent must add nothing to stdout. */
    public static final class QuietApp {
        public static void main(String[] args) throws Exception {
            try (java.net.Socket ignored = new java.net.Socket()) {
                System.out.println("hello");
            }
        }
    }
}
