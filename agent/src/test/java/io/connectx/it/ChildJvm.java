package io.connectx.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts a JVM as a user would, with the same java as the tests, and collects what it printed. */
public final class ChildJvm {
    public static final Path AGENT_JAR = Path.of(System.getProperty("connectx.agent.jar", "target/connectx-agent.jar"));
    public static final Path TEST_CLASSES = Path.of(System.getProperty("connectx.test.classes", "target/test-classes"));
    /** What the probe needs opened to read a socket's TCP_INFO, with or without an agent. */
    public static final List<String> OPENS = List.of(
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.net=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");

    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> lines(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    private final List<String> command = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();

    public ChildJvm() {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public ChildJvm agent(String args) {
        command.add("-javaagent:" + AGENT_JAR + (args == null ? "" : "=" + args));
        return this;
    }

    public ChildJvm args(String... args) {
        command.addAll(List.of(args));
        return this;
    }

    public ChildJvm args(List<String> args) {
        command.addAll(args);
        return this;
    }

    public ChildJvm env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Runs to completion, at most 120 s. */
    public Result run() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Path out = Files.createTempFile("child", ".out");
        Path err = Files.createTempFile("child", ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child JVM timed out: " + command);
        }
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }
}
