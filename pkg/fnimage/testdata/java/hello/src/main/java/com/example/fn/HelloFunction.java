package com.example.fn;

import com.fnproject.fn.api.InputEvent;

/** HelloFunction greets the body of the request. */
public class HelloFunction {
    public String handleRequest(InputEvent input) {
        String name = input.consumeBody(body -> new String(readAll(body)));
        return "Hello, " + (name.isEmpty() ? "world" : name) + "!";
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
