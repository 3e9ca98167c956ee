package io.cervella.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a YAML file into a config record. Keys are snake_case; an unknown key, a wrong type or a
 * failed check is a {@link ConfigException} whose message starts with the key's path
 * ({@code models[0].backends[1].url: ...}).
 */
public final class YamlConfigReader {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private YamlConfigReader() {}

    public static <T> T read(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, type, file.toString());
    }

    public static <T> T parse(String yaml, Class<T> type, String source) {
        if (yaml.isBlank()) {
            return MAPPER.readValue("{}", type);
        }
        try {
            T value = MAPPER.readValue(yaml, type);
            if (value == null) {
                return MAPPER.readValue("{}", type);
            }
            return value;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            String where = path(e);
            String detail = cause instanceof ConfigException ce ? ce.getMessage()
                    : cause != null ? cause.getMessage() : e.getOriginalMessage();
            // a record's own check names its key ("url: must be ..."): one path, models[0].backends[1].url
            boolean keyFirst = cause instanceof ConfigException && detail.matches("(?s)[a-z_]+(\\[\\d+])*[.:].*");
            throw new ConfigException(source + ": " + (keyFirst && !where.isEmpty() ? where + "." + detail : join(where, detail)), e);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : " (known keys: " + e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", ")) + ")";
            throw new ConfigException(source + ": " + path(e) + ": unknown key" + known, e);
        } catch (DatabindException e) {
            throw new ConfigException(source + ": " + join(path(e), simplify(e.getOriginalMessage())), e);
        } catch (JacksonException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
    }

    private static String join(String where, String detail) {
        return where.isEmpty() ? detail : where + ": " + detail;
    }

    /** The path of the failing key in the file's own spelling: models[0].backends[1].url */
    private static String path(DatabindException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String simplify(String message) {
        if (message == null) {
            return "invalid value";
        }
        // Jackson names Java types; users wrote YAML. Keep the first sentence, which says what was wrong.
        int cut = message.indexOf('\n');
        return cut > 0 ? message.substring(0, cut) : message;
    }
}
