package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"time"
)

// Invoke (FunctionsInvokeClient): POST /20260325/functions/{id}/actions/invoke
// with a binary body of at most 6 MB. The function must be ACTIVE. The
// configured FunctionInvoker runs it, without the state lock, under a
// context whose deadline is the function's timeout; its answer (status,
// headers, body) is copied back. An invoker error is a 502, the deadline a
// 504, both with an OCI-shaped body.

// Error codes of invoke failures, as OCI Functions names them where it
// documents one (fn-contract.md §5.7).
const (
	fnCodeInvokeTimeout  = "FunctionInvokeTimeout"
	fnCodeInvokeFailed   = "FunctionInvokeFailed"
	fnCodeResponseTooBig = "FunctionInvokeResponseTooLarge"
)

// fnHopHeaders are not copied from the invoker's response.
var fnHopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Trailer", "Te", "Content-Length", "Opc-Request-Id"}

// fnInvocation is what the invoke endpoint learns from the state.
type fnInvocation struct {
	fn       Function
	detached time.Duration
}

// invocable returns the function id names, ready to run: ACTIVE, with its
// application's configuration merged under its own.
func (f *functionsState) invocable(id string) (fnInvocation, *apiError) {
	fn, err := f.liveFunction(id)
	if err != nil {
		return fnInvocation{}, err
	}
	if fn.State != fnActive {
		return fnInvocation{}, errConflict(codeIncorrectState, "function %s is %s; it can be invoked only when ACTIVE", id, fn.State)
	}
	a := f.apps[fn.ApplicationID]
	config := map[string]string{}
	appName := ""
	if a != nil {
		maps.Copy(config, a.Config)
		appName = a.DisplayName
	}
	maps.Copy(config, fn.Config)
	detached := fn.TimeoutSeconds
	if fn.DetachedTimeoutSeconds != nil {
		detached = *fn.DetachedTimeoutSeconds
	}
	return fnInvocation{
		fn: Function{ID: fn.ID, Name: fn.DisplayName, ApplicationID: fn.ApplicationID, ApplicationName: appName,
			Image: fn.Image, ImageDigest: fn.ImageDigest, MemoryMB: fn.MemoryMB, TimeoutSeconds: fn.TimeoutSeconds, Config: config},
		detached: time.Duration(detached) * time.Second,
	}, nil
}

// fnInvokeHeaders checks the invoke request's headers: fn-intent
// (httprequest or cloudevent), fn-invoke-type (sync or detached) and
// is-dry-run (a boolean).
func fnInvokeHeaders(r *http.Request) (detached, dryRun bool, err *apiError) {
	switch v := r.Header.Get("fn-intent"); v {
	case "", "httprequest", "cloudevent":
	default:
		return false, false, errBadRequest("fn-intent %q must be httprequest or cloudevent", v)
	}
	switch v := r.Header.Get("fn-invoke-type"); v {
	case "", "sync":
	case "detached":
		detached = true
	default:
		return false, false, errBadRequest("fn-invoke-type %q must be sync or detached", v)
	}
	if v := r.Header.Get("is-dry-run"); v != "" {
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			return false, false, errBadRequest("is-dry-run %q must be true or false", v)
		}
		dryRun = b
	}
	return detached, dryRun, nil
}

// fnInvoke serves the invoke endpoint.
func (s *Server) fnInvoke() http.HandlerFunc {
	f := s.st.fns
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.begin(w, r, maxInvokeBody)
		if !ok {
			return
		}
		detached, dryRun, aerr := fnInvokeHeaders(r)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		var inv fnInvocation
		f.locked(func() { inv, aerr = f.invocable(r.PathValue("id")) })
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		switch {
		case dryRun:
			w.WriteHeader(http.StatusOK)
		case detached:
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), inv.detached)
			req := fnInvokeRequest(ctx, r, c.body)
			go func() {
				defer cancel()
				if resp, err := f.invoker.Invoke(ctx, inv.fn, req); err == nil && resp != nil && resp.Body != nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			}()
			w.WriteHeader(http.StatusAccepted)
		default:
			f.invokeSync(w, r, c.body, inv.fn)
		}
	}
}

// fnInvokeRequest is the request handed to the invoker: the invoke request
// with its body restored and without the caller's signature.
func fnInvokeRequest(ctx context.Context, r *http.Request, body []byte) *http.Request {
	req := r.Clone(ctx)
	req.Header.Del("Authorization")
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return req
}

// fnResult is an invoker's answer, read in full.
type fnResult struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// invokeSync runs the function and copies its answer to w. The invoker
// runs in its own goroutine so that the deadline holds even if it does not
// honour its context.
func (f *functionsState) invokeSync(w http.ResponseWriter, r *http.Request, body []byte, fn Function) {
	timeout := time.Duration(fn.TimeoutSeconds) * time.Second
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	done := make(chan fnResult, 1)
	go func() {
		resp, err := f.invoker.Invoke(ctx, fn, fnInvokeRequest(ctx, r, body))
		if err != nil || resp == nil {
			if err == nil {
				err = errors.New("the invoker returned no response")
			}
			done <- fnResult{err: err}
			return
		}
		res := fnResult{status: resp.StatusCode, header: resp.Header}
		if resp.Body != nil {
			res.body, res.err = io.ReadAll(io.LimitReader(resp.Body, maxInvokeBody+1))
			_ = resp.Body.Close()
		}
		done <- res
	}()
	var res fnResult
	select {
	case res = <-done:
	case <-ctx.Done():
		res.err = ctx.Err()
	}
	if res.err != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			writeError(w, &apiError{Status: http.StatusGatewayTimeout, Code: fnCodeInvokeTimeout,
				Message: fmt.Sprintf("function %s did not answer within its timeout of %s", fn.ID, timeout)})
		}
		return // otherwise the caller went away
	}
	switch {
	case res.err != nil:
		writeError(w, &apiError{Status: http.StatusBadGateway, Code: fnCodeInvokeFailed,
			Message: fmt.Sprintf("function %s failed: %v", fn.ID, res.err)})
		return
	case len(res.body) > maxInvokeBody:
		writeError(w, &apiError{Status: http.StatusBadGateway, Code: fnCodeResponseTooBig,
			Message: fmt.Sprintf("function %s answered more than %d bytes", fn.ID, maxInvokeBody)})
		return
	}
	for k, vs := range res.header {
		if !fnIsHopHeader(k) {
			w.Header()[k] = vs
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(res.body)))
	status := res.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(res.body)
}

func fnIsHopHeader(k string) bool {
	for _, h := range fnHopHeaders {
		if http.CanonicalHeaderKey(k) == h {
			return true
		}
	}
	return false
}
