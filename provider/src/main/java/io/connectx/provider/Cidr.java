package io.connectx.provider;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address literal with an optional prefix length; parsing never asks DNS. */
record Cidr(InetAddress address, int prefix) {

    /**
     * Parses {@code 10.1.2.3}, {@code 10.0.0.0/8}, {@code [::1]}, {@code [fd00::/8]} or {@code [fd00::]/8}.
     * {@code entry} is the whole destination entry, quoted in error messages.
     */
    static Cidr parse(String entry, String host) {
        String text = host;
        String prefixText = null;
        boolean bracketed = text.startsWith("[");
        if (bracketed) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw bad(entry, host);
            }
            String inside = text.substring(1, close);
            String after = text.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith("/")) {
                throw bad(entry, host);
            }
            int slash = inside.indexOf('/');
            if (slash >= 0) {
                prefixText = inside.substring(slash + 1);
                inside = inside.substring(0, slash);
                if (!after.isEmpty()) {
                    throw bad(entry, host);
                }
            } else if (!after.isEmpty()) {
                prefixText = after.substring(1);
            }
            text = inside;
        } else {
            int slash = text.indexOf('/');
            if (slash >= 0) {
                prefixText = text.substring(slash + 1);
                text = text.substring(0, slash);
            }
        }
        InetAddress address = bracketed ? ipv6(entry, host, text) : ipv4(entry, host, text);
        int max = address instanceof Inet4Address ? 32 : 128;
        int prefix = prefixText == null ? max : parsePrefix(entry, prefixText, max);
        return new Cidr(address, prefix);
    }

    static boolean prefixMatches(byte[] network, byte[] candidate, int prefix) {
        int fullBytes = prefix / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (network[i] != candidate[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (network[fullBytes] & mask) == (candidate[fullBytes] & mask);
    }

    private static InetAddress ipv4(String entry, String host, String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw bad(entry, host);
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                throw bad(entry, host);
            }
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                throw bad(entry, host);
            }
            bytes[i] = (byte) octet;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw bad(entry, host);
        }
    }

    private static InetAddress ipv6(String entry, String host, String text) {
        if (text.isEmpty() || !text.contains(":") || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw bad(entry, host);
        }
        try {
            // A bracketed literal is parsed as IPv6 only; getByName never falls back to DNS for it.
            InetAddress address = InetAddress.getByName("[" + text + "]");
            if (address instanceof Inet4Address) {
                // ::ffff:a.b.c.d comes back as IPv4, where a /96 prefix would mean nothing.
                throw bad(entry, host);
            }
            return address;
        } catch (UnknownHostException e) {
            throw bad(entry, host);
        }
    }

    private static int parsePrefix(String entry, String text, int max) {
        try {
            int prefix = Integer.parseInt(text);
            if (prefix >= 0 && prefix <= max) {
                return prefix;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad prefix length '/" + text + "' in '" + entry
                + "': expected 0 to " + max);
    }

    private static IllegalArgumentException bad(String entry, String host) {
        return new IllegalArgumentException("bad host '" + host + "' in '" + entry
                + "': expected *, an IPv4 address, an IPv6 address in brackets, or a CIDR block (host names are not accepted)");
    }
}
