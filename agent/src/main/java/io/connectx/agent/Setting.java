package io.connectx.agent;

import io.connectx.provider.DestinationPolicy;
import io.connectx.provider.ListenPolicy;
import java.util.Locale;

/**
 * Every key the agent takes, with its default and meaning: the one list that parsing, {@code help} and
 * the README follow. Each is given as an agent argument ({@code key=value;...}), a system property
 * ({@code -Dconnectx.KEY}) or an environment variable ({@code CONNECTX_KEY}, dots as underscores), the
 * first found winning.
 */
public enum Setting {
    DEST("dest", DestinationPolicy.DEFAULT_SPEC, "destinations whose connections use Fast Open: HOST:PORT,... where HOST is *,"
            + " an IPv4 address, [IPv6] or a CIDR block, and PORT a number or *; * leaves out loopback and this host's"
            + " own addresses, where Fast Open saves nothing: name them (127.0.0.1:*, [::1]:*) to admit them"),
    FIRST("first", "auto", "which first writes ride in the SYN: auto (TLS ClientHello, HTTP GET/HEAD/OPTIONS),"
            + " always or never"),
    LISTEN("listen", "(none)", "listening ports that accept Fast Open: PORT,... or *"),
    LISTEN_QLEN("listen.qlen", String.valueOf(ListenPolicy.DEFAULT_QUEUE_LENGTH),
            "queue of pending Fast Open requests per listener"),
    LISTEN_KEYFILE("listen.keyfile", "(none)", "file holding the listeners' own Fast Open key, shared by every server"
            + " behind one address: 32 hex digits (or 8-8-8-8), or PRIMARY,BACKUP; re-read by each attach;"
            + " none: the namespace's key"),
    SUMMARY("summary", "false", "true: print one line of counters at JVM exit"),
    LOG("log", "warn", "debug, info, warn or off; runtime messages go through System.Logger"),
    PLATFORM("platform", "(the OS's)", "test setting: darwin runs the Darwin path (connectx(2)) whatever the OS,"
            + " linux the Linux path", true),
    DARWIN_LIBRARY("darwin.library", "(libSystem)", "test setting: PATH of a library with Darwin's ABI that the Darwin"
            + " path binds instead of libSystem: native/target/xnu-model/libxnu-model.so (the xnu model)", true);

    private final String key;
    private final String defaultValue;
    private final String meaning;
    /** For tests only: listed apart by {@code help}. */
    private final boolean forTests;

    Setting(String key, String defaultValue, String meaning) {
        this(key, defaultValue, meaning, false);
    }

    Setting(String key, String defaultValue, String meaning, boolean forTests) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.meaning = meaning;
        this.forTests = forTests;
    }

    public boolean forTests() {
        return forTests;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String meaning() {
        return meaning;
    }

    public String propertyName() {
        return "connectx." + key;
    }

    public String envName() {
        return "CONNECTX_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    static String keys() {
        StringBuilder keys = new StringBuilder();
        for (Setting s : values()) {
            keys.append(keys.length() == 0 ? "" : ", ").append(s.key);
        }
        return keys.toString();
    }
}
