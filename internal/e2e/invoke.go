package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultInvokeTimeout is the call deadline when InvokeRequest.Timeout is
// zero: the default timeout of a function.
const DefaultInvokeTimeout = 30 * time.Second

// InvokeRequest is one call to a function, as the Fn agent sends it.
type InvokeRequest struct {
	// Body is the request body.
	Body []byte
	// ContentType is the Content-Type header; Header's Content-Type when
	// empty (none if neither is set). It is never prefixed with Fn-Http-H-.
	ContentType string
	// Timeout sets Fn-Deadline (now + Timeout) and bounds the call; 30 s
	// when zero.
	Timeout time.Duration
	// Gateway makes an HTTP-gateway call (Fn-Intent: httprequest), with
	// Method, URL and Header passed as Fn-Http-Method, Fn-Http-Request-Url
	// and Fn-Http-H-<Key>.
	Gateway bool
	// Method is the gateway request's method; GET when empty.
	Method string
	// URL is the gateway request's URL; "http://localhost/" when empty.
	URL string
	// Header is the gateway request's headers (each sent as
	// Fn-Http-H-<Key>, except Content-Type); without Gateway they are sent
	// as they are.
	Header http.Header
}

// InvokeResponse is what the function's FDK answered.
type InvokeResponse struct {
	// Status is the agent-level status: 200, 502 (function error) or 504
	// (function timeout).
	Status int
	// HTTPStatus is the gateway status from Fn-Http-Status, 0 if absent.
	HTTPStatus int
	// Header is, for a Gateway call, the function's headers with the
	// Fn-Http-H- prefix removed, plus Content-Type; otherwise RawHeader.
	Header http.Header
	// RawHeader is the response's headers as sent.
	RawHeader http.Header
	// Body is the response body.
	Body []byte
}

// Invoke makes one call to the function over its listener socket: POST
// http://localhost/call with Fn-Call-Id, Fn-Deadline and, for a gateway call,
// the Fn-Http-* headers. A status other than 200, 502 or 504 breaks the
// contract (the agent would kill the container): Invoke then returns the
// response together with an error.
func (c *Container) Invoke(ctx context.Context, req InvokeRequest) (*InvokeResponse, error) {
	timeout := req.Timeout
	if timeout == 0 {
		timeout = DefaultInvokeTimeout
	}
	deadline := time.Now().Add(timeout)
	// A little slack so that the FDK can answer 504 itself.
	ctx, cancel := context.WithDeadline(ctx, deadline.Add(2*time.Second))
	defer cancel()

	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://localhost/call", bytes.NewReader(req.Body))
	if err != nil {
		return nil, err
	}
	if req.Gateway {
		for k, vs := range req.Header {
			if http.CanonicalHeaderKey(k) == "Content-Type" {
				continue
			}
			for _, v := range vs {
				hr.Header.Add("Fn-Http-H-"+k, v)
			}
		}
		hr.Header.Set("Fn-Intent", "httprequest")
		hr.Header.Set("Fn-Http-Method", orDefault(req.Method, http.MethodGet))
		hr.Header.Set("Fn-Http-Request-Url", orDefault(req.URL, "http://localhost/"))
	} else {
		for k, vs := range req.Header {
			for _, v := range vs {
				hr.Header.Add(k, v)
			}
		}
	}
	callID := "e2e-" + randomHex(12)
	hr.Header.Set("Fn-Call-Id", callID)
	hr.Header.Set("Fn-Deadline", deadline.UTC().Format(time.RFC3339))
	if ct := orDefault(req.ContentType, req.Header.Get("Content-Type")); ct != "" {
		hr.Header.Set("Content-Type", ct)
	}

	resp, err := c.client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("calling the function (call %s): %w", callID, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the function's answer (call %s): %w", callID, err)
	}
	out := &InvokeResponse{
		Status:    resp.StatusCode,
		RawHeader: resp.Header,
		Header:    resp.Header.Clone(),
		Body:      body,
	}
	if s := resp.Header.Get("Fn-Http-Status"); s != "" {
		out.HTTPStatus, err = strconv.Atoi(s)
		if err != nil {
			return out, fmt.Errorf("call %s: bad Fn-Http-Status %q", callID, s)
		}
	}
	if req.Gateway {
		out.Header = http.Header{}
		for k, vs := range resp.Header {
			if user, ok := strings.CutPrefix(k, "Fn-Http-H-"); ok {
				out.Header[http.CanonicalHeaderKey(user)] = vs
			} else if k == "Content-Type" {
				out.Header[k] = vs
			}
		}
	}
	switch out.Status {
	case http.StatusOK, http.StatusBadGateway, http.StatusGatewayTimeout:
		return out, nil
	default:
		return out, fmt.Errorf("call %s: the function answered %d; the Fn agent accepts only 200, 502 and 504 and would kill the container", callID, out.Status)
	}
}
