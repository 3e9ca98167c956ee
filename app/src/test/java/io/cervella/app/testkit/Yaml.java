package io.cervella.app.testkit;

/** Config snippets for tests. */
public final class Yaml {
    private Yaml() {}

    /** One model, "baby", served by these backends in order, probed every 200 ms. */
    public static String model(String extraBackendSettings, String... urls) {
        StringBuilder sb = new StringBuilder("""
                gateway:
                  health_check_interval_seconds: 0.2
                  health_check_timeout_seconds: 1
                models:
                  - name: baby
                    backends:
                """);
        for (String url : urls) {
            sb.append("      - type: openai\n        url: ").append(url).append('\n')
                    .append("        model: Qwen/Qwen3-4B\n");
            for (String line : extraBackendSettings.split("\n")) {
                if (!line.isBlank()) {
                    sb.append("        ").append(line.strip()).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
