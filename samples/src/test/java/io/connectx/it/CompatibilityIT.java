package io.connectx.it;

import static io.connectx.it.SampleRuns.freePorts;
import static io.connectx.it.SampleRuns.mbean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connectx.sys.TcpExtCounters;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real-world compatibility suite behind {@code docs/compatibility.md}: unmodified applications on the
 * client libraries users run, each in a child JVM with the agent, against real servers started once for
 * the suite (Debian's nginx with {@code fastopen=256} over HTTP and HTTPS, redis-server, PostgreSQL,
 * MariaDB, and unmodified Java servers given Fast Open by the agent's {@code listen}: com.sun.net.httpserver,
 * Jetty, embedded Tomcat, Reactor Netty on epoll and on NIO). Each row checks
 * the replies on their content, with and without the agent; proves Fast Open from TCP_INFO and the kernel's
 * counters, or, for servers without Fast Open, that nothing changed; and is written to the table.
 */
@ExtendWith({FastOpenSysctl.class, MariaDbServer.class})
class CompatibilityIT {
    static final int COUNT = 5;
    static final String FIRST = "auto";
    static final long DEFERRED_GRACE_MILLIS = interestGraceMillis();
    static final CompatibilityTable TABLE = new CompatibilityTable();
    static final Path DOCS = Path.of(System.getProperty("connectx.docs.dir", "../docs"));
    static Properties libraries;
    static NginxServer nginx;
    static RedisServer redis;
    static PostgresServer postgres;
    static String javaHost;
    static int jdkServerPort;
    static int jettyPort;
    static int plainJdkServerPort;
    static int plainJettyPort;
    static int reactorServerPort;
    static int plainReactorServerPort;
    static int reactorNioServerPort;
    static int plainReactorNioServerPort;
    static int tomcatPort;
    static int plainTomcatPort;
    static final List<ChildJvm.Running> JAVA_SERVERS = new ArrayList<>();
    static int rowsDefined;

    /** What a row expects of Fast Open. */
    enum Expect {
        /** A Fast Open server: every connection carries its first write in the SYN. */
        SYN_DATA,
        /**
         * A Fast Open server, and a client on a Selector that asks for OP_READ before its first write. Where
         * that write comes later than the agent's grace (DeferredHandshakes.INTEREST_GRACE_MILLIS, for
         * example while a cold JVM loads its TLS or codec classes), the read-first trigger sends a plain SYN
         * and the write follows the handshake. Every other connection carries its first write in the SYN.
         */
        SYN_DATA_OR_READ_FIRST,
        /**
         * A server without Fast Open, whose address the client holds a cookie for (from another port): the
         * kernel defers the connect, the client's first write is not known replay-safe, so first=auto holds it
         * and sends a plain SYN first.
         */
        HELD,
        /** As {@link #HELD}, for a server that speaks first: the client's first read starts the handshake. */
        READ_FIRST,
        /** A server without Fast Open: the kernel asks for a cookie, gets none, and connects as before. */
        NO_COOKIE
    }

    record ClientRow(String client, String server, String mainClass, List<String> appArgs, int port,
                     List<String> jvmOptions, IntFunction<String> reply, Expect expect, String note, String cookieHost) {
        ClientRow(String client, String server, String mainClass, List<String> appArgs, int port,
                  List<String> jvmOptions, IntFunction<String> reply, Expect expect, String note) {
            this(client, server, mainClass, appArgs, port, jvmOptions, reply, expect, note, null);
        }

        /** The same row, run while the client holds a Fast Open cookie for {@code host}. */
        ClientRow withCookieFor(String host, Expect expected, String why) {
            return new ClientRow(client, server + " (client holds a cookie for its address)", mainClass, appArgs, port,
                    jvmOptions, reply, expected, why, host);
        }

        String name() {
            return client + " -> " + server;
        }
    }

    @BeforeAll
    static void startEveryServerOnce() throws Exception {
        libraries = samplesLibraryVersions();
        String webHost = FastOpenSysctl.freshHost();
        int[] web = freePorts(webHost, 2);
        nginx = NginxServer.start(webHost, web[0], web[1]);
        String dbHost = FastOpenSysctl.freshHost();
        int[] db = freePorts(dbHost, 2);
        redis = RedisServer.start(dbHost, db[0]);
        postgres = PostgresServer.start(dbHost, db[1]);
        javaHost = FastOpenSysctl.freshHost();
        int[] java = freePorts(javaHost, 10);
        jdkServerPort = java[0];
        jettyPort = java[1];
        plainJdkServerPort = java[2];
        plainJettyPort = java[3];
        reactorServerPort = java[4];
        plainReactorServerPort = java[5];
        reactorNioServerPort = java[6];
        plainReactorNioServerPort = java[7];
        tomcatPort = java[8];
        plainTomcatPort = java[9];
        JAVA_SERVERS.add(javaServer("io.connectx.samples.JdkHttpServerApp", jdkServerPort, true));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.JettyServerApp", jettyPort, true));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.JdkHttpServerApp", plainJdkServerPort, false));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.JettyServerApp", plainJettyPort, false));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.ReactorNettyServerApp", reactorServerPort, true));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.ReactorNettyServerApp", plainReactorServerPort, false));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.ReactorNettyNioServerApp", reactorNioServerPort, true));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.ReactorNettyNioServerApp", plainReactorNioServerPort, false));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.TomcatServerApp", tomcatPort, true));
        JAVA_SERVERS.add(javaServer("io.connectx.samples.TomcatServerApp", plainTomcatPort, false));
        // The first connection to an address fetches its cookie; fetch both now, so each row measures warm connects.
        fetchCookie(webHost, nginx.httpPort);
        fetchCookie(javaHost, jdkServerPort);
        // MariaDB listens on 127.0.0.1, which other tests may have a cookie for: its row measures a cold client.
        FastOpenSysctl.forgetCookie(MariaDbServer.HOST);
    }

    @AfterAll
    static void stopEveryServerAndWriteTheTable() throws Exception {
        for (ChildJvm.Running server : JAVA_SERVERS) {
            server.close();
        }
        for (LocalServer server : new LocalServer[] {nginx, redis, postgres}) {
            if (server != null) {
                server.close();
            }
        }
        if (rowsDefined > 0 && TABLE.size() == rowsDefined) {
            TABLE.write(DOCS, Runtime.version().feature());
            System.out.println("CompatibilityIT: wrote " + TABLE.size() + " rows for JDK " + Runtime.version().feature()
                    + " to " + DOCS.resolve("compatibility") + " and regenerated " + DOCS.resolve("compatibility.md"));
        } else {
            System.out.println("CompatibilityIT: ran " + TABLE.size() + " of " + rowsDefined + " rows; the table is left as it was");
        }
    }

    @TestFactory
    List<DynamicTest> everyRowAnswersCorrectlyAndProvesFastOpenOrThatNothingChanged() throws Exception {
        String jdk = "JDK " + Runtime.version().feature();
        String nginxVersion = "nginx " + LocalServer.packageVersion("nginx");
        String http = "http://" + nginx.host + ":" + nginx.httpPort;
        String https = "https://" + nginx.host + ":" + nginx.httpsPort;
        String nginxHttp = nginxVersion + ", http, listen fastopen=256";
        String nginxHttps = nginxVersion + ", https (certificate made by the suite), listen fastopen=256";
        String count = String.valueOf(COUNT);
        IntFunction<String> nginxReply = i -> "response " + i + " status=200 body=nginx /" + i;
        IntFunction<String> javaReply = i -> "response " + i + " status=200 body=hello " + i;
        IntFunction<String> queryReply = i -> "query " + i + " result=" + (i + 1);
        String get = "first=auto sends the GET in the SYN";
        String hello = "first=auto sends the TLS ClientHello in the SYN";
        String apache = "Apache HttpClient " + libraries.getProperty("httpclient5");
        String okhttp = "OkHttp " + libraries.getProperty("okhttp-jvm");
        String netty = "Netty " + libraries.getProperty("netty-codec-http") + " (NIO transport)";
        String jdkServer = "com.sun.net.httpserver (" + jdk + ") with the agent's listen";
        String jetty = "Jetty " + libraries.getProperty("jetty-server") + " with the agent's listen";
        String reactor = "Reactor Netty " + libraries.getProperty("reactor-netty-http");
        String reactorServer = reactor + " HttpServer (epoll transport) with the agent's listen";
        String reactorNioServer = reactor + " HttpServer (Netty's NIO transport, reactor.netty.native=false) with the agent's listen";
        String tomcat = "Tomcat " + libraries.getProperty("tomcat-embed-core") + " embedded (NIO connector) with the agent's listen";
        ClientRow jedis = new ClientRow("Jedis " + libraries.getProperty("jedis"),
                "redis-server " + LocalServer.packageVersion("redis-server"), "io.connectx.samples.JedisApp",
                List.of(redis.host, String.valueOf(redis.port), count), redis.port, List.of(),
                i -> "response " + i + " body=value " + i, Expect.NO_COOKIE, "the agent is harmless here");
        ClientRow pgjdbc = new ClientRow("PostgreSQL JDBC " + libraries.getProperty("postgresql"),
                "PostgreSQL " + LocalServer.packageVersion("postgresql-15"), "io.connectx.samples.JdbcQueryApp",
                List.of(postgres.jdbcUrl(), count), postgres.port, List.of(), queryReply, Expect.NO_COOKIE,
                "the agent is harmless here");
        ClientRow mariadb = new ClientRow("MariaDB Connector/J " + libraries.getProperty("mariadb-java-client"),
                "MariaDB " + LocalServer.packageVersion("mariadb-server"), "io.connectx.samples.JdbcQueryApp",
                List.of("jdbc:mariadb://" + MariaDbServer.HOST + ":" + MariaDbServer.PORT
                        + "/?user=connectx&password=connectx&connectTimeout=5000&socketTimeout=5000", count),
                MariaDbServer.PORT, List.of(), queryReply, Expect.NO_COOKIE, "the agent is harmless here");
        ClientRow lettuce = new ClientRow("Lettuce " + libraries.getProperty("lettuce-core") + " (epoll transport)",
                "redis-server " + LocalServer.packageVersion("redis-server"), "io.connectx.samples.LettuceApp",
                List.of(redis.host, String.valueOf(redis.port), count), redis.port, List.of(),
                i -> "response " + i + " body=value " + i, Expect.NO_COOKIE, "the agent is harmless here");
        List<ClientRow> rows = List.of(
                new ClientRow(jdk + " HttpClient", nginxHttp, "io.connectx.samples.JdkHttpClientApp", List.of(http, count),
                        nginx.httpPort, List.of(), nginxReply, Expect.SYN_DATA_OR_READ_FIRST, get),
                new ClientRow(jdk + " HttpURLConnection", nginxHttp, "io.connectx.samples.UrlConnectionApp", List.of(http, count),
                        nginx.httpPort, List.of(), nginxReply, Expect.SYN_DATA, get),
                new ClientRow(apache, nginxHttp, "io.connectx.samples.ApacheHttpClientApp", List.of(http, count),
                        nginx.httpPort, List.of(), nginxReply, Expect.SYN_DATA, get),
                new ClientRow(okhttp, nginxHttp, "io.connectx.samples.OkHttpApp", List.of(http, count),
                        nginx.httpPort, List.of(), nginxReply, Expect.SYN_DATA, get),
                new ClientRow(netty, nginxHttp, "io.connectx.samples.NettyHttpClientApp",
                        List.of(nginx.host, String.valueOf(nginx.httpPort), count), nginx.httpPort, List.of(), nginxReply,
                        Expect.SYN_DATA_OR_READ_FIRST, get),
                new ClientRow(reactor + " HttpClient (epoll transport)", nginxHttp, "io.connectx.samples.ReactorNettyClientApp",
                        List.of("get", nginx.host, String.valueOf(nginx.httpPort), count), nginx.httpPort, List.of(),
                        nginxReply, Expect.SYN_DATA_OR_READ_FIRST, get + " (Netty's epoll transport, through the agent's Netty hooks)"),
                new ClientRow("Vert.x " + libraries.getProperty("vertx-core") + " HttpClient (native transport preferred)",
                        nginxHttp, "io.connectx.samples.VertxHttpClientApp",
                        List.of(nginx.host, String.valueOf(nginx.httpPort), count), nginx.httpPort, List.of(), nginxReply,
                        Expect.SYN_DATA_OR_READ_FIRST, get + " (Netty's epoll transport, through the agent's Netty hooks)"),
                new ClientRow(jdk + " HttpClient", nginxHttps, "io.connectx.samples.JdkHttpClientApp", List.of(https, count),
                        nginx.httpsPort, nginx.trustOptions(), nginxReply, Expect.SYN_DATA_OR_READ_FIRST, hello),
                new ClientRow(jdk + " HttpsURLConnection", nginxHttps, "io.connectx.samples.UrlConnectionApp",
                        List.of(https, count), nginx.httpsPort, nginx.trustOptions(), nginxReply, Expect.SYN_DATA, hello),
                new ClientRow(apache, nginxHttps, "io.connectx.samples.ApacheHttpClientApp", List.of(https, count),
                        nginx.httpsPort, nginx.trustOptions(), nginxReply, Expect.SYN_DATA, hello),
                new ClientRow(okhttp, nginxHttps, "io.connectx.samples.OkHttpApp", List.of(https, count),
                        nginx.httpsPort, nginx.trustOptions(), nginxReply, Expect.SYN_DATA, hello),
                jedis, lettuce, pgjdbc, mariadb,
                new ClientRow(jdk + " HttpClient", jdkServer, "io.connectx.samples.JdkHttpClientApp",
                        List.of("http://" + javaHost + ":" + jdkServerPort, count), jdkServerPort, List.of(), javaReply,
                        Expect.SYN_DATA_OR_READ_FIRST, get + "; the server accepts it"),
                new ClientRow(jdk + " HttpClient", jetty, "io.connectx.samples.JdkHttpClientApp",
                        List.of("http://" + javaHost + ":" + jettyPort, count), jettyPort, List.of(), javaReply,
                        Expect.SYN_DATA_OR_READ_FIRST, get + "; the server accepts it"));
        List<ClientRow> all = new ArrayList<>(rows);
        // The harmless rows again, now with a cookie for the server's address: the kernel defers the connect.
        all.add(jedis.withCookieFor(redis.host, Expect.HELD, "first=auto holds the first write (a Redis command, not "
                + "known replay-safe) and sends a plain SYN first"));
        all.add(lettuce.withCookieFor(redis.host, Expect.HELD, "first=auto holds the first write (Lettuce's HELLO, not "
                + "known replay-safe) and sends a plain SYN first"));
        all.add(pgjdbc.withCookieFor(postgres.host, Expect.HELD, "first=auto holds the first write (the startup "
                + "message, not known replay-safe) and sends a plain SYN first"));
        all.add(mariadb.withCookieFor(MariaDbServer.HOST, Expect.READ_FIRST, "the server speaks first: the driver "
                + "reads before it writes, and that read starts the handshake (the agent's read-first trigger)"));
        List<DynamicTest> tests = new ArrayList<>();
        for (ClientRow row : all) {
            tests.add(DynamicTest.dynamicTest(row.name(), () -> recorded(row.client(), row.server(), () -> clientRow(row))));
        }
        String curl = "curl " + LocalServer.packageVersion("curl") + " --tcp-fastopen";
        tests.add(DynamicTest.dynamicTest(curl + " -> " + jdkServer,
                () -> recorded(curl, jdkServer, () -> curlRow(jdkServerPort, plainJdkServerPort))));
        tests.add(DynamicTest.dynamicTest(curl + " -> " + jetty,
                () -> recorded(curl, jetty, () -> curlRow(jettyPort, plainJettyPort))));
        tests.add(DynamicTest.dynamicTest(curl + " -> " + reactorServer,
                () -> recorded(curl, reactorServer, () -> curlRow(reactorServerPort, plainReactorServerPort))));
        tests.add(DynamicTest.dynamicTest(curl + " -> " + reactorNioServer,
                () -> recorded(curl, reactorNioServer, () -> curlRow(reactorNioServerPort, plainReactorNioServerPort))));
        tests.add(DynamicTest.dynamicTest(curl + " -> " + tomcat,
                () -> recorded(curl, tomcat, () -> curlRow(tomcatPort, plainTomcatPort))));
        rowsDefined = tests.size();
        return tests;
    }

    /** A row's measured outcome: what the requests did, the Fast Open proof, and the behaviour change. */
    record Outcome(String requests, String fastOpen, String behaviour) {
    }

    interface RowRun {
        Outcome run() throws Exception;
    }

    /** Runs a row and adds it to the table, as PASS or with the failure, which still fails the test. */
    private static void recorded(String client, String server, RowRun run) throws Exception {
        String jdk = Runtime.version().toString();
        try {
            Outcome o = run.run();
            TABLE.add(new CompatibilityTable.Row(client, server, jdk, FIRST, o.requests(), o.fastOpen(), o.behaviour(), "PASS"));
        } catch (Exception | AssertionError e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
            TABLE.add(new CompatibilityTable.Row(client, server, jdk, FIRST, "-", "-", "-", "FAIL: " + why));
            throw e;
        }
    }

    private static Outcome clientRow(ClientRow row) throws Exception {
        if (row.cookieHost() == null) {
            return measuredRow(row);
        }
        try {
            fetchCookieFromAnotherPort(row.cookieHost());
            return measuredRow(row);
        } finally {
            FastOpenSysctl.forgetCookie(row.cookieHost());
        }
    }

    private static Outcome measuredRow(ClientRow row) throws Exception {
        List<String> expected = IntStream.rangeClosed(1, COUNT).mapToObj(row.reply()).toList();
        ChildJvm.Result plain = measured(row, null);
        assertEquals(0, plain.exitCode(), "without the agent: " + plain.stdout() + plain.stderr());
        assertEquals(expected, replies(plain), "without the agent");

        TcpExtCounters before = TcpExtCounters.read();
        ChildJvm.Result withAgent = measured(row, "dest=127.0.0.0/8:" + row.port() + ";first=" + FIRST);
        TcpExtCounters after = TcpExtCounters.read();
        String output = withAgent.stdout() + withAgent.stderr();
        assertEquals(0, withAgent.exitCode(), "with the agent: " + output);
        assertEquals(expected, replies(withAgent), "with the agent: " + output);
        // The rows on Netty's native transport: their apps say which transport they run on.
        assertTrue(withAgent.lines("transport ").stream().allMatch("transport epoll=true"::equals), output);
        assertEquals(List.of(), withAgent.stderr().lines().filter(l -> l.startsWith("connectx:")).toList(),
                "the agent complained: " + output);
        Map<String, Long> mbean = mbean(withAgent);
        long connects = mbean.get("Connects");
        assertTrue(connects >= 1 && mbean.get("Admitted") == connects, "every connection admitted by dest: " + mbean);
        assertEquals(0, mbean.get("Errors"), "agent errors: " + mbean);

        long acked = mbean.get("SynDataAcked");
        long triggered = mbean.get("ReadFirstTriggers");
        long active = after.since(before, TcpExtCounters.ACTIVE);
        long passive = after.since(before, TcpExtCounters.PASSIVE);
        long cookieRequests = after.since(before, TcpExtCounters.COOKIE_REQUESTED);
        String connections = connects == 1 ? "1 connection" : connects + " connections";
        String requests = COUNT + "/" + COUNT + " correct, on " + connections;
        String behaviour = "none: the same " + COUNT + " replies as without the agent; " + row.note();
        String fastOpen;
        if (row.expect() == Expect.NO_COOKIE) {
            assertEquals(0, acked, "no SYN data to a server without Fast Open: " + mbean);
            assertEquals(0, mbean.get("Deferred"), "without a cookie no connect is deferred: " + mbean);
            assertTrue(cookieRequests >= connects, "each connect asked for a cookie: TcpExt CookieReqd +" + cookieRequests);
            return new Outcome(requests, "no, harmless: the server has no Fast Open; each connect asked for a cookie "
                    + "and got none (TcpExt TCPFastOpenCookieReqd +" + cookieRequests + "), so none was deferred and "
                    + "no SYN carried data (TCP_INFO SynDataAcked=0)", behaviour);
        }
        if (row.expect() == Expect.HELD || row.expect() == Expect.READ_FIRST) {
            long deferred = mbean.get("Deferred");
            long held = mbean.get("ReplayUnsafeHeld");
            assertEquals(0, acked, "no SYN data to a server without Fast Open: " + mbean);
            // The JVM's first connection to the server is never deferred: the agent has not seen it connect.
            assertEquals(connects - 1, deferred, "the cookie made the kernel defer every later connect: " + mbean);
            assertEquals(deferred, row.expect() == Expect.HELD ? held : triggered,
                    "every deferred connect had its first write held (or its read trigger the SYN): " + mbean);
            String how = row.expect() == Expect.HELD ? held + " first writes held (ReplayUnsafeHeld=" + held + ")"
                    : triggered + " handshakes started by the first read (ReadFirstTriggers=" + triggered + ")";
            return new Outcome(requests, "no, harmless: the server has no Fast Open; " + deferred + " of " + connects
                    + " connects deferred by the cookie, " + how + ", no SYN carried data (TCP_INFO SynDataAcked=0)",
                    behaviour);
        }
        // The JVM's first connection to the server is never deferred (the agent has not seen it connect), so
        // it sends its request after a plain handshake, whatever cookie another process cached.
        long deferrable = connects - 1;
        if (row.expect() == Expect.SYN_DATA) {
            assertEquals(deferrable, acked, "TCP_INFO: every later connection's SYN data acked: " + mbean);
        } else {
            assertEquals(deferrable, acked + triggered, "every later connection carried SYN data or was triggered: " + mbean);
            assertTrue(acked >= 1 || deferrable == 0, "TCP_INFO: no connection carried SYN data: " + mbean);
            if (triggered > 0) {
                behaviour += "; on " + triggered + " of " + connects + " connections the library waited for OP_READ "
                        + "longer than the agent's " + DEFERRED_GRACE_MILLIS + " ms grace before its first write, so "
                        + "the read-first trigger sent a plain SYN and the request followed the handshake";
            }
        }
        assertTrue(active >= acked && passive >= acked, "TcpExt Active +" + active + ", Passive +" + passive);
        fastOpen = (acked > 0 ? "yes: " : "no: ") + acked + "/" + connects + " connections carried their first write in the SYN"
                + " (the first of a JVM's connections to a server is never deferred; TCP_INFO "
                + "SynDataAcked=" + acked + "; TcpExt TCPFastOpenActive +" + active + ", TCPFastOpenPassive +" + passive + ")";
        return new Outcome(requests, fastOpen, behaviour);
    }

    /** curl's own Fast Open against a Java server with the agent's listen, and against the same server without it. */
    private static Outcome curlRow(int port, int plainPort) throws Exception {
        List<String> expected = IntStream.rangeClosed(1, COUNT).mapToObj(i -> "hello " + i).toList();
        assertEquals(expected, curlEach(plainPort), "the server without the agent");
        TcpExtCounters before = TcpExtCounters.read();
        List<String> bodies = curlEach(port);
        TcpExtCounters after = TcpExtCounters.read();
        assertEquals(expected, bodies, "the server with the agent");
        long active = after.since(before, TcpExtCounters.ACTIVE);
        long passive = after.since(before, TcpExtCounters.PASSIVE);
        assertTrue(active >= COUNT && passive >= COUNT, "TcpExt Active +" + active + ", Passive +" + passive);
        return new Outcome(COUNT + "/" + COUNT + " correct",
                "yes: the server accepted " + COUNT + "/" + COUNT + " requests in the SYN (TcpExt TCPFastOpenPassive +"
                        + passive + ", TCPFastOpenActive +" + active + ")",
                "none: the same " + COUNT + " replies as from the server without the agent");
    }

    private static List<String> curlEach(int port) throws IOException, InterruptedException {
        List<String> bodies = new ArrayList<>();
        for (int i = 1; i <= COUNT; i++) {
            bodies.add(curl("http://" + javaHost + ":" + port + "/" + i));
        }
        return bodies;
    }

    private static String curl(String url) throws IOException, InterruptedException {
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "5", "--tcp-fastopen", url)
                .redirectErrorStream(true).start();
        String body = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!curl.waitFor(10, TimeUnit.SECONDS)) {
            curl.destroyForcibly();
        }
        return body;
    }

    private static ChildJvm.Result measured(ClientRow row, String agentArgs) throws IOException, InterruptedException {
        ChildJvm jvm = new ChildJvm();
        if (agentArgs != null) {
            jvm.agent(agentArgs);
        }
        return jvm.args(row.jvmOptions()).args("-cp", samplesClassPath() + File.pathSeparator + ChildJvm.TEST_CLASSES,
                MeasuredMain.class.getName(), row.mainClass()).args(row.appArgs()).run();
    }

    /** The application's reply lines, without timings. */
    private static List<String> replies(ChildJvm.Result result) {
        return result.stdout().lines().filter(l -> l.startsWith("response ") || l.startsWith("query "))
                .map(l -> l.replaceAll(" elapsed-ms=\\d+", "")).toList();
    }

    private static ChildJvm.Running javaServer(String mainClass, int port, boolean agent)
            throws IOException, InterruptedException {
        ChildJvm jvm = new ChildJvm();
        if (agent) {
            jvm.agent("listen=" + port);
        }
        return jvm.args("-cp", samplesClassPath(), mainClass, javaHost, String.valueOf(port)).start("listening");
    }

    /** One plain {@code curl --tcp-fastopen}: a SYN with a cookie request, which a Fast Open server answers. */
    private static void fetchCookie(String host, int port) throws Exception {
        curl("http://" + host + ":" + port + "/cookie");
        String metrics = LocalServer.run(List.of("ip", "tcp_metrics", "show", host));
        assertTrue(metrics.contains("fo_cookie"), "no cookie cached for " + host + ": " + metrics);
    }

    /** Caches a cookie for {@code host} from a Fast Open server on another port, as ServerFirstPeerIT does. */
    private static void fetchCookieFromAnotherPort(String host) throws Exception {
        FastOpenSysctl.forgetCookie(host);
        try (FastOpenTestServer other = FastOpenTestServer.start(host)) {
            ChildJvm.Result warm = HandshakeSafetyIT.probe("get", host, other.port(), 2, "dest=127.0.0.0/8:" + other.port());
            assertEquals(0, warm.exitCode(), warm.stdout() + warm.stderr());
        }
        String metrics = LocalServer.run(List.of("ip", "tcp_metrics", "show", host));
        assertTrue(metrics.contains("fo_cookie"), "no cookie cached for " + host + ": " + metrics);
    }

    /** The agent's grace for a write after an OP_READ interest, as the table states it. */
    private static long interestGraceMillis() {
        try {
            java.lang.reflect.Field grace = io.connectx.provider.DeferredHandshakes.class.getDeclaredField("INTEREST_GRACE_MILLIS");
            grace.setAccessible(true);
            return grace.getLong(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static String samplesClassPath() throws IOException {
        return SampleApps.classPath();
    }

    /** The client library versions the samples build used, from its {@code compat-versions.properties}. */
    private static Properties samplesLibraryVersions() throws IOException {
        Path jar = SampleApps.DIR.resolve("connectx-samples.jar");
        Properties versions = new Properties();
        try (ZipFile zip = new ZipFile(jar.toFile());
                InputStream in = zip.getInputStream(zip.getEntry("compat-versions.properties"))) {
            versions.load(in);
        }
        return versions;
    }
}
