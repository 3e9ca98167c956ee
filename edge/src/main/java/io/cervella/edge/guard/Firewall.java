package io.cervella.edge.guard;

import io.cervella.edge.config.FirewallConfig;
import io.cervella.edge.net.CidrSet;
import java.net.InetAddress;
import java.util.List;

/**
 * The global allow and deny lists and the route groups' own. A request passes when its client address
 * is in no deny list that applies and, for each allow list that applies and is not empty, in it.
 */
public final class Firewall {
    private record Group(List<String> paths, CidrSet allow, CidrSet deny) {}

    private final CidrSet allow;
    private final CidrSet deny;
    private final List<Group> groups;

    public Firewall(FirewallConfig config) {
        this.allow = CidrSet.parse(config.allow());
        this.deny = CidrSet.parse(config.deny());
        this.groups = config.routes().stream()
                .map(r -> new Group(r.paths(), CidrSet.parse(r.allow()), CidrSet.parse(r.deny()))).toList();
    }

    /** Whether this client may make a request to this path. */
    public boolean admits(InetAddress client, String path) {
        if (client == null) {
            return allow.isEmpty() && groups.isEmpty();
        }
        if (!passes(allow, deny, client)) {
            return false;
        }
        for (Group g : groups) {
            if (applies(g.paths(), path) && !passes(g.allow(), g.deny(), client)) {
                return false;
            }
        }
        return true;
    }

    public static boolean passes(CidrSet allow, CidrSet deny, InetAddress client) {
        return !deny.contains(client) && (allow.isEmpty() || allow.contains(client));
    }

    private static boolean applies(List<String> prefixes, String path) {
        for (String p : prefixes) {
            // "/admin" covers /admin and /admin/..., not /administrator
            if (path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/")) {
                return true;
            }
        }
        return false;
    }
}
