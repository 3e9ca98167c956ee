package io.cervella.ops.alert;

import java.net.URI;

/** Small text helpers of the alerts: bounded lengths, URLs without their secrets. */
final class Text {
    private Text() {}

    /** At most {@code max} characters, an ellipsis marking a cut. */
    static String clip(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never split a pair: half an emoji is not valid text
        }
        return s.substring(0, end) + "…";
    }

    /** The URL without user:password@ (an upstream's URL may carry them). */
    static String withoutUserInfo(String url) {
        try {
            URI u = URI.create(url);
            if (u.getRawUserInfo() == null) {
                return url;
            }
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (Exception e) {
            return url;
        }
    }

    /** {@code text} with the webhook URL, its path and its query taken out (tokens travel there). */
    static String withoutUrl(String text, URI url) {
        if (text == null) {
            return null;
        }
        String out = text.replace(url.toString(), "<webhook url>");
        if (url.getRawQuery() != null && !url.getRawQuery().isEmpty()) {
            out = out.replace(url.getRawQuery(), "<query>");
        }
        if (url.getRawPath() != null && url.getRawPath().length() > 1) {
            out = out.replace(url.getRawPath(), "<path>");
        }
        return out;
    }
}
