package emulator

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// Function is what an invoker needs to know of a function to run it.
type Function struct {
	ID              string
	Name            string
	ApplicationID   string
	ApplicationName string
	Image           string // as given, "REPO:TAG"
	ImageDigest     string // "sha256:..."
	MemoryMB        int64
	TimeoutSeconds  int
	// Config is the application's configuration overridden by the
	// function's, as OCI passes it to the container's environment.
	Config map[string]string
}

// FunctionInvoker runs functions for the emulator's invoke endpoint. req is
// the invoke request as received (body and headers such as fn-intent); the
// answer is returned to the caller as is. Implementations must honour ctx
// (its deadline is the function's timeout).
type FunctionInvoker interface {
	Invoke(ctx context.Context, fn Function, req *http.Request) (*http.Response, error)
}

// noInvoker is the invoker of an emulator started without one.
type noInvoker struct{}

func (noInvoker) Invoke(context.Context, Function, *http.Request) (*http.Response, error) {
	const msg = `{"code":"FunctionInvokeNoRunner","message":"this emulator has no function runner: start it with emulator.WithFunctionInvoker"}`
	return &http.Response{
		StatusCode: http.StatusBadGateway,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(msg)),
	}, nil
}
