package io.connectx.entry;

/**
 * The first thing every entry point asks. The agent's own code is built for Java 17; on an older JVM the
 * entry classes (class file 52, Java 8) say so in one line and load nothing else, so the application runs.
 */
final class JavaVersionGuard {
    static final String REFUSAL = "connectx: needs Java 17 or later; the application runs without it";
    static final int REQUIRED = 17;

    private JavaVersionGuard() {
    }

    static boolean supported() {
        return supports(System.getProperty("java.specification.version"));
    }

    /** {@code java.specification.version} is "1.8" up to Java 8, then "9", "11", "17"... */
    static boolean supports(String specificationVersion) {
        if (specificationVersion == null) {
            return false;
        }
        String major = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = major.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? major : major.substring(0, dot)) >= REQUIRED;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
