package io.cervella.core.http;

import io.cervella.core.keys.Scope;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A method and a path pattern ({@code /admin/keys/{id}}), the scope a key needs for it (null: open
 * to anyone, as /healthz is), and the endpoint that serves it.
 */
public record Route(String method, String pattern, Scope scope, String name, Endpoint endpoint) {
    public Route {
        Objects.requireNonNull(method);
        Objects.requireNonNull(pattern);
        Objects.requireNonNull(name);
        Objects.requireNonNull(endpoint);
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("route pattern must start with /: " + pattern);
        }
    }

    /** A route whose metric label is its pattern. */
    public static Route of(String method, String pattern, Scope scope, Endpoint endpoint) {
        return new Route(method, pattern, scope, pattern, endpoint);
    }

    /** Matches a path against the pattern; returns the path parameters, or null when it does not match. */
    public Map<String, String> match(String path) {
        String[] want = pattern.split("/", -1);
        String[] got = path.split("/", -1);
        if (want.length != got.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            String w = want[i];
            if (w.startsWith("{") && w.endsWith("}")) {
                if (got[i].isEmpty()) {
                    return null;
                }
                params.put(w.substring(1, w.length() - 1), got[i]);
            } else if (!w.equals(got[i])) {
                return null;
            }
        }
        return params;
    }
}
