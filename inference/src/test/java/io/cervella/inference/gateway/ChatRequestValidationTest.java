package io.cervella.inference.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ChatRequestValidationTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "[]|the request body must be a JSON object",
            "{}|'model' is required",
            "{\"model\":5,\"messages\":[]}|'model' must be a non-empty string",
            "{\"model\":\"m\"}|'messages' is required",
            "{\"model\":\"m\",\"messages\":\"hi\"}|'messages' must be a non-empty array",
            "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}|'messages[0]' must be an object with a string 'role'",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"stream\":\"yes\"}|'stream' must be a boolean",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"n\":2}|only n=1 is supported",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}],\"max_tokens\":0}|'max_tokens' must be a positive integer",
    })
    void badRequestsAreRefusedWithAClearMessage(String body, String message) {
        assertThatThrownBy(() -> ChatCompletionsEndpoint.validate(Json.MAPPER.readTree(body)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    @Test
    void aGoodRequestPassesUntouched() {
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":1,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"response_format\":{\"type\":\"json_object\"}}";
        assertThat(ChatCompletionsEndpoint.validate(Json.MAPPER.readTree(body))).isEqualTo(Json.MAPPER.readTree(body));
    }
}
