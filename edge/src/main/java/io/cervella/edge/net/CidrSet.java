package io.cervella.edge.net;

import java.net.InetAddress;
import java.util.List;

/** A list of ranges: does any contain an address? Lists are short (an operator writes them), so a scan. */
public record CidrSet(List<Cidr> ranges) {
    public static final CidrSet EMPTY = new CidrSet(List.of());

    public CidrSet {
        ranges = List.copyOf(ranges);
    }

    public static CidrSet parse(List<String> texts) {
        return new CidrSet(texts.stream().map(Cidr::parse).toList());
    }

    public boolean contains(InetAddress address) {
        for (Cidr c : ranges) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }
}
