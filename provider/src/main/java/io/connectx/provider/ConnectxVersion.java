package io.connectx.provider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of connectx in this jar, as the build wrote it into {@code version.properties} (resource
 * filtering of the POM's version). A resource rather than the manifest's {@code Implementation-Version}:
 * it is found the same way whichever class loader loaded these classes and whichever jar holds them.
 */
public final class ConnectxVersion {
    static final String RESOURCE = "version.properties";
    private static final String VERSION = read();

    private ConnectxVersion() {
    }

    /** For example {@code 0.1.0}, or {@code 0.1.0-SNAPSHOT} between releases; {@code unknown} outside a built jar. */
    public static String current() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = ConnectxVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "").trim();
            // An unfiltered copy (an IDE that copies resources without Maven) still holds the placeholder.
            return version.isEmpty() || version.startsWith("${") ? "unknown" : version;
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
