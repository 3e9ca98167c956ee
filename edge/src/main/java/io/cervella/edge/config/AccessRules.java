package io.cervella.edge.config;

import java.util.List;

/** An app's own allow and deny lists (CIDR), checked after the global ones. */
public record AccessRules(List<String> allow, List<String> deny) {
    public AccessRules {
        allow = CidrText.checkAll("allow", allow);
        deny = CidrText.checkAll("deny", deny);
    }

    public static AccessRules none() {
        return new AccessRules(null, null);
    }
}
