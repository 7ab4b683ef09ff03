package io.connectx.agent;

import io.connectx.provider.DestinationPolicy;
import io.connectx.provider.FirstWritePolicy;
import io.connectx.provider.ListenPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings. Every key can be given three ways, first found wins: the agent argument
 * ({@code -javaagent:connectx-agent.jar=dest=*:8080;listen=8080}), a system property
 * ({@code -Dconnectx.dest=...}) and an environment variable ({@code CONNECTX_DEST}, dots becoming
 * underscores: {@code CONNECTX_LISTEN_QLEN}).
 */
public record AgentConfig(DestinationPolicy destinations, FirstWritePolicy firstWrite, ListenPolicy listeners,
        int queueLength) {
    public static final String DEST = "dest";
    public static final String FIRST = "first";
    public static final String LISTEN = "listen";
    public static final String LISTEN_QLEN = "listen.qlen";
    static final List<String> KEYS = List.of(DEST, FIRST, LISTEN, LISTEN_QLEN);
    /** Far beyond any real policy; a larger argument is a mistake (a file pasted in, say). */
    static final int MAX_ARGUMENT_LENGTH = 64 * 1024;

    /** Raised for any bad setting; the message names the token and what was expected. */
    public static final class ConfigException extends Exception {
        ConfigException(String message) {
            super(message);
        }
    }

    public static AgentConfig resolve(String agentArgs, Properties systemProperties, Map<String, String> env)
            throws ConfigException {
        Map<String, String> fromArgs = parseAgentArgs(agentArgs);
        Map<String, String> settings = new LinkedHashMap<>();
        for (String key : KEYS) {
            String value = fromArgs.get(key);
            if (value == null) {
                value = systemProperties.getProperty("connectx." + key);
            }
            if (value == null) {
                value = env.get(envName(key));
            }
            if (value != null) {
                settings.put(key, value);
            }
        }
        try {
            DestinationPolicy destinations = settings.containsKey(DEST)
                    ? DestinationPolicy.parse(settings.get(DEST)) : DestinationPolicy.defaults();
            FirstWritePolicy firstWrite = settings.containsKey(FIRST)
                    ? FirstWritePolicy.parse(settings.get(FIRST)) : FirstWritePolicy.AUTO;
            ListenPolicy listeners = settings.containsKey(LISTEN)
                    ? ListenPolicy.parse(settings.get(LISTEN)) : ListenPolicy.none();
            int queueLength = settings.containsKey(LISTEN_QLEN)
                    ? ListenPolicy.parseQueueLength(settings.get(LISTEN_QLEN)) : ListenPolicy.DEFAULT_QUEUE_LENGTH;
            return new AgentConfig(destinations, firstWrite, listeners, queueLength);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    static String envName(String key) {
        return "CONNECTX_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** {@code key=value} pairs separated by {@code ;}; one trailing {@code ;} is tolerated. */
    static Map<String, String> parseAgentArgs(String args) throws ConfigException {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (args == null) {
            return pairs;
        }
        if (args.isBlank()) {
            throw new ConfigException("empty agent argument: expected key=value pairs separated by ';', or no '=' after the jar");
        }
        if (args.length() > MAX_ARGUMENT_LENGTH) {
            throw new ConfigException("agent argument of " + args.length() + " characters: expected at most " + MAX_ARGUMENT_LENGTH);
        }
        String body = args.endsWith(";") ? args.substring(0, args.length() - 1) : args;
        for (String pair : body.split(";", -1)) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new ConfigException("bad agent argument '" + pair + "': expected key=value, keys: " + String.join(", ", KEYS));
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (!KEYS.contains(key)) {
                throw new ConfigException("unknown key '" + key + "': expected one of " + String.join(", ", KEYS));
            }
            if (value.isEmpty()) {
                throw new ConfigException("empty value for '" + key + "': expected " + key + "=VALUE");
            }
            if (pairs.put(key, value) != null) {
                throw new ConfigException("key '" + key + "' given twice: expected each key once");
            }
        }
        return pairs;
    }
}
