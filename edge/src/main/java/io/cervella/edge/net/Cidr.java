package io.cervella.edge.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address range: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one address. IPv4 ranges also match
 * IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3}), as a dual-stack socket reports them.
 */
public record Cidr(byte[] network, int prefixLength, String text) {
    /** Parses a range; only literal addresses, never a host name (no DNS lookups in a firewall). */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty address range");
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr).orElseThrow(() -> new IllegalArgumentException(
                "'" + text + "' is not an IPv4 or IPv6 address range (like 10.0.0.0/8 or 2001:db8::/32)"));
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': the prefix length after / must be a number");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "': the prefix length must be between 0 and " + bits);
            }
        }
        return new Cidr(mask(bytes, prefix), prefix, t);
    }

    /** The bytes of a literal IPv4 or IPv6 address, or empty for anything else (host names included). */
    public static java.util.Optional<byte[]> literal(String addr) {
        String a = addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
        boolean v4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = a.contains(":") && a.matches("[0-9a-fA-F:.]+(%[\\w.-]+)?");
        if (!v4 && !v6) {
            return java.util.Optional.empty();
        }
        if (v4) {
            for (String part : a.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return java.util.Optional.empty();
                }
            }
        }
        try {
            // a literal: getByName parses it without a lookup
            return java.util.Optional.of(InetAddress.getByName(a).getAddress());
        } catch (UnknownHostException | SecurityException e) {
            return java.util.Optional.empty();
        }
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xFF << (8 - keep));
        }
        return out;
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
            a = java.util.Arrays.copyOfRange(a, 12, 16);
        } else if (a.length == 4 && network.length == 16 && isV4Mapped(network) && prefixLength >= 96) {
            return new Cidr(java.util.Arrays.copyOfRange(network, 12, 16), prefixLength - 96, text).contains(address);
        }
        if (a.length != network.length) {
            return false;
        }
        return java.util.Arrays.equals(mask(a, prefixLength), network);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefixLength;
    }
}
