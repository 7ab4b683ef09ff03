package io.connectx.agent;

import io.connectx.provider.ConnectxLog;
import io.connectx.provider.DestinationPolicy;
import io.connectx.provider.FastOpenPlatforms;
import io.connectx.provider.FirstWritePolicy;
import io.connectx.provider.ListenPolicy;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings, resolved from the three forms of each {@link Setting}: the agent argument
 * ({@code -javaagent:connectx-agent.jar=dest=*:8080;listen=8080}) first, then the system property
 * ({@code -Dconnectx.dest=...}), then the environment variable ({@code CONNECTX_DEST}).
 */
public record AgentConfig(DestinationPolicy destinations, FirstWritePolicy firstWrite, ListenPolicy listeners,
        int queueLength, Path keyFile, boolean summary, ConnectxLog.Level log, FastOpenPlatforms.Kind platform,
        Path darwinLibrary) {
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
        Map<Setting, String> fromArgs = parseAgentArgs(agentArgs);
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = fromArgs.get(setting);
            if (value == null) {
                value = systemProperties.getProperty(setting.propertyName());
            }
            if (value == null) {
                value = env.get(setting.envName());
            }
            if (value != null) {
                settings.put(setting, value);
            }
        }
        try {
            return new AgentConfig(
                    settings.containsKey(Setting.DEST) ? DestinationPolicy.parse(settings.get(Setting.DEST))
                            : DestinationPolicy.defaults(),
                    FirstWritePolicy.parse(settings.getOrDefault(Setting.FIRST, Setting.FIRST.defaultValue())),
                    settings.containsKey(Setting.LISTEN) ? ListenPolicy.parse(settings.get(Setting.LISTEN))
                            : ListenPolicy.none(),
                    ListenPolicy.parseQueueLength(settings.getOrDefault(Setting.LISTEN_QLEN, Setting.LISTEN_QLEN.defaultValue())),
                    settings.containsKey(Setting.LISTEN_KEYFILE) ? parsePath(Setting.LISTEN_KEYFILE, settings.get(Setting.LISTEN_KEYFILE)) : null,
                    parseBoolean(settings.getOrDefault(Setting.SUMMARY, Setting.SUMMARY.defaultValue())),
                    ConnectxLog.Level.parse(settings.getOrDefault(Setting.LOG, Setting.LOG.defaultValue())),
                    settings.containsKey(Setting.PLATFORM) ? FastOpenPlatforms.parse(settings.get(Setting.PLATFORM)) : null,
                    settings.containsKey(Setting.DARWIN_LIBRARY) ? parsePath(Setting.DARWIN_LIBRARY, settings.get(Setting.DARWIN_LIBRARY))
                            : null);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** Only the path: the file is read where the key is used, and its content never passes through here. */
    private static Path parsePath(Setting setting, String text) {
        try {
            return Path.of(text.trim());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("bad " + setting.key() + " '" + text + "': expected a file path");
        }
    }

    private static boolean parseBoolean(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("bad summary '" + text + "': expected true or false");
        };
    }

    /** {@code key=value} pairs separated by {@code ;}; one trailing {@code ;} is tolerated. */
    static Map<Setting, String> parseAgentArgs(String args) throws ConfigException {
        Map<Setting, String> pairs = new LinkedHashMap<>();
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
                throw new ConfigException("bad agent argument '" + pair + "': expected key=value, keys: " + Setting.keys());
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            Setting setting = Setting.byKey(key);
            if (setting == null) {
                throw new ConfigException("unknown key '" + key + "': expected one of " + Setting.keys());
            }
            if (value.isEmpty()) {
                throw new ConfigException("empty value for '" + key + "': expected " + key + "=VALUE");
            }
            if (pairs.put(setting, value) != null) {
                throw new ConfigException("key '" + key + "' given twice: expected each key once");
            }
        }
        return pairs;
    }
}
