package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What a platform team checks before adopting the agent jar, read from the built artifacts: the NOTICE
 * names everything the shade plugin bundles (its artifactSet includes in this module's pom.xml), with the
 * version the build resolved (from the SBOM); every licence text it cites is in the jar; the bundled jars'
 * own attributions are carried over; and the SBOM, sources and javadoc jars lie beside the jar.
 */
class ReleaseArtifactsIT {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path TARGET = ChildJvm.AGENT_JAR.toAbsolutePath().getParent();
    private static final Path SBOM = TARGET.resolve("connectx-agent.cdx.json");
    private static final String OWN_GROUP = "io.connectx";

    @Test
    void theNoticeNamesEveryBundledArtifactWithTheVersionInTheJar() throws Exception {
        String notice = entry("META-INF/NOTICE");
        Map<String, Map<String, Object>> sbom = sbomComponents();
        List<String> bundled = shadedArtifacts();
        assertFalse(bundled.isEmpty(), "the shade plugin's includes were found in " + MODULE.resolve("pom.xml"));
        for (String artifact : bundled) {
            Map<String, Object> component = sbom.get(artifact);
            assertNotNull(component, "the SBOM lists " + artifact + ": " + sbom.keySet());
            String named = artifact.startsWith(OWN_GROUP + ":") ? artifact : artifact + ":" + component.get("version");
            assertTrue(notice.contains(named), "META-INF/NOTICE names " + named + "\n" + notice);
        }
    }

    @Test
    void theJarCarriesTheRootLicenceAndNotice() throws Exception {
        Path root = MODULE.toAbsolutePath().getParent();
        assertEquals(Files.readString(root.resolve("NOTICE")), entry("META-INF/NOTICE"));
        assertEquals(Files.readString(root.resolve("LICENSE")), entry("META-INF/LICENSE"));
        assertTrue(entry("META-INF/LICENSE").contains("Apache License\n                           Version 2.0, January 2004"));
    }

    @Test
    void everyLicenceTextTheNoticeCitesIsInTheJar() throws Exception {
        Matcher cited = Pattern.compile("META-INF/[A-Za-z0-9._/-]*[A-Za-z0-9]").matcher(entry("META-INF/NOTICE"));
        TreeSet<String> paths = new TreeSet<>();
        while (cited.find()) {
            paths.add(cited.group());
        }
        assertEquals(new TreeSet<>(List.of("META-INF/AL2.0", "META-INF/LGPL2.1", "META-INF/LICENSE",
                "META-INF/licenses/ASM", "META-INF/licenses/libffi")), paths);
        for (String path : paths) {
            assertTrue(entry(path).length() > 1000, path + " holds a licence text");
        }
        assertTrue(entry("META-INF/licenses/ASM").contains("Redistributions in binary form must reproduce"));
        assertTrue(entry("META-INF/LGPL2.1").contains("GNU LESSER GENERAL PUBLIC LICENSE"));
    }

    /**
     * The bundled jars' own attributions (Apache-2.0 section 4(d)): the copyright lines of each one's NOTICE,
     * and what its LICENSE says it bundles (Byte Buddy: ASM), appear in connectx's NOTICE word for word.
     */
    @Test
    void theBundledJarsOwnAttributionsAreCarriedOver() throws Exception {
        String notice = squeeze(entry("META-INF/NOTICE"));
        int checked = 0;
        for (String artifact : shadedArtifacts()) {
            if (artifact.startsWith(OWN_GROUP + ":")) {
                continue;
            }
            Path jar = classPathJar(artifact);
            try (JarFile bundled = new JarFile(jar.toFile())) {
                for (String line : attributions(bundled)) {
                    assertTrue(notice.contains(squeeze(line)), artifact + "'s attribution is carried over: " + line);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 2, "Byte Buddy's copyright and its ASM line at least: " + checked);
    }

    @Test
    void theSbomListsWhatTheJarBundlesWithVersionsAndLicences() throws Exception {
        Map<String, Object> bom = bom();
        assertEquals("CycloneDX", bom.get("bomFormat"));
        Map<?, ?> self = (Map<?, ?>) ((Map<?, ?>) bom.get("metadata")).get("component");
        assertEquals("pkg:maven/io.connectx/connectx-agent@" + System.getProperty("connectx.version") + "?type=jar",
                self.get("purl"));
        Map<String, Map<String, Object>> components = sbomComponents();
        for (String artifact : shadedArtifacts()) {
            Map<String, Object> component = components.get(artifact);
            assertNotNull(component, artifact);
            assertFalse(((String) component.get("version")).isBlank(), artifact);
            List<?> licences = (List<?>) component.get("licenses");
            assertTrue(licences != null && !licences.isEmpty(), artifact + " has a licence in the SBOM");
        }
        assertEquals(List.of("Apache-2.0"), licenceIds(components.get("net.bytebuddy:byte-buddy")));
        assertEquals(List.of("LGPL-2.1-or-later", "Apache-2.0"), licenceIds(components.get("net.java.dev.jna:jna")));
        assertEquals(List.of("Apache-2.0"), licenceIds(components.get("io.connectx:connectx-provider")));
    }

    @Test
    void sourcesAndJavadocJarsLieBesideTheAgentJar() throws Exception {
        try (JarFile sources = new JarFile(TARGET.resolve("connectx-agent-sources.jar").toFile());
                JarFile javadoc = new JarFile(TARGET.resolve("connectx-agent-javadoc.jar").toFile())) {
            assertNotNull(sources.getEntry("io/connectx/agent/cli/ConnectxMain.java"));
            assertNotNull(javadoc.getEntry("index.html"));
            assertNotNull(javadoc.getEntry("io/connectx/agent/cli/ConnectxMain.html"));
        }
    }

    /** {@code group:artifact} of every include in the shade plugin's artifactSet, in this module's pom.xml. */
    static List<String> shadedArtifacts() throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(MODULE.resolve("pom.xml").toFile());
        List<String> includes = new ArrayList<>();
        NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if (!"maven-shade-plugin".equals(text(plugin, "artifactId"))) {
                continue;
            }
            NodeList sets = plugin.getElementsByTagName("artifactSet");
            for (int s = 0; s < sets.getLength(); s++) {
                NodeList include = ((Element) sets.item(s)).getElementsByTagName("include");
                for (int n = 0; n < include.getLength(); n++) {
                    String artifact = include.item(n).getTextContent().trim();
                    assertTrue(artifact.matches("[\\w.-]+:[\\w.-]+"), "an exact group:artifact, which this test can"
                            + " follow: " + artifact);
                    includes.add(artifact);
                }
            }
        }
        return includes;
    }

    private static String text(Element parent, String child) {
        NodeList nodes = parent.getElementsByTagName(child);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> bom() throws IOException {
        return (Map<String, Object>) Json.parse(Files.readString(SBOM));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> sbomComponents() throws IOException {
        Map<String, Map<String, Object>> byArtifact = new LinkedHashMap<>();
        for (Object c : (List<Object>) bom().get("components")) {
            Map<String, Object> component = (Map<String, Object>) c;
            byArtifact.put(component.get("group") + ":" + component.get("name"), component);
        }
        return byArtifact;
    }

    private static List<Object> licenceIds(Map<String, Object> component) {
        return ((List<?>) component.get("licenses")).stream().map(l -> ((Map<?, ?>) ((Map<?, ?>) l).get("license")).get("id"))
                .map(Object.class::cast).toList();
    }

    private static String entry(String name) throws IOException {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            ZipEntry entry = jar.getEntry(name);
            assertNotNull(entry, name + " in " + ChildJvm.AGENT_JAR);
            try (InputStream in = jar.getInputStream(entry)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    /** The dependency's jar on this test's class path, where Maven put it: .../GROUP/PATH/ARTIFACT/VERSION/ARTIFACT-VERSION.jar. */
    private static Path classPathJar(String artifact) {
        String[] ga = artifact.split(":");
        String dir = "/" + ga[0].replace('.', '/') + "/" + ga[1] + "/";
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String unix = entry.replace('\\', '/');
            if (unix.contains(dir) && unix.endsWith(".jar") && Path.of(entry).getFileName().toString().startsWith(ga[1] + "-")) {
                return Path.of(entry);
            }
        }
        throw new AssertionError(artifact + " is not on the test class path: " + System.getProperty("java.class.path"));
    }

    /** Copyright lines of the jar's META-INF/NOTICE, and the "This product bundles" sentence of its META-INF/LICENSE. */
    private static List<String> attributions(JarFile jar) throws IOException {
        List<String> lines = new ArrayList<>();
        ZipEntry notice = jar.getEntry("META-INF/NOTICE");
        if (notice != null) {
            try (InputStream in = jar.getInputStream(notice)) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("copyright")).forEach(lines::add);
            }
        }
        ZipEntry licence = jar.getEntry("META-INF/LICENSE");
        if (licence != null) {
            try (InputStream in = jar.getInputStream(licence)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Matcher bundles = Pattern.compile("This product bundles[^\\n]*(\\n[^\\n]+)*").matcher(text);
                while (bundles.find()) {
                    lines.add(bundles.group());
                }
            }
        }
        return lines;
    }

    private static String squeeze(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
