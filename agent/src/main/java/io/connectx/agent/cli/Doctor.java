package io.connectx.agent.cli;

import io.connectx.agent.AgentStarter;
import io.connectx.agent.weaving.SocketInstrumentation;
import io.connectx.provider.FastOpenCapability;
import io.connectx.provider.FastOpenPlatforms;
import io.connectx.provider.FastOpenSockets;
import io.connectx.provider.ListenerKeys;
import io.connectx.sys.FileDescriptors;
import io.connectx.sys.JdkSocketNatives;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@code doctor [HOST:PORT]}: one line per check, PASS, WARN or FAIL with the exact fix, then a real
 * probe: the agent's own logic started in this JVM, connections through the JDK's {@code Socket} to a
 * loopback listener, and SYN data proven from TCP_INFO on both ends. Exit status 0 when Fast Open
 * works end to end. The last line is {@code doctor: PASSED} or {@code doctor: FAILED}.
 */
final class Doctor {
    private static final int PROBE_CONNECTIONS = 3;
    private static final int TIMEOUT_MS = 3000;

    private final PrintStream out;
    private final FastOpenPlatforms.Kind platform = FastOpenPlatforms.current();
    private FastOpenCapability kernel;
    private boolean failed;

    Doctor(PrintStream out) {
        this.out = out;
    }

    int run(String target) {
        out.println(VersionCommand.oneLine());
        boolean os = checkOs();
        boolean client = kernel != null && checkSysctl();
        boolean server = kernel != null && kernel.isServerSideAvailable();
        boolean hooks = checkJdk();
        reportNetty();
        boolean jna = kernel != null && checkJna();
        boolean proven = false;
        if (os && hooks && jna && client) {
            InetSocketAddress peer = target == null ? null : parseTarget(target);
            if (target == null || peer != null) {
                if (startAgentLogic(peer)) {
                    if (platform == FastOpenPlatforms.Kind.LINUX) {
                        reportNatives(); // the Darwin path's connect is connectx(2) through JNA: nothing to choose
                    }
                    boolean loopback = server ? probeLoopback() : skipLoopback();
                    reportListenerKey(server);
                    proven = peer == null ? loopback : probePeer(peer) && (loopback || !server);
                }
            }
        } else {
            line("FAIL", "probe", "not run: the checks above must pass first");
        }
        boolean passed = proven && !failed;
        out.println("doctor: " + (passed ? "PASSED" : "FAILED"));
        return passed ? 0 : 1;
    }

    /** The OS and kernel, through this platform's {@link FastOpenCapability}: Linux 4.11+, or the Darwin path. */
    private boolean checkOs() {
        if (platform == FastOpenPlatforms.Kind.UNSUPPORTED) {
            line("FAIL", "os", System.getProperty("os.name") + " " + System.getProperty("os.version")
                    + ": this build supports Linux and macOS; fix: run on Linux 4.11 or later");
            return false;
        }
        kernel = FastOpenCapability.of(platform);
        if (!kernel.isKernelSupported()) {
            line("FAIL", "kernel", kernel.kernel());
            return false;
        }
        line("PASS", "os", kernel.kernel());
        return true;
    }

    /** Whether the client side is on; says both sides. */
    private boolean checkSysctl() {
        if (kernel.unavailabilityCause() != null) {
            line("FAIL", "sysctl", kernel.unavailabilityCause() + "; fix: a kernel built with TCP Fast Open");
            return false;
        }
        if (kernel.isClientSideAvailable()) {
            line("PASS", "client", kernel.clientSide());
        } else {
            line("FAIL", "client", kernel.clientSide() + "; " + fixSysctl());
        }
        if (kernel.isServerSideAvailable()) {
            line("PASS", "server", kernel.serverSide() + " (listen= works)");
        } else {
            line("WARN", "server", kernel.serverSide() + ": listen= and the loopback probe need it; " + fixSysctl());
        }
        return kernel.isClientSideAvailable();
    }

    private String fixSysctl() {
        return "fix: " + kernel.fix() + " (persist it in " + kernel.persistence() + ")";
    }

    /** Netty is in the application, not here: what the agent does with it is said, not checked. */
    private void reportNetty() {
        line("INFO", "netty", "Netty's epoll transport (4.1.100 to 4.2, shaded copies too) is hooked as it loads, in the"
                + " application's JVM: clients by dest/first, servers by listen; its NIO transport goes through the JDK hooks;"
                + " a copy whose shapes differ is left alone with one line; io_uring and kqueue run plain (docs/netty.md)");
    }

    private boolean checkJdk() {
        String jdk = "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
        try {
            SocketInstrumentation.requireHookPoints();
            line("PASS", "jdk", jdk + ": every hook point found");
            return true;
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            line("FAIL", "jdk", jdk + ": hook point missing, " + e + "; fix: run on JDK 17 to 25");
            return false;
        }
    }

    private boolean checkJna() {
        Throwable cause = kernel.nativeUnavailabilityCause();
        if (cause == null) {
            line("PASS", "jna", "JNA " + com.sun.jna.Native.VERSION + " bound " + kernel.nativeLibrary());
            return true;
        }
        line("FAIL", "jna", "JNA could not bind " + kernel.nativeLibrary() + ": " + cause
                + "; fix: a writable java.io.tmpdir (JNA unpacks its native library there)");
        return false;
    }

    private InetSocketAddress parseTarget(String target) {
        int colon = target.lastIndexOf(':');
        try {
            String host = target.substring(0, colon).replace("[", "").replace("]", "");
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(target.substring(colon + 1)));
        } catch (IOException | RuntimeException e) {
            line("FAIL", "peer", "bad HOST:PORT '" + target + "': " + e);
            return null;
        }
    }

    /** The agent's real logic, in this JVM: loopback admitted, every listener accepting Fast Open. */
    private boolean startAgentLogic(InetSocketAddress peer) {
        var inst = LauncherAgent.instrumentation();
        if (inst == null) {
            line("FAIL", "agent", "no Instrumentation; fix: run it as java -jar connectx-agent.jar doctor");
            return false;
        }
        String dest = "127.0.0.1:*" + (peer == null ? "" : "," + literal(peer.getAddress()) + ":" + peer.getPort());
        AgentStarter.start(inst, "dest=" + dest + ";first=auto;listen=*;log=off", false);
        if (!AgentStarter.isRunning()) {
            line("FAIL", "agent", "the agent's logic did not start in this JVM");
            return false;
        }
        line("PASS", "agent", "the agent's logic is active in this JVM (dest=" + dest + ";listen=*)");
        return true;
    }

    /**
     * Which natives the connect path runs on here. Asked only once the agent's logic has opened the JDK's
     * packages to it: {@link JdkSocketNatives} resolves once, and before that it would find them closed.
     */
    private void reportNatives() {
        if (JdkSocketNatives.isAvailable()) {
            line("PASS", "natives", "the connect path runs on the JDK's own natives (" + JdkSocketNatives.names().size()
                    + " members of sun.nio.ch found): no JNA at start-up, no native-access warning on JDK 24+");
        } else {
            line("WARN", "natives", "the connect path runs on JNA, not on the JDK's own natives: "
                    + JdkSocketNatives.unavailabilityCause() + "; JNA is bound at the first connect (on JDK 24+ the JVM"
                    + " then warns about its native access); fix: a JDK from 17 to 25, without -D"
                    + JdkSocketNatives.FORCE_PROPERTY + "=jna");
        }
    }

    /**
     * Which key listeners use: the namespace's, or their own from {@code listen.keyfile} (as -Dconnectx.listen.keyfile
     * or CONNECTX_LISTEN_KEYFILE gives it to doctor). Never the key itself.
     */
    private void reportListenerKey(boolean server) {
        FastOpenSockets sockets = FastOpenSockets.active();
        if (sockets == null) {
            return;
        }
        ListenerKeys keys = sockets.listenerKeys();
        if (!server) {
            line("WARN", "key", "not checked: listeners need the server bit 2; " + fixSysctl());
        } else if (keys.failure() != null || (keys.file() != null && !keys.ownKey())) {
            line("FAIL", "key", keys.describe() + "; fix: the file named, chmod 600, readable by the server's user");
        } else if (keys.ownKey()) {
            line("PASS", "key", keys.describe() + (sockets.stats().listenersKeyed() > 0
                    ? "; the loopback probe's listener held it" : ""));
        } else {
            line("PASS", "key", keys.describe() + "; servers that share an address (direct server return, anycast)"
                    + " need one key: set listen.keyfile");
        }
    }

    private boolean skipLoopback() {
        line("WARN", "loopback", "probe skipped: a loopback listener needs the server bit 2");
        return false;
    }

    /** Three GETs through java.net.Socket to a java.net.ServerSocket; TCP_INFO on both ends of each. */
    private boolean probeLoopback() {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<List<Boolean>> accepted = CompletableFuture.supplyAsync(() -> serve(server));
            List<Boolean> client = new ArrayList<>();
            for (int i = 0; i < PROBE_CONNECTIONS; i++) {
                try (Socket s = new Socket()) {
                    s.connect(server.getLocalSocketAddress(), TIMEOUT_MS);
                    s.setSoTimeout(TIMEOUT_MS);
                    s.getOutputStream().write("GET /connectx-doctor HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().readAllBytes();
                    client.add(synData(s));
                }
            }
            List<Boolean> serverSide = accepted.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long both = 0;
            for (int i = 0; i < PROBE_CONNECTIONS; i++) {
                both += client.get(i) && serverSide.get(i) ? 1 : 0;
            }
            String detail = both + "/" + PROBE_CONNECTIONS + " connections carried SYN data, acked by " + proofSource()
                    + " on both ends (client " + client + ", server " + serverSide + ")";
            if (client.get(PROBE_CONNECTIONS - 1) && serverSide.get(PROBE_CONNECTIONS - 1)) {
                line("PASS", "loopback", detail + (both < PROBE_CONNECTIONS ? "; the first fetched the cookie" : ""));
                return true;
            }
            line("FAIL", "loopback", detail + "; fix: check for a firewall rule on lo, and " + fixSysctl());
            return false;
        } catch (Exception e) {
            line("FAIL", "loopback", "probe failed: " + e);
            return false;
        }
    }

    private static List<Boolean> serve(ServerSocket server) {
        List<Boolean> synData = new ArrayList<>();
        try {
            for (int i = 0; i < PROBE_CONNECTIONS; i++) {
                try (Socket s = server.accept()) {
                    synData.add(synData(s));
                    s.setSoTimeout(TIMEOUT_MS);
                    readHeaders(s.getInputStream());
                    s.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return synData;
    }

    private static void readHeaders(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int i = 0; i < 8192 && matched < 4; i++) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    /**
     * Two connections to the peer, the first of which may fetch the cookie: does the second's SYN data get
     * acknowledged? The first write is a TLS ClientHello on 443 and 8443, an HTTP HEAD elsewhere: both
     * replay-safe.
     */
    private boolean probePeer(InetSocketAddress peer) {
        boolean acked = false;
        try {
            for (int i = 0; i < 2; i++) {
                acked = touch(peer);
            }
        } catch (Exception e) {
            line("FAIL", "peer", peer + ": cannot connect: " + e);
            return false;
        }
        if (acked) {
            line("PASS", "peer", peer + " acknowledged data in the SYN: it accepts TCP Fast Open");
            return true;
        }
        line("FAIL", "peer", peer + " did not acknowledge data in the SYN: the server (or a middlebox) does not take"
                + " TCP Fast Open; fix on the server: net.ipv4.tcp_fastopen=3 and TCP_FASTOPEN on its listener"
                + " (nginx: listen ... fastopen=256; a JVM: connectx listen=PORT)");
        return false;
    }

    private static boolean touch(InetSocketAddress peer) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(peer, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            try {
                if (peer.getPort() == 443 || peer.getPort() == 8443) {
                    SSLContext tls = SSLContext.getInstance("TLS");
                    tls.init(null, new TrustManager[] {new AnyCertificate()}, null);
                    SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(s, peer.getHostString(), peer.getPort(), false);
                    secure.startHandshake();
                } else {
                    s.getOutputStream().write(("HEAD / HTTP/1.0\r\nHost: " + peer.getHostString() + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read();
                }
            } catch (ConnectException | NoRouteToHostException e) {
                throw e; // a deferred connect's refusal arrives here, at the first I/O
            } catch (SocketTimeoutException e) {
                if ("Connect timed out".equals(e.getMessage())) {
                    throw e;
                }
            } catch (IOException answerIgnored) {
                // Whatever the peer answers, the SYN was acknowledged (or not) by then.
            }
            return synData(s);
        }
    }

    /** The per-connection proof, from this platform's TCP_INFO (Linux) or TCP_CONNECTION_INFO (Darwin). */
    private static boolean synData(Socket s) {
        return FastOpenPlatforms.of(FastOpenPlatforms.current()).synData(FileDescriptors.of(s));
    }

    private String proofSource() {
        return platform == FastOpenPlatforms.Kind.DARWIN ? "TCP_CONNECTION_INFO" : "TCP_INFO";
    }

    private static String literal(InetAddress address) {
        return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    }

    private void line(String verdict, String check, String detail) {
        failed |= verdict.equals("FAIL");
        out.printf("%-4s  %-8s  %s%n", verdict, check, detail);
    }

    /** The probe checks that the peer acknowledges SYN data, not who it is. */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
