package io.cervella.core.usage;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Ids that sort by creation time across nodes (48-bit milliseconds, then 80 random bits), like UUIDv7. */
public final class TimeOrderedIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {}

    public static String next(long epochMillis) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (epochMillis >>> (40 - 8 * i));
        }
        return HexFormat.of().formatHex(b);
    }
}
