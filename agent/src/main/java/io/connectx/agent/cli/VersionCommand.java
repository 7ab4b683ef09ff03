package io.connectx.agent.cli;

import io.connectx.provider.ConnectxVersion;
import io.connectx.provider.FastOpenPlatforms;
import java.io.PrintStream;

/**
 * {@code java -jar connectx-agent.jar version}: the version of connectx, the JDK it runs on, and the
 * platform path the agent would take on this OS, without starting anything.
 */
final class VersionCommand {
    private VersionCommand() {
    }

    static int run(PrintStream out) {
        out.println("connectx " + ConnectxVersion.current());
        out.println("jdk       " + jdk());
        out.println("platform  " + platformPath(FastOpenPlatforms.current()) + " (" + System.getProperty("os.name")
                + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch") + ")");
        return 0;
    }

    /** One line for doctor's head and the logs: {@code connectx 0.1.0 on JDK 17.0.12+7 (Eclipse Adoptium), platform Linux}. */
    static String oneLine() {
        return "connectx " + ConnectxVersion.current() + " on JDK " + Runtime.version() + " ("
                + System.getProperty("java.vendor") + "), platform " + platformPath(FastOpenPlatforms.current());
    }

    static String jdk() {
        return Runtime.version() + " (" + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home");
    }

    /** The names the README uses for the three paths. */
    static String platformPath(FastOpenPlatforms.Kind kind) {
        return switch (kind) {
            case LINUX -> "Linux";
            case DARWIN -> "Darwin";
            case UNSUPPORTED -> "none";
        };
    }
}
