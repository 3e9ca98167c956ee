package io.cervella.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a client command reaches the platform: a running server (--server, --key, --cacert, or
 * CERVELLA_SERVER, CERVELLA_KEY, CERVELLA_CACERT), or a stopped server's data directory (--data).
 */
public final class ServerOptions {
    @Option(names = "--server", description = "URL of a running server (env CERVELLA_SERVER)")
    String server;

    @Option(names = "--key", description = "API key for the server (env CERVELLA_KEY)")
    String key;

    @Option(names = "--cacert", description = "CA certificate to trust, e.g. DATA/tls/ca.pem (env CERVELLA_CACERT)")
    Path cacert;

    @Option(names = "--data", description = "data directory of a stopped server (default ./cervella-data)")
    Path data;

    boolean remote() {
        return server() != null;
    }

    String server() {
        return server != null ? server : System.getenv("CERVELLA_SERVER");
    }

    String key() {
        return key != null ? key : System.getenv("CERVELLA_KEY");
    }

    Path cacert() {
        if (cacert != null) {
            return cacert;
        }
        String env = System.getenv("CERVELLA_CACERT");
        return env == null ? null : Path.of(env);
    }

    Path data() {
        return data != null ? data : Path.of("./cervella-data");
    }

    ServerClient client() {
        if (data != null) {
            throw new IllegalArgumentException("--data and --server exclude each other: --data works on a stopped"
                    + " server's files, --server talks to a running one");
        }
        if (key() == null) {
            throw new IllegalArgumentException("--key (or CERVELLA_KEY) is required with --server");
        }
        return new ServerClient(server(), key(), cacert());
    }
}
