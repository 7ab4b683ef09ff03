package io.connectx.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.it.FastOpenTestServer.Accepted;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which natives the Linux connect path runs on, in a child JVM with the real agent jar and an application
 * that has no JNA of its own: the JDK's own by default, JNA when {@code -Dconnectx.test.natives=jna} refuses
 * them. Each run makes admitted connections that must carry SYN data (the server's TCP_INFO), and one
 * read-first connection whose SYN the agent must send (the zero-byte send).
 */
@ExtendWith(FastOpenSysctl.class)
class JdkNativesIT {
    private static final int COUNT = 4;

    @Test
    void byDefaultTheConnectPathRunsOnTheJdksNativesAndJnaIsNeverLoaded() throws Exception {
        Run run = run();
        assertEquals("", run.result.stderr(), "nothing printed, on JDK 24+ too\n" + run);
        List<String> jna = run.jnaClasses();
        assertEquals(List.of(), jna, "JNA classes the agent loaded\n" + run);
    }

    @Test
    void withJnaUnusableTheConnectPathStillCarriesSynDataAndSaysNothing() throws Exception {
        Run run = run(OperabilityIT.JNA_UNLOADABLE.toArray(new String[0]));
        assertEquals("", run.result.stderr(), run.toString());
        assertEquals(List.of(), run.jnaClasses(), run.toString());
    }

    @Test
    void withTheJdkNativesRefusedTheConnectPathRunsOnJnaAndStillCarriesSynData() throws Exception {
        Run run = run("-Dconnectx.test.natives=jna");
        assertTrue(run.jnaClasses().contains("com.sun.jna.Native"), "JNA bound for the connect path\n" + run);
        assertTrue(run.result.stderr().lines().noneMatch(l -> l.startsWith("connectx:")), "no line of the agent\n" + run);
    }

    private static Run run(String... extraArgs) throws Exception {
        String host = FastOpenSysctl.freshHost();
        Path classLog = Files.createTempFile("class-load", ".log");
        try (FastOpenTestServer server = FastOpenTestServer.start(host);
                FastOpenTestServer greeter = FastOpenTestServer.start(host, FastOpenTestServer.Behaviour.GREET)) {
            ChildJvm child = new ChildJvm().agent("dest=" + host + ":*;first=always")
                    .args("-Xlog:class+load=info:file=" + classLog);
            child.args(extraArgs);
            child.args("-cp", ChildJvm.TEST_CLASSES.toString(), ConnectingApp.class.getName(), host,
                    String.valueOf(server.port()), String.valueOf(greeter.port()), String.valueOf(COUNT));
            ChildJvm.Result result = child.run();
            List<Accepted> accepted = server.accepted(result.exitCode() == 0 ? COUNT : 0);
            List<Accepted> greeted = greeter.accepted(result.exitCode() == 0 ? 1 : 0);
            Run run = new Run(child.toString(), result, accepted, greeted, Files.readAllLines(classLog));
            assertEquals(0, result.exitCode(), run.toString());
            List<Boolean> expected = new ArrayList<>(List.of(false));
            for (int i = 1; i < COUNT; i++) {
                expected.add(true);
            }
            assertEquals(expected, accepted.stream().map(Accepted::synData).toList(), "server TCP_INFO\n" + run);
            assertEquals(List.of("ok"), result.lines("greet ").stream().map(l -> l.substring(6)).toList(),
                    "the read-first connection was answered: its SYN was sent\n" + run);
            assertEquals(1, greeted.size(), run.toString());
            return run;
        } finally {
            Files.deleteIfExists(classLog);
        }
    }

    private record Run(String command, ChildJvm.Result result, List<Accepted> accepted, List<Accepted> greeted,
            List<String> classLoads) {
        /** The JNA classes loaded, by name: the application has none, so these are the agent's. */
        List<String> jnaClasses() {
            return classLoads.stream().filter(l -> l.contains(" com.sun.jna."))
                    .map(l -> l.substring(l.indexOf(" com.sun.jna.") + 1).split(" ")[0]).toList();
        }

        @Override
        public String toString() {
            return "command: " + command + "\nexit " + result.exitCode() + "\nstdout:\n" + result.stdout() + "stderr:\n"
                    + result.stderr() + "server: " + accepted + "\ngreeter: " + greeted;
        }
    }

    /** java.net.Socket connections, PING/PONG, then one connection to a server that speaks first. */
    public static final class ConnectingApp {
        public static void main(String[] args) throws Exception {
            String host = args[0];
            int port = Integer.parseInt(args[1]);
            int greetPort = Integer.parseInt(args[2]);
            int count = Integer.parseInt(args[3]);
            for (int i = 0; i < count; i++) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port));
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(("PING " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    String reply = line(socket.getInputStream());
                    System.out.println("conn " + i + " " + (reply.equals("PONG " + i) ? "ok" : "bad " + reply));
                }
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, greetPort));
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                String hello = line(in);
                out.write("x\n".getBytes(StandardCharsets.UTF_8));
                String echo = line(in);
                System.out.println("greet " + (hello.equals("HELLO") && echo.equals("ECHO x") ? "ok" : "bad " + hello + "/" + echo));
            }
        }

        private static String line(InputStream in) throws java.io.IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\n' && line.length() < 1000; b = in.read()) {
                line.append((char) b);
            }
            return line.toString();
        }
    }
}
