package io.cervella.vault.version;

/**
 * A device as the vault knows it: {@code id} (its API key's public id) is what version vectors count,
 * {@code name} (the key's name, "laptop") is what people read in conflict copies and reports.
 */
public record Device(String id, String name) {
    public Device {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a device has an id");
        }
        name = name == null || name.isBlank() ? id : name;
    }
}
