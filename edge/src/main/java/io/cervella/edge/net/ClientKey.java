package io.cervella.edge.net;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * What per-address limits count by: an IPv4 address, or an IPv6 address's /64 (one subscriber's
 * network: a client that owns a /64 could otherwise take a fresh address for every request).
 */
public final class ClientKey {
    private ClientKey() {}

    public static String of(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] a = address.getAddress();
        StringBuilder b = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
            b.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
        }
        return b.append(":/64").toString();
    }
}
