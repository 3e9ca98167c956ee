package io.cervella.edge.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The address a request comes from: the direct peer, unless that peer is a trusted proxy; then the
 * right-most address in X-Forwarded-For that is not itself a trusted proxy (entries left of it are
 * whatever the client wrote, so never believed). Worked out once per request and kept as an attribute.
 */
public final class ClientAddress {
    private static final String ATTRIBUTE = ClientAddress.class.getName();

    private final CidrSet trustedProxies;

    public ClientAddress(CidrSet trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /** The client's address (null only for a connection without an IP peer, which a TCP listener never has). */
    public InetAddress of(Request request) {
        Object cached = request.getAttribute(ATTRIBUTE);
        if (cached instanceof InetAddress a) {
            return a;
        }
        InetAddress resolved = resolve(request);
        if (resolved != null) {
            request.setAttribute(ATTRIBUTE, resolved);
        }
        return resolved;
    }

    private InetAddress resolve(Request request) {
        InetAddress peer = peer(request.getConnectionMetaData().getRemoteSocketAddress());
        if (peer == null || trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> values = request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR);
        InetAddress client = peer;
        for (int v = values.size() - 1; v >= 0; v--) {
            String[] hops = values.get(v).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                var literal = Cidr.literal(stripPort(hops[i].strip()));
                if (literal.isEmpty()) {
                    return client; // garbage from here on: the last address we could trust
                }
                try {
                    client = InetAddress.getByAddress(literal.get());
                } catch (java.net.UnknownHostException e) {
                    return client;
                }
                if (!trustedProxies.contains(client)) {
                    return client;
                }
            }
        }
        return client;
    }

    /** Whether the direct peer is one of the trusted proxies (whose X-Forwarded-For is kept and extended). */
    public boolean peerIsTrusted(Request request) {
        InetAddress peer = peer(request.getConnectionMetaData().getRemoteSocketAddress());
        return peer != null && !trustedProxies.isEmpty() && trustedProxies.contains(peer);
    }

    /** The direct peer's address as text, for X-Forwarded-For. */
    public static String text(Request request) {
        InetAddress peer = peer(request.getConnectionMetaData().getRemoteSocketAddress());
        return peer == null ? "unknown" : peer.getHostAddress();
    }

    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end > 0 ? hop.substring(1, end) : hop;
        }
        int colon = hop.indexOf(':');
        return colon > 0 && hop.indexOf(':', colon + 1) < 0 ? hop.substring(0, colon) : hop;
    }

    static InetAddress peer(SocketAddress address) {
        return address instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }
}
