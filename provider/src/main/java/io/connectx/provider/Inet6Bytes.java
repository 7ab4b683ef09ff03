package io.connectx.provider;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;

/**
 * The 16 bytes of an {@link Inet6Address} without the copy {@link Inet6Address#getAddress()} makes (32 B per
 * call, measured with JMH {@code -prof gc}): the policy reads them on every IPv6 connect. Reads the JDK's
 * private {@code holder6.ipaddress} (the same in JDK 17 and 25) when {@code java.net} is open to this module,
 * as the agent opens it; otherwise it falls back to the copy. Callers must not modify the array.
 */
final class Inet6Bytes {
    private static final VarHandle HOLDER;
    private static final VarHandle IPADDRESS;

    static {
        VarHandle holder = null;
        VarHandle ipaddress = null;
        try {
            Class<?> holderClass = Class.forName("java.net.Inet6Address$Inet6AddressHolder");
            holder = MethodHandles.privateLookupIn(Inet6Address.class, MethodHandles.lookup())
                .findVarHandle(Inet6Address.class, "holder6", holderClass);
            ipaddress = MethodHandles.privateLookupIn(holderClass, MethodHandles.lookup())
                .findVarHandle(holderClass, "ipaddress", byte[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // java.net not open to us (no agent, no --add-opens) or another JDK layout: use the copy.
            holder = null;
            ipaddress = null;
        }
        HOLDER = holder;
        IPADDRESS = ipaddress;
    }

    private Inet6Bytes() {
    }

    static boolean isDirect() {
        return HOLDER != null;
    }

    static byte[] of(Inet6Address address) {
        if (HOLDER != null) {
            byte[] bytes = (byte[]) IPADDRESS.get(HOLDER.get(address));
            if (bytes != null && bytes.length == 16) {
                return bytes;
            }
        }
        return address.getAddress();
    }
}
