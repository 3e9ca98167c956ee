package io.cervella.app.cli;

import io.cervella.app.CervellaConfig;
import io.cervella.app.DataDirectory;
import io.cervella.app.Platform;
import io.cervella.core.config.ConfigException;
import io.cervella.inference.config.BackendConfig;
import io.cervella.inference.config.ModelConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cervella serve}: runs the platform until SIGTERM or SIGINT, then drains and stops. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the platform (HTTPS only).")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", description = "YAML config file (default: DATA/cervella.yaml if present)")
    Path config;

    @Option(names = "--data", description = "data directory (default: ${DEFAULT-VALUE})", defaultValue = "./cervella-data")
    Path data;

    @Option(names = "--port", description = "HTTPS port (default 8443; 0 picks a free one)")
    Integer port;

    @Option(names = "--bind", description = "address to listen on (default 0.0.0.0)")
    String bind;

    @Option(names = "--model", description = "a GGUF file to serve with the embedded engine")
    Path model;

    @Override
    public Integer call() throws Exception {
        DataDirectory dir = new DataDirectory(data);
        CervellaConfig cfg = CervellaConfig.load(config, data);
        if (port != null) {
            cfg = cfg.withServer(cfg.server().withPort(port));
        }
        if (bind != null) {
            cfg = cfg.withServer(cfg.server().withBind(bind));
        }
        if (model != null) {
            // The shortcut: one model named after the file, served by one embedded backend.
            if (!java.nio.file.Files.isRegularFile(model)) {
                throw new ConfigException("--model " + model + ": no such file");
            }
            String name = model.getFileName().toString().replaceFirst("\\.gguf$", "");
            java.util.List<ModelConfig> models = new java.util.ArrayList<>(cfg.models());
            models.add(new ModelConfig(name, java.util.List.of(new BackendConfig("embedded", null, null, null, null, null,
                    null, null, null, null, model.toAbsolutePath().toString()))));
            cfg = cfg.withModels(models);
        }
        Platform platform = Platform.start(cfg, dir, System::getenv);
        Path configFile = config;
        platform.configSource(() -> CervellaConfig.load(configFile, data));
        // SIGHUP: re-read the config, as nginx and HAProxy do; a bad file is logged and changes nothing
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> Thread.ofVirtual().start(() -> {
            try {
                var r = platform.reload(io.cervella.ops.audit.AuditActions.ACTOR_SIGNAL);
                System.out.println("cervella: config reloaded (" + r.apps().size() + " apps)"
                        + (r.atNextStart().isEmpty() ? "" : "; at the next start: " + String.join(", ", r.atNextStart())));
            } catch (Exception e) {
                System.err.println("cervella: config not reloaded: " + e.getMessage());
            }
        }));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("cervella: stopping (finishing in-flight requests)");
            platform.close();
            stopped.countDown();
        }, "cervella-shutdown"));

        if (platform.caFile() != null) {
            System.out.println("TLS: local CA at " + platform.caFile().toAbsolutePath()
                    + " (clients: --cacert that file)");
        }
        System.out.println("admin key: " + dir.adminKey().toAbsolutePath() + " (mode 0600)");
        String host = cfg.server().bind().equals("0.0.0.0") || cfg.server().bind().equals("::")
                ? "localhost" : cfg.server().bind();
        System.out.println("cervella ready on https://" + host + ":" + platform.port());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
