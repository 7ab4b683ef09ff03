package io.connectx.it;

/** Runs in a child JVM: prints its pid, then creates and closes a {@link NetworkLab}, printing how that went. */
public final class NetworkLabProbe {
    private NetworkLabProbe() {
    }

    public static void main(String[] args) {
        System.out.println("pid=" + ProcessHandle.current().pid());
        try (NetworkLab lab = NetworkLab.create()) {
            System.out.println("created");
        } catch (Exception e) {
            System.out.println("failed " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
