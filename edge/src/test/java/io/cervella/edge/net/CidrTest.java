package io.cervella.edge.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void ipv4RangesMatchTheirAddressesOnly() throws Exception {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertTrue(ten.contains(ip("10.1.2.3")));
        assertFalse(ten.contains(ip("11.0.0.1")));
        Cidr one = Cidr.parse("192.168.1.7");
        assertTrue(one.contains(ip("192.168.1.7")));
        assertFalse(one.contains(ip("192.168.1.8")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("8.8.8.8")));
        assertTrue(Cidr.parse("172.16.0.0/12").contains(ip("172.31.255.255")));
        assertFalse(Cidr.parse("172.16.0.0/12").contains(ip("172.32.0.0")));
    }

    @Test
    void ipv6RangesMatchAndFamiliesDoNotMix() throws Exception {
        Cidr doc = Cidr.parse("2001:db8::/32");
        assertTrue(doc.contains(ip("2001:db8:1::5")));
        assertFalse(doc.contains(ip("2001:db9::1")));
        assertTrue(Cidr.parse("::1/128").contains(ip("::1")));
        assertFalse(Cidr.parse("::1/128").contains(ip("127.0.0.1")));
        assertFalse(Cidr.parse("127.0.0.0/8").contains(ip("::1")));
    }

    @Test
    void ipv4RangesMatchIpv4MappedAddresses() throws Exception {
        // Inet6Address.getByAddress keeps the mapped form that getByName would fold to IPv4
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 9;
        InetAddress m = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertTrue(Cidr.parse("10.0.0.0/8").contains(m));
        assertFalse(Cidr.parse("11.0.0.0/8").contains(m));
    }

    @Test
    void badRangesAreRefusedWithTheirText() {
        for (String bad : new String[] {"", "10.0.0.0/33", "::1/129", "300.1.1.1", "example.com", "10.0.0.0/x", "1.2.3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad.isEmpty() ? "empty" : bad), e.getMessage());
        }
    }
}
