package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** Guards the packaging: what the shaded jar may hold, where, and what its manifest must say. */
class AgentJarIT {
    /** The JVM-wide SelectorProvider the agent installs, which the JDK loads through the system class loader. */
    private static final String PROVIDER = "io/connectx/provider/ConnectxSelectorProvider.class";
    private static final List<String> ALLOWED = List.of("io/connectx/entry/", PROVIDER, "connectx/", "META-INF/");
    private static final List<String> ENTRY_ATTRIBUTES = List.of("Premain-Class", "Agent-Class", "Main-Class",
            "Launcher-Agent-Class");

    @Test
    void holdsOnlyOurPackagesRelocatedByteBuddyAndJna() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            List<String> strays = jar.stream().map(e -> e.getName())
                    .filter(name -> !name.endsWith("/"))
                    .filter(name -> ALLOWED.stream().noneMatch(name::startsWith))
                    .toList();
            assertEquals(List.of(), strays);
            assertTrue(jar.getEntry("connectx/io/connectx/shaded/net/bytebuddy/jar/asm/ClassReader.classdata") != null,
                    "ByteBuddy's ASM relocated");
            assertTrue(jar.getEntry("connectx/io/connectx/shaded/net/bytebuddy/ByteBuddy.classdata") == null,
                    "only ByteBuddy's ASM is shipped");
            assertTrue(jar.getEntry("connectx/com/sun/jna/Native.classdata") != null, "JNA included, not relocated");
            assertTrue(jar.getEntry("connectx/com/sun/jna/linux-x86-64/libjnidispatch.so") != null, "JNA's native dispatch library");
            assertEquals(List.of(), jar.stream().map(e -> e.getName())
                    .filter(name -> name.startsWith("META-INF/versions/")).toList(), "no unrelocated versioned classes");
        }
    }

    /**
     * The application class loader sees the jar (it is on the class path) but finds only the entry points there,
     * and the SelectorProvider the JDK loads through it.
     */
    @Test
    void onlyTheEntryPointsAndTheSelectorProviderAreClassFilesTheApplicationLoaderCanFind() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            List<String> visible = jar.stream().map(e -> e.getName()).filter(name -> name.endsWith(".class")).toList();
            assertEquals(List.of(), visible.stream().filter(name -> !name.startsWith("io/connectx/entry/"))
                    .filter(name -> !name.equals(PROVIDER)).toList());
            assertTrue(visible.contains(PROVIDER), visible.toString());
            assertTrue(jar.getEntry("connectx/" + PROVIDER.replace(".class", ".classdata")) == null,
                    "one copy, the visible one: the agent itself never uses it");
            assertTrue(jar.getEntry("connectx/io/connectx/agent/AgentStarter.classdata") != null, "the agent's logic, hidden");
            assertEquals(List.of(), jar.stream().map(e -> e.getName()).filter(name -> name.startsWith("connectx/connectx/"))
                    .toList(), "isolated once, not again from a jar an earlier build left");
            assertTrue(jar.getEntry("connectx/sun/nio/ch/ConnectxSocketHookBridge.classdata") != null,
                    "the hook bridge, relocated into java.base's sun.nio.ch");
            assertTrue(jar.getEntry("connectx/sun/management/ConnectxPlatformServerBridge.classdata") != null,
                    "the platform-server bridge, relocated into java.management's sun.management");
        }
    }

    @Test
    void manifestNamesTheAgentEntryPoints() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.connectx.entry.AgentEntry", main.getValue("Premain-Class"));
            assertEquals("io.connectx.entry.AgentEntry", main.getValue("Agent-Class"));
            assertEquals("io.connectx.entry.MainEntry", main.getValue("Main-Class"));
            assertEquals("io.connectx.entry.LauncherEntry", main.getValue("Launcher-Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
        }
    }

    /**
     * Every class a JVM loads from the jar before the version check (the manifest's entry classes and what
     * they reach: the io.connectx.entry package, all of it) is class file 52, loadable by Java 8.
     */
    @Test
    void theEntryPointsAreJava8ClassFiles() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            List<String> entryClasses = jar.stream().map(e -> e.getName())
                    .filter(name -> name.startsWith("io/connectx/entry/") && name.endsWith(".class")).toList();
            for (String attribute : ENTRY_ATTRIBUTES) {
                String entry = main.getValue(attribute).replace('.', '/') + ".class";
                assertTrue(entryClasses.contains(entry), attribute + " " + entry + " is one of " + entryClasses);
            }
            assertTrue(entryClasses.size() >= 4, entryClasses.toString());
            for (String name : entryClasses) {
                assertEquals(52, classFileMajorVersion(jar, name), name);
            }
            assertEquals(61, classFileMajorVersion(jar, "connectx/io/connectx/agent/AgentStarter.classdata"),
                    "the agent itself is built for 17");
            assertEquals(61, classFileMajorVersion(jar, PROVIDER),
                    "built for 17: loaded only when the agent, past the version check, names it as the JVM's provider");
        }
    }

    private static int classFileMajorVersion(JarFile jar, String name) throws java.io.IOException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(jar.getInputStream(jar.getEntry(name)))) {
            assertEquals(0xCAFEBABE, in.readInt(), name);
            in.readUnsignedShort(); // minor
            return in.readUnsignedShort();
        }
    }

    @Test
    void anAppStartedWithTheAgentPrintsNothingExtra() throws Exception {
        ChildJvm.Result result = new ChildJvm().agent(null).args("-cp", ChildJvm.PROBE_CLASS_PATH,
                QuietApp.class.getName()).run();
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("hello\n", result.stdout());
        assertEquals("", result.stderr(), "nothing at all, on JDK 24+ too: JNA (whose native library makes the JVM"
                + " warn of a restricted method) is not loaded at start-up");
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
