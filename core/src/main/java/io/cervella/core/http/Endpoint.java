package io.cervella.core.http;

/** Serves one route with blocking code; throws {@link ApiException} for errors the client should see. */
@FunctionalInterface
public interface Endpoint {
    void handle(Exchange exchange) throws Exception;
}
