package com.example.fn;

import com.fnproject.fn.api.httpgateway.HTTPGatewayContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HelloFunction is the hello-java example: an Fn function written with the
 * Fn Java FDK. It greets the name in a JSON body ({"name":"osa"}) and, when
 * called through an API gateway, also reports the method and URL it saw.
 */
public class HelloFunction {

    /**
     * Answers {"message":"Hello, NAME!"} (NAME defaults to "world"). The FDK
     * binds the JSON body to {@code input} and writes the returned map as JSON.
     */
    public Map<String, String> handleRequest(HTTPGatewayContext gateway, Map<String, Object> input) {
        Object name = input == null ? null : input.get("name");
        if (!(name instanceof String) || ((String) name).isEmpty()) {
            name = "world";
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put("message", "Hello, " + name + "!");
        String method = gateway.getMethod();
        if (method != null && !method.isEmpty()) {
            out.put("method", method);
            out.put("url", gateway.getRequestURL());
        }
        return out;
    }
}
