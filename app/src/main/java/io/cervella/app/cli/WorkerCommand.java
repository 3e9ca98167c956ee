package io.cervella.app.cli;

import io.cervella.app.WorkerPlatform;
import io.cervella.core.keys.NodeToken;
import io.cervella.core.tls.LocalCertificateAuthority;
import io.cervella.core.tls.PemFiles;
import io.cervella.core.tls.TlsMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cervella worker}: serves one GGUF model with the embedded engine, over HTTPS, to whoever holds
 * the node token (CERVELLA_NODE_TOKEN, or --token-file, or a new one written to DATA/node.token).
 */
@Command(name = "worker", mixinStandardHelpOptions = true, description = "Serve a GGUF model with the embedded engine.")
public final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the GGUF file")
    Path model;

    @Option(names = "--name", description = "the model name clients use (default: the file name without .gguf)")
    String name;

    @Option(names = "--port", defaultValue = "8444", description = "HTTPS port (default ${DEFAULT-VALUE}; 0 picks one)")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--threads", description = "compute threads (default: all cores)")
    Integer threads;

    @Option(names = "--ctx", defaultValue = "4096", description = "context length per request (default ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--slots", defaultValue = "4", description = "requests served at once (default ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--data", defaultValue = "./cervella-worker-data", description = "TLS material and token (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--tls-cert", description = "PEM certificate chain to serve instead of the local CA's")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key of --tls-cert")
    Path tlsKey;

    @Option(names = "--token-file", description = "file holding the node token")
    Path tokenFile;

    @Option(names = "--exit-with-parent", description = "stop when the process that started this one is gone (set by the core)")
    boolean exitWithParent;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--model " + model + ": no such file");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (threads != null && threads < 1 || ctx < 16 || slots < 1) {
            throw new IllegalArgumentException("--threads and --slots must be at least 1, --ctx at least 16");
        }
        String token = token();
        TlsMaterial tls = tlsCert != null
                ? new TlsMaterial(PemFiles.readPrivateKey(tlsKey), PemFiles.readCertificates(tlsCert))
                : new LocalCertificateAuthority(data.resolve("tls"), Clock.systemUTC())
                        .ensure(LocalCertificateAuthority.defaultNames(List.of(bind)));
        String modelName = name != null ? name : model.getFileName().toString().replaceFirst("\\.gguf$", "");
        System.out.println("cervella worker: loading " + model + " (" + Files.size(model) / (1024 * 1024) + " MiB)");
        long t0 = System.nanoTime();
        WorkerPlatform worker = WorkerPlatform.start(new WorkerPlatform.Settings(model, modelName, bind, port,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), ctx, slots), tls, token);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stopped.countDown();
        }, "worker-shutdown"));
        System.out.printf("cervella worker: model %s loaded in %.1f s (%s, %d layers)%n", modelName,
                (System.nanoTime() - t0) / 1e9, worker.engine().config().arch(), worker.engine().config().layers());
        System.out.println("cervella worker ready on https://" + bind + ":" + worker.port());
        System.out.flush();
        if (exitWithParent) {
            // A core killed with SIGKILL cannot stop its workers: they notice and stop themselves.
            java.util.Optional<ProcessHandle> parent = ProcessHandle.current().parent();
            Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
                while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                System.out.println("cervella worker: the core is gone; stopping");
                System.exit(0);
            });
        }
        stopped.await();
        return 0;
    }

    private String token() throws Exception {
        String env = System.getenv("CERVELLA_NODE_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        if (tokenFile != null) {
            return Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
        }
        Path file = data.resolve("node.token");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        String token = NodeToken.generate();
        PemFiles.writeSecret(file, token + "\n");
        System.out.println("cervella worker: node token written to " + file.toAbsolutePath() + " (mode 0600)");
        return token;
    }
}
