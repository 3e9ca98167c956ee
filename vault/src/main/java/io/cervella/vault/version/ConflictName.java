package io.cervella.vault.version;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The name a conflicting change is kept under (docs/formats/vault.md, Version vectors):
 * {@code NAME.conflict-DEVICE-YYYYMMDD-HHMMSS.EXT}, in the same folder, the time in UTC. The device's
 * name is cut to what is safe in a file name on every system.
 */
public final class ConflictName {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private ConflictName() {}

    public static String of(String path, String device, Instant at) {
        int slash = path.lastIndexOf('/');
        String folder = path.substring(0, slash + 1);
        String file = path.substring(slash + 1);
        int dot = file.lastIndexOf('.');
        // a leading dot (".env") is part of the name, not an extension
        String name = dot > 0 ? file.substring(0, dot) : file;
        String extension = dot > 0 ? file.substring(dot) : "";
        String safeDevice = device.replaceAll("[^A-Za-z0-9_-]", "_");
        if (safeDevice.length() > 40) {
            safeDevice = safeDevice.substring(0, 40);
        }
        return folder + name + ".conflict-" + safeDevice + "-" + STAMP.format(at) + extension;
    }
}
