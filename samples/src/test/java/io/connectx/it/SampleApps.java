package io.connectx.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the sample applications are, for a child JVM's class path. */
final class SampleApps {
    static final Path DIR = Path.of(System.getProperty("connectx.samples.dir", "target"));

    private SampleApps() {
    }

    /** The samples jar and its runtime dependencies, as the samples build wrote them down. */
    static String classPath() throws IOException {
        return DIR.resolve("connectx-samples.jar") + File.pathSeparator
                + Files.readString(DIR.resolve("runtime-classpath.txt")).trim();
    }
}
