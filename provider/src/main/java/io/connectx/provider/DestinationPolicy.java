package io.connectx.provider;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Which destinations may use TCP Fast Open: a comma-separated list of {@code HOST:PORT} entries, HOST being
 * {@code *}, an IPv4 address, an IPv6 address in brackets ({@code [::1]}) or a CIDR block of either
 * ({@code 10.0.0.0/8}, {@code [fd00::]/8}), PORT a number or {@code *}. Host names are refused: a policy
 * decided by DNS would change under the application's feet.
 *
 * <p>{@code *} admits any host but loopback, the wildcard address and this host's own addresses
 * ({@link OwnAddresses}): a connection to them never leaves the host, where Fast Open saves nothing. An
 * address or block that names them ({@code 127.0.0.1:*}, {@code 127.0.0.0/8:8080}, {@code [::1]:*}) admits them.
 *
 * <p>{@link #admits} runs on every connect, so it allocates nothing: for IPv6 that needs {@code java.net} open
 * to this module, as the agent opens it (see {@link Inet6Bytes}).
 */
public final class DestinationPolicy {
    public static final String DEFAULT_SPEC = "*:443,*:8443";
    private static final int ANY_PORT = -1;

    private final Rule[] rules;
    private final String spec;

    private DestinationPolicy(Rule[] rules, String spec) {
        this.rules = rules;
        this.spec = spec;
    }

    public static DestinationPolicy defaults() {
        return parse(DEFAULT_SPEC);
    }

    /** Parses a spec; {@link IllegalArgumentException} names the bad token and what was expected. */
    public static DestinationPolicy parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty destination list: expected HOST:PORT[,HOST:PORT...]");
        }
        List<Rule> rules = new ArrayList<>();
        for (String entry : spec.split(",", -1)) {
            rules.add(Rule.parse(entry.trim()));
        }
        return new DestinationPolicy(rules.toArray(new Rule[0]), spec);
    }

    public boolean admits(InetAddress address, int port) {
        for (Rule rule : rules) {
            if (rule.matches(address, port)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return spec;
    }

    /** One HOST:PORT entry. An IPv4 rule keeps its network as an int so matching is two ALU ops. */
    private record Rule(int family, int v4Network, int v4Mask, byte[] v6Network, int v6Prefix, int port) {
        private static final int ANY_FAMILY = 0;
        private static final int V4 = 4;
        private static final int V6 = 6;

        static Rule parse(String entry) {
            int colon = entry.lastIndexOf(':');
            if (entry.isEmpty() || colon < 0 || (entry.startsWith("[") && colon < entry.indexOf(']'))) {
                throw new IllegalArgumentException("bad destination '" + entry
                        + "': expected HOST:PORT, e.g. *:443, 10.0.0.0/8:*, [::1]:8080");
            }
            int port = parsePort(entry, entry.substring(colon + 1));
            String host = entry.substring(0, colon);
            if (host.equals("*")) {
                return new Rule(ANY_FAMILY, 0, 0, null, 0, port);
            }
            Cidr cidr = Cidr.parse(entry, host);
            if (cidr.address() instanceof Inet4Address v4) {
                int mask = cidr.prefix() == 0 ? 0 : -1 << (32 - cidr.prefix());
                return new Rule(V4, v4.hashCode() & mask, mask, null, 0, port);
            }
            return new Rule(V6, 0, 0, cidr.address().getAddress(), cidr.prefix(), port);
        }

        private static int parsePort(String entry, String text) {
            if (text.equals("*")) {
                return ANY_PORT;
            }
            try {
                int port = Integer.parseInt(text);
                if (port >= 1 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("bad port '" + text + "' in '" + entry
                    + "': expected a number from 1 to 65535, or *");
        }

        boolean matches(InetAddress address, int port) {
            if (this.port != ANY_PORT && this.port != port) {
                return false;
            }
            return switch (family) {
                case ANY_FAMILY -> !OwnAddresses.contains(address);
                // Inet4Address.hashCode() is its address as an int: no byte[] copy on the hot path.
                case V4 -> address instanceof Inet4Address && (address.hashCode() & v4Mask) == v4Network;
                default -> address instanceof Inet6Address v6 && Cidr.prefixMatches(v6Network, Inet6Bytes.of(v6), v6Prefix);
            };
        }
    }
}
