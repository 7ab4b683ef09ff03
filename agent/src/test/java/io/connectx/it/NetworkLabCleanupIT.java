package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Case 8 of issue 12: a lab whose set-up fails (here nft is missing from PATH) leaves no network namespace
 * behind.
 */
@ExtendWith(FastOpenSysctl.class)
class NetworkLabCleanupIT {

    @Test
    void aLabWhoseSetUpFailsLeavesNoNamespaceBehind() throws Exception {
        Path bin = Files.createTempDirectory("connectx-no-nft");
        try {
            for (String tool : List.of("ip", "sh", "cat")) {
                Files.createSymbolicLink(bin.resolve(tool), which(tool));
            }
            ChildJvm.Result r = new ChildJvm().env("PATH", bin.toString())
                    .args("-cp", ChildJvm.TEST_CLASSES.toString(), NetworkLabProbe.class.getName()).run();
            String pid = r.lines("pid=").get(0).substring(4);
            assertTrue(r.stdout().contains("failed "), "set-up must fail without nft: " + r.stdout() + r.stderr());
            String left = exec("ip", "netns", "list");
            assertTrue(left.lines().noneMatch(l -> l.startsWith("connectx-it-" + pid + "-")), "left behind:\n" + left);
        } finally {
            try (var files = Files.list(bin)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(bin);
        }
    }

    private static Path which(String tool) throws Exception {
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toRealPath();
            }
        }
        throw new AssertionError(tool + " not on PATH");
    }

    private static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        return out;
    }
}
