package io.cervella.core.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests. Uses CERVELLA_TEST_PG_URL when set (a JDBC URL with user and
 * password of a role that may create databases); otherwise starts a throwaway cluster from Debian's
 * packages (/usr/lib/postgresql/N/bin) in a temporary directory, on a free loopback port, once per
 * test JVM. Each caller gets a database of its own.
 */
public final class PostgresTestServer {
    private static PostgresTestServer instance;

    private final String adminUrl;
    private final Path dir;

    private PostgresTestServer(String adminUrl, Path dir) {
        this.adminUrl = adminUrl;
        this.dir = dir;
    }

    public static synchronized PostgresTestServer get() {
        if (instance == null) {
            String url = System.getenv("CERVELLA_TEST_PG_URL");
            instance = url != null ? new PostgresTestServer(url, null) : startLocal();
        }
        return instance;
    }

    /** A JDBC URL of a new, empty database. */
    public String newDatabaseUrl() {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
        }
        return adminUrl.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    private static PostgresTestServer startLocal() {
        Path bin = findBin();
        try {
            Path dir = Files.createTempDirectory("cervella-pg-");
            Path data = dir.resolve("data");
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                // initdb refuses to run as root: run the server as the postgres user the package made.
                run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            }
            int port = freePort();
            run(asPostgres(root, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "cervella",
                    "--auth=trust", "-E", "UTF8", "--no-locale")));
            run(asPostgres(root, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                    "-l", dir.resolve("server.log").toString(), "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                    "start")));
            PostgresTestServer server = new PostgresTestServer(
                    "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=cervella", dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stopLocal(bin, root)));
            return server;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot start a test PostgreSQL: " + e.getMessage(), e);
        }
    }

    private void stopLocal(Path bin, boolean root) {
        try {
            run(asPostgres(root, List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
                    "-m", "immediate", "stop")));
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (Exception ignored) {
            // the JVM is exiting; a leftover temp directory is harmless
        }
    }

    private static List<String> asPostgres(boolean root, List<String> command) {
        if (!root) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        out.addAll(command);
        return out;
    }

    private static Path findBin() {
        Path base = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                var found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString()
                                .replaceAll("\\D", "0"))));
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (IOException ignored) {
                // fall through to the message below
            }
        }
        throw new IllegalStateException("PostgreSQL is needed by these tests and was not found under /usr/lib/postgresql:"
                + " install it (apt-get install postgresql) or set CERVELLA_TEST_PG_URL to a server's JDBC URL");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + new String(out));
        }
    }
}
