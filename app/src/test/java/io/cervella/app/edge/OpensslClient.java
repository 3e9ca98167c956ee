package io.cervella.app.edge;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** {@code openssl s_client}, the way an operator checks a listener; it must be installed (.ci/run does). */
final class OpensslClient {
    /** What one s_client run printed and how it ended. */
    record Result(int exit, String output) {
        /** A handshake finished: s_client printed the negotiated suite and exited 0. */
        boolean established() {
            return exit == 0 && output.contains("Cipher is ") && !output.contains("Cipher is (NONE)");
        }

        /** The client reached the server and the server ended the handshake with an alert. */
        boolean refusedByServer() {
            return !established() && output.contains("CONNECTED(") && output.contains("alert");
        }

        /** openssl itself has the suite compiled out or disabled: it cannot even offer it. */
        boolean suiteUnknownToClient() {
            return !established() && output.contains("no cipher match");
        }
    }

    private OpensslClient() {}

    /** Connects to 127.0.0.1 with {@code serverName} as SNI, no input, and these options. */
    static Result connect(int port, String serverName, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", serverName));
        command.addAll(List.of(options));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            return fail("openssl is not on PATH (" + e.getMessage() + "): install it (apt-get install openssl), as .ci/run does");
        }
        // read while it runs, so a full pipe cannot stall it
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail("openssl s_client " + String.join(" ", options) + " did not finish in 20 s");
        }
        return new Result(p.exitValue(), output.get(5, TimeUnit.SECONDS));
    }
}
