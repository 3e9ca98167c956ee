package io.cervella.ops.probe;

import java.net.URI;

/** A URL as probes show and store it: scheme, host, port and path; never its credentials or query. */
final class SafeUrl {
    private SafeUrl() {}

    static String of(URI uri) {
        StringBuilder s = new StringBuilder();
        s.append(uri.getScheme()).append("://");
        String host = uri.getHost();
        s.append(host != null && host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        if (uri.getPort() >= 0) {
            s.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            s.append(uri.getRawPath());
        }
        return s.toString();
    }

    static String of(String url) {
        try {
            return of(URI.create(url));
        } catch (IllegalArgumentException e) {
            return "(an unparsable URL)";
        }
    }
}
