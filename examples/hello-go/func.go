// Command func is the hello-go example: an Fn function written with fdk-go.
// Called through an API gateway it also reports the method and URL it saw.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	fdk "github.com/fnproject/fdk-go"
)

func main() {
	fdk.Handle(fdk.HandlerFunc(handler))
}

type request struct {
	Name string `json:"name"`
}

type response struct {
	Message string `json:"message"`
	Method  string `json:"method,omitempty"`
	URL     string `json:"url,omitempty"`
}

func handler(ctx context.Context, in io.Reader, out io.Writer) {
	fdk.SetHeader(out, "Content-Type", "application/json")
	var req request
	if err := json.NewDecoder(in).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		fdk.WriteStatus(out, 400)
		_ = json.NewEncoder(out).Encode(map[string]string{"error": "invalid JSON in request body"})
		return
	}
	if req.Name == "" {
		req.Name = "world"
	}
	resp := response{Message: fmt.Sprintf("Hello, %s!", req.Name)}
	if hc, ok := fdk.GetContext(ctx).(fdk.HTTPContext); ok {
		resp.Method, resp.URL = hc.RequestMethod(), hc.RequestURL()
	}
	_ = json.NewEncoder(out).Encode(resp)
}
