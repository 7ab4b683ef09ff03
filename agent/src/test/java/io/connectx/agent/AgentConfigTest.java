package io.connectx.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {
    /** TEST-NET-1 (RFC 5737): not this host's, so {@code *} admits it (it leaves loopback and own addresses out). */
    private static final InetAddress ADDR = testNet();

    private static InetAddress testNet() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void withoutAnySettingTheTlsPortsAreAdmittedAndNoListener() throws Exception {
        AgentConfig config = AgentConfig.resolve(null, props(), Map.of());
        assertTrue(config.destinations().admits(ADDR, 443));
        assertTrue(config.destinations().admits(ADDR, 8443));
        assertEquals(false, config.destinations().admits(ADDR, 80));
        assertTrue(config.listeners().isEmpty());
        assertEquals(256, config.queueLength());
    }

    @Test
    void agentArgumentBeatsSystemPropertyBeatsEnvironment() throws Exception {
        Map<String, String> env = Map.of("CONNECTX_DEST", "*:3", "CONNECTX_LISTEN", "7", "CONNECTX_LISTEN_QLEN", "5");
        AgentConfig fromEnv = AgentConfig.resolve(null, props(), env);
        assertTrue(fromEnv.destinations().admits(ADDR, 3));
        assertTrue(fromEnv.listeners().admits(7));
        assertEquals(5, fromEnv.queueLength());

        AgentConfig fromProperty = AgentConfig.resolve(null, props("connectx.dest", "*:2"), env);
        assertTrue(fromProperty.destinations().admits(ADDR, 2));
        assertEquals(false, fromProperty.destinations().admits(ADDR, 3));

        AgentConfig fromArgument = AgentConfig.resolve("dest=*:1", props("connectx.dest", "*:2"), env);
        assertTrue(fromArgument.destinations().admits(ADDR, 1));
        assertEquals(false, fromArgument.destinations().admits(ADDR, 2));
        assertTrue(fromArgument.listeners().admits(7), "keys not in the argument still come from elsewhere");
    }

    @Test
    void theKeyFileIsOnlyAPathUntilTheListenersNeedIt() throws Exception {
        assertEquals(null, AgentConfig.resolve("listen=80", props(), Map.of()).keyFile());
        assertEquals(java.nio.file.Path.of("/etc/connectx/tfo.key"),
                AgentConfig.resolve("listen=80;listen.keyfile=/etc/connectx/tfo.key", props(), Map.of()).keyFile());
        assertEquals(java.nio.file.Path.of("/run/tfo.key"),
                AgentConfig.resolve("listen=80", props(), Map.of("CONNECTX_LISTEN_KEYFILE", "/run/tfo.key")).keyFile());
        assertEquals(java.nio.file.Path.of("/missing/is/fine/here"),
                AgentConfig.resolve("listen.keyfile=/missing/is/fine/here;listen=80", props(), Map.of()).keyFile(),
                "a file that cannot be read costs the listeners their own key, never the configuration");
        AgentConfig.ConfigException nul = assertThrows(AgentConfig.ConfigException.class,
                () -> AgentConfig.resolve("listen=80", props("connectx.listen.keyfile", "a\u0000b"), Map.of()));
        assertTrue(nul.getMessage().startsWith("bad listen.keyfile"), nul.getMessage());
    }

    @Test
    void severalKeysAndATrailingSeparator() throws Exception {
        AgentConfig config = AgentConfig.resolve("dest=*:8080,[::1]:9;listen=8080;listen.qlen=16;", props(), Map.of());
        assertTrue(config.destinations().admits(ADDR, 8080));
        assertTrue(config.listeners().admits(8080));
        assertEquals(16, config.queueLength());
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        "''                      | empty agent argument",
        "' '                     | empty agent argument",
        "dest                    | 'dest'",
        "destination=*:443       | 'destination'",
        "dest=                   | 'dest'",
        "dest=*:443;dest=*:80    | 'dest' given twice",
        "dest=*:443;;listen=80   | ''",
        "dest=10.0.0.0/40:443    | '/40'",
        "dest=*:70000            | '70000'",
        "dest=my.host:443        | 'my.host'",
        "listen=http             | 'http'",
        "listen.qlen=-1          | '-1'",
        "first=sometimes         | 'sometimes'",
        "summary=yes             | 'yes'",
        "log=loud                | 'loud'",
    })
    void badArgumentsNameTheTokenAndWhatWasExpected(String args, String named) {
        AgentConfig.ConfigException e = assertThrows(AgentConfig.ConfigException.class,
                () -> AgentConfig.resolve(args, props(), Map.of()));
        assertTrue(e.getMessage().contains(named), e.getMessage());
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void everySettingHasItsThreeForms() throws Exception {
        for (Setting setting : Setting.values()) {
            assertEquals("connectx." + setting.key(), setting.propertyName());
            assertTrue(setting.envName().startsWith("CONNECTX_"), setting.envName());
        }
        assertEquals("CONNECTX_LISTEN_QLEN", Setting.LISTEN_QLEN.envName());
        AgentConfig config = AgentConfig.resolve("summary=true", props("connectx.log", "debug"), Map.of("CONNECTX_FIRST", "never"));
        assertTrue(config.summary());
        assertEquals(io.connectx.provider.ConnectxLog.Level.DEBUG, config.log());
        assertEquals(io.connectx.provider.FirstWritePolicy.NEVER, config.firstWrite());
    }

    @Test
    void hugeArgumentIsRefused() {
        String huge = "dest=" + "*:443,".repeat(20000) + "*:443";
        AgentConfig.ConfigException e = assertThrows(AgentConfig.ConfigException.class,
                () -> AgentConfig.resolve(huge, props(), Map.of()));
        assertTrue(e.getMessage().contains("expected at most"), e.getMessage());
    }

    @Test
    void badSystemPropertyIsRefusedToo() {
        assertThrows(AgentConfig.ConfigException.class,
                () -> AgentConfig.resolve(null, props("connectx.dest", "nope"), Map.of()));
    }
}
