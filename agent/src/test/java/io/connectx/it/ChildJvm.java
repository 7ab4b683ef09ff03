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
    /**
     * The probes' class path: the test classes, and the classes they read TCP_INFO with (connectx-native,
     * connectx-provider, JNA). The agent jar's own copies are out of the application's reach.
     */
    public static final String PROBE_CLASS_PATH = TEST_CLASSES + java.io.File.pathSeparator
            + System.getProperty("connectx.probe.libs", "");
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
        this(List.of());
    }

    /** A JVM started through {@code prefix}, for example {@code ip netns exec NAME}. */
    public ChildJvm(List<String> prefix) {
        command.addAll(prefix);
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
        return run(120);
    }

    /** Runs to completion, at most {@code timeoutSeconds}. */
    public Result run(int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Path out = Files.createTempFile("child", ".out");
        Path err = Files.createTempFile("child", ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child JVM timed out: " + command);
        }
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    /** Starts in the background and waits, at most 30 s, for a stdout line starting with {@code readyPrefix}. */
    public Running start(String readyPrefix) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Path err = Files.createTempFile("child", ".err");
        builder.redirectError(err.toFile());
        Running running = new Running(builder.start(), err, toString());
        running.awaitLine(readyPrefix, 30);
        return running;
    }

    /** A child JVM running in the background; its stdout is collected line by line. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path stderr;
        private final String command;
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        Running(Process process, Path stderr, String command) {
            this.process = process;
            this.stderr = stderr;
            this.command = command;
            this.reader = new Thread(() -> {
                try (java.io.BufferedReader in = process.inputReader(StandardCharsets.UTF_8)) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "child-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits at most {@code seconds} for a line starting with {@code prefix}; fails with all output otherwise. */
        public String awaitLine(String prefix, int seconds) throws InterruptedException, IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (lines) {
                while (System.nanoTime() < deadline) {
                    for (String line : lines) {
                        if (line.startsWith(prefix)) {
                            return line;
                        }
                    }
                    if (!process.isAlive() && !reader.isAlive()) {
                        break;
                    }
                    lines.wait(100);
                }
            }
            throw new AssertionError("no line '" + prefix + "' from child within " + seconds + " s\n" + this);
        }

        public long pid() {
            return process.pid();
        }

        public List<String> lines(String prefix) {
            synchronized (lines) {
                return lines.stream().filter(l -> l.startsWith(prefix)).toList();
            }
        }

        public String stderr() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }

        /** Waits at most 30 s for the child to exit by itself; returns its exit code. */
        public int awaitExit() throws InterruptedException {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("child did not exit within 30 s: " + command);
            }
            reader.join(5000);
            return process.exitValue();
        }

        /** Asks the child to exit (SIGTERM, so shutdown hooks run), waits, and returns its stderr. */
        public String stop() throws IOException, InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            return stderr();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            reader.join(5000);
            Files.deleteIfExists(stderr);
        }

        @Override
        public String toString() {
            String err;
            try {
                err = stderr();
            } catch (IOException e) {
                err = e.toString();
            }
            synchronized (lines) {
                return "command: " + command + "\nstdout:\n" + String.join("\n", lines) + "\nstderr:\n" + err;
            }
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }
}
