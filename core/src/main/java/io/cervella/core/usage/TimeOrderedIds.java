package io.cervella.core.usage;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids that sort by creation time across nodes (48-bit milliseconds, then 80 random bits), like UUIDv7.
 * They need to be unique, not unguessable: a fast generator will do (SecureRandom costs a system call
 * per id on Linux, on the path of every request).
 */
public final class TimeOrderedIds {

    private TimeOrderedIds() {}

    public static String next(long epochMillis) {
        byte[] b = new byte[16];
        ThreadLocalRandom.current().nextBytes(b);
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (epochMillis >>> (40 - 8 * i));
        }
        return HexFormat.of().formatHex(b);
    }
}
