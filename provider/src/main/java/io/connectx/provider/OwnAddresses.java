package io.connectx.provider;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loopback, the wildcard and this host's own addresses: a connection to them never leaves the host, so Fast
 * Open saves no round trip worth a cookie, and {@code *} in a destination policy does not admit them. The
 * interfaces' addresses are read the first time a {@code *} rule matches, never at start-up, and again at most
 * every {@link #REFRESH_NANOS} (addresses come and go: DHCP, containers), by the one connecting thread that
 * finds them stale; {@link #contains} allocates nothing between refreshes.
 */
final class OwnAddresses {
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final AtomicBoolean REFRESHING = new AtomicBoolean();
    private static volatile Snapshot snapshot;

    private OwnAddresses() {
    }

    static boolean contains(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        return current().contains(address);
    }

    private static Snapshot current() {
        Snapshot s = snapshot;
        if (s == null) {
            synchronized (OwnAddresses.class) {
                s = snapshot;
                if (s == null) {
                    s = Snapshot.read();
                    snapshot = s;
                }
            }
        } else if (System.nanoTime() - s.readAt > REFRESH_NANOS && REFRESHING.compareAndSet(false, true)) {
            try {
                s = Snapshot.read();
                snapshot = s;
            } finally {
                REFRESHING.set(false);
            }
        }
        return s;
    }

    /** IPv4 addresses as sorted ints (Inet4Address.hashCode() is the address), IPv6 as their 16 bytes. */
    record Snapshot(int[] v4, byte[][] v6, long readAt) {
        static Snapshot read() {
            List<InetAddress> all = new ArrayList<>();
            try {
                Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
                while (interfaces != null && interfaces.hasMoreElements()) {
                    Enumeration<InetAddress> addresses = interfaces.nextElement().getInetAddresses();
                    while (addresses.hasMoreElements()) {
                        all.add(addresses.nextElement());
                    }
                }
            } catch (SocketException | RuntimeException e) {
                // None known: only loopback and the wildcard are kept out, until the next refresh.
            }
            return of(all, System.nanoTime());
        }

        static Snapshot of(List<InetAddress> addresses, long readAt) {
            int[] v4 = addresses.stream().filter(a -> a instanceof Inet4Address).mapToInt(InetAddress::hashCode)
                    .sorted().toArray();
            byte[][] v6 = addresses.stream().filter(a -> a instanceof Inet6Address).map(InetAddress::getAddress)
                    .toArray(byte[][]::new);
            return new Snapshot(v4, v6, readAt);
        }

        boolean contains(InetAddress address) {
            if (address instanceof Inet4Address) {
                return Arrays.binarySearch(v4, address.hashCode()) >= 0;
            }
            if (address instanceof Inet6Address a6) {
                byte[] bytes = Inet6Bytes.of(a6);
                for (byte[] own : v6) {
                    if (Arrays.equals(own, bytes)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
