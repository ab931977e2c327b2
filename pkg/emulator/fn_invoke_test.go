package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// fnTestInvoker answers by the function's name: "echo" echoes the body
// and the fn-intent header, "broken" fails, "slow" waits for its deadline,
// "stubborn" ignores its context, "huge" answers more than 6 MB; any other
// name echoes like "echo".
type fnTestInvoker struct {
	mu    sync.Mutex
	calls []fnTestCall
}

type fnTestCall struct {
	fn     Function
	intent string
	typ    string
	body   []byte
}

func (inv *fnTestInvoker) Invoke(ctx context.Context, fn Function, req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	inv.mu.Lock()
	inv.calls = append(inv.calls, fnTestCall{fn: fn, intent: req.Header.Get("fn-intent"), typ: req.Header.Get("fn-invoke-type"), body: body})
	inv.mu.Unlock()
	answer := func(status int, body []byte) *http.Response {
		return &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(body)), Header: http.Header{
			"Content-Type": {"text/plain"}, "X-Fn-Intent": {req.Header.Get("fn-intent")}, "Connection": {"close"},
		}}
	}
	switch fn.Name {
	case "broken":
		return nil, errors.New("the container exited with status 1")
	case "slow":
		<-ctx.Done()
		return nil, ctx.Err()
	case "stubborn":
		time.Sleep(3 * time.Second)
		return answer(http.StatusOK, nil), nil
	case "huge":
		return answer(http.StatusOK, make([]byte, maxInvokeBody+1)), nil
	}
	if len(body) > 1024 {
		return answer(http.StatusCreated, fmt.Appendf(nil, "%d bytes", len(body))), nil
	}
	return answer(http.StatusCreated, append([]byte("echo:"), body...)), nil
}

func (inv *fnTestInvoker) callsTo(name string) []fnTestCall {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	var out []fnTestCall
	for _, c := range inv.calls {
		if c.fn.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// TestFunctionsInvoke invokes functions through the SDK's
// FunctionsInvokeClient with a test invoker.
func TestFunctionsInvoke(t *testing.T) {
	t.Parallel()
	inv := &fnTestInvoker{}
	e := fnStart(t, WithFunctionInvoker(inv))
	image, digest := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	app := e.createApp("app", "")
	fns := map[string]functions.Function{}
	// "bulk" echoes like "echo"; the big-body subtests use it so that they do
	// not add calls to "echo", whose calls a parallel subtest counts.
	for _, name := range []string{"echo", "bulk", "broken", "slow", "stubborn", "huge", "detached"} {
		d := fnDetails(*app.Id, name, image)
		d.TimeoutInSeconds = common.Int(1)
		d.Config = map[string]string{"SHARED": "from-fn", "FN_LEVEL": "fn"}
		fns[name] = e.createFn(d)
	}
	invoke := func(name string, req functions.InvokeFunctionRequest) (functions.InvokeFunctionResponse, error) {
		fn := fns[name]
		req.FunctionId = fn.Id
		return e.invokeClient(*fn.InvokeEndpoint).InvokeFunction(e.ctx, req)
	}
	body := func(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

	t.Run("echo", func(t *testing.T) {
		t.Parallel()
		resp, err := invoke("echo", functions.InvokeFunctionRequest{InvokeFunctionBody: body(`{"name":"osa"}`), FnIntent: functions.InvokeFunctionFnIntentHttprequest})
		require.NoError(t, err)
		defer resp.Content.Close()
		out, err := io.ReadAll(resp.Content)
		require.NoError(t, err)
		require.Equal(t, `echo:{"name":"osa"}`, string(out))
		require.Equal(t, http.StatusCreated, resp.RawResponse.StatusCode, "the function's status comes back")
		require.Equal(t, "httprequest", resp.RawResponse.Header.Get("X-Fn-Intent"))
		require.NotEmpty(t, *resp.OpcRequestId)
		calls := inv.callsTo("echo")
		require.Len(t, calls, 1)
		fn := calls[0].fn
		require.Equal(t, "httprequest", calls[0].intent)
		require.Equal(t, *fns["echo"].Id, fn.ID)
		require.Equal(t, *app.Id, fn.ApplicationID)
		require.Equal(t, "app", fn.ApplicationName)
		require.Equal(t, image, fn.Image)
		require.Equal(t, digest, fn.ImageDigest)
		require.Equal(t, int64(256), fn.MemoryMB)
		require.Equal(t, 1, fn.TimeoutSeconds)
		require.Equal(t, map[string]string{"APP_LEVEL": "app", "SHARED": "from-fn", "FN_LEVEL": "fn"}, fn.Config, "the function's configuration overrides the application's")
	})
	t.Run("6 MB body", func(t *testing.T) {
		t.Parallel()
		resp, err := invoke("bulk", functions.InvokeFunctionRequest{InvokeFunctionBody: io.NopCloser(bytes.NewReader(make([]byte, maxInvokeBody)))})
		require.NoError(t, err)
		out, _ := io.ReadAll(resp.Content)
		require.Equal(t, fmt.Sprintf("%d bytes", maxInvokeBody), string(out))
	})
	t.Run("larger body", func(t *testing.T) {
		t.Parallel()
		_, err := invoke("bulk", functions.InvokeFunctionRequest{InvokeFunctionBody: io.NopCloser(bytes.NewReader(make([]byte, maxInvokeBody+1)))})
		fnRequireError(t, err, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "larger than 6291456 bytes")
	})
	t.Run("invoker error", func(t *testing.T) {
		t.Parallel()
		_, err := invoke("broken", functions.InvokeFunctionRequest{})
		fnRequireError(t, err, http.StatusBadGateway, "FunctionInvokeFailed", "the container exited with status 1")
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"slow", "stubborn"} {
			start := time.Now()
			_, err := invoke(name, functions.InvokeFunctionRequest{})
			fnRequireError(t, err, http.StatusGatewayTimeout, "FunctionInvokeTimeout", "did not answer within its timeout of 1s")
			elapsed := time.Since(start)
			require.True(t, elapsed >= time.Second && elapsed < 2900*time.Millisecond, "%s answered after %s", name, elapsed)
		}
	})
	t.Run("answer too large", func(t *testing.T) {
		t.Parallel()
		_, err := invoke("huge", functions.InvokeFunctionRequest{})
		fnRequireError(t, err, http.StatusBadGateway, "FunctionInvokeResponseTooLarge", "more than 6291456 bytes")
	})
	t.Run("dry run", func(t *testing.T) {
		t.Parallel()
		resp, err := invoke("detached", functions.InvokeFunctionRequest{IsDryRun: common.Bool(true), InvokeFunctionBody: body("x")})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.RawResponse.StatusCode)
		require.Empty(t, inv.callsTo("detached"), "a dry run does not execute the function")

		resp, err = invoke("detached", functions.InvokeFunctionRequest{FnInvokeType: functions.InvokeFunctionFnInvokeTypeDetached, InvokeFunctionBody: body("later")})
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, resp.RawResponse.StatusCode)
		require.Eventually(t, func() bool { return len(inv.callsTo("detached")) == 1 }, 5*time.Second, 10*time.Millisecond)
		call := inv.callsTo("detached")[0]
		require.Equal(t, "detached", call.typ)
		require.Equal(t, "later", string(call.body))
	})
	t.Run("unknown function", func(t *testing.T) {
		t.Parallel()
		c := e.invokeClient(e.s.Info().Endpoints.Functions)
		_, err := c.InvokeFunction(e.ctx, functions.InvokeFunctionRequest{FunctionId: common.String("ocid1.fnfunc.oc1.iad.none")})
		fnRequireError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "function ocid1.fnfunc.oc1.iad.none not found")
	})
	t.Run("headers the SDK would refuse", func(t *testing.T) {
		t.Parallel()
		path := "/20260325/functions/" + *fns["echo"].Id + "/actions/invoke"
		for _, h := range [][]string{{"fn-intent", "rpc"}, {"fn-invoke-type", "async"}, {"is-dry-run", "maybe"}} {
			status, out := e.raw(http.MethodPost, path, "", h...)
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, "InvalidParameter", out["code"])
			require.Contains(t, out["message"], h[0])
		}
	})
}

// TestFunctionsInvokeWithoutRunner shows the default invoker's answer
// reaching the caller as is.
func TestFunctionsInvokeWithoutRunner(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	image, _ := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	fn := e.createFn(fnDetails(*e.createApp("app", "").Id, "f", image))
	_, err := e.invokeClient(*fn.InvokeEndpoint).InvokeFunction(e.ctx, functions.InvokeFunctionRequest{FunctionId: fn.Id})
	fnRequireError(t, err, http.StatusBadGateway, "FunctionInvokeNoRunner", "WithFunctionInvoker")

	// Through plain HTTP too, to see the JSON.
	status, data, header := fnRawRequest(t, e.s, http.MethodPost, "/20260325/functions/"+*fn.Id+"/actions/invoke", nil)
	require.Equal(t, http.StatusBadGateway, status)
	require.Equal(t, "application/json", header.Get("Content-Type"))
	var out map[string]string
	require.NoError(t, json.Unmarshal(data, &out))
	require.Equal(t, "FunctionInvokeNoRunner", out["code"])
}
