package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// fnEnv is an emulator with the real SDK's Functions clients pointed at it.
type fnEnv struct {
	t    testing.TB
	s    *Server
	mgmt functions.FunctionsManagementClient
	wr   functions.WorkRequestManagementClient
	ctx  context.Context
}

// fnStart starts an emulator for one test. Unless opts set a latency, work
// requests complete at the next request (zero latency).
func fnStart(t *testing.T, opts ...Option) *fnEnv {
	t.Helper()
	s := startTest(t, append([]Option{WithLatency(Latency{})}, opts...)...)
	return fnEnvOf(t, s)
}

func fnEnvOf(t testing.TB, s *Server) *fnEnv {
	cp := s.ConfigurationProvider()
	mgmt, err := functions.NewFunctionsManagementClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	mgmt.Host = s.Info().Endpoints.Functions
	wr, err := functions.NewWorkRequestManagementClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	wr.Host = s.Info().Endpoints.Functions
	// Errors are provoked on purpose: no breaker, and no retries of 409s.
	noRetry := common.NoRetryPolicy()
	for _, bc := range []*common.BaseClient{&mgmt.BaseClient, &wr.BaseClient} {
		bc.Configuration.CircuitBreaker = nil
		bc.Configuration.RetryPolicy = &noRetry
	}
	return &fnEnv{t: t, s: s, mgmt: mgmt, wr: wr, ctx: context.Background()}
}

// invokeClient is a FunctionsInvokeClient for a function's invoke endpoint.
func (e *fnEnv) invokeClient(endpoint string) functions.FunctionsInvokeClient {
	c, err := functions.NewFunctionsInvokeClientWithConfigurationProvider(e.s.ConfigurationProvider(), endpoint)
	require.NoError(e.t, err)
	c.Configuration.CircuitBreaker = nil
	return c
}

// fnPush pushes a small image built for the given platforms ("os/arch")
// to repoTag ("fns/hello:0.0.1") in the emulator's registry: one platform
// makes an image, several make an index. It returns the full reference and
// the digest.
func fnPush(t testing.TB, s *Server, repoTag string, platforms ...string) (string, string) {
	t.Helper()
	info := s.Info()
	ref, err := name.ParseReference(info.Registry + "/" + info.Namespace + "/" + repoTag)
	require.NoError(t, err)
	auth := remote.WithAuth(&authn.Basic{Username: info.RegistryUsername, Password: info.RegistryToken})
	image := func(platform string) v1.Image {
		img, err := random.Image(64, 1)
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, _ = strings.Cut(platform, "/")
		img, err = mutate.ConfigFile(img, cf)
		require.NoError(t, err)
		return img
	}
	if len(platforms) == 1 {
		img := image(platforms[0])
		require.NoError(t, remote.Write(ref, img, auth))
		d, err := img.Digest()
		require.NoError(t, err)
		return ref.String(), d.String()
	}
	var idx v1.ImageIndex = empty.Index
	for _, p := range platforms {
		os, arch, _ := strings.Cut(p, "/")
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: image(p),
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: os, Architecture: arch}}})
	}
	require.NoError(t, remote.WriteIndex(ref, idx, auth))
	d, err := idx.Digest()
	require.NoError(t, err)
	return ref.String(), d.String()
}

// createApp creates an application and waits until it is ACTIVE.
func (e *fnEnv) createApp(name string, shape functions.CreateApplicationDetailsShapeEnum) functions.Application {
	e.t.Helper()
	info := e.s.Info()
	resp, err := e.mgmt.CreateApplication(e.ctx, functions.CreateApplicationRequest{CreateApplicationDetails: functions.CreateApplicationDetails{
		CompartmentId: &info.CompartmentID, DisplayName: common.String(name), SubnetIds: []string{info.SubnetID}, Shape: shape,
		Config: map[string]string{"APP_LEVEL": "app", "SHARED": "from-app"},
	}})
	require.NoError(e.t, err)
	e.wait(*resp.OpcWorkRequestId)
	got, err := e.mgmt.GetApplication(e.ctx, functions.GetApplicationRequest{ApplicationId: resp.Id})
	require.NoError(e.t, err)
	require.Equal(e.t, functions.ApplicationLifecycleStateActive, got.LifecycleState)
	return got.Application
}

// fnDetails is a valid CreateFunctionDetails for the application.
func fnDetails(appID, name, image string) functions.CreateFunctionDetails {
	return functions.CreateFunctionDetails{
		DisplayName: common.String(name), ApplicationId: common.String(appID), MemoryInMBs: common.Int64(256),
		SourceDetails: functions.CreateContainerImageFunctionSourceDetails{Image: common.String(image)},
	}
}

// createFn creates a function and waits until it is ACTIVE.
func (e *fnEnv) createFn(d functions.CreateFunctionDetails) functions.Function {
	e.t.Helper()
	resp, err := e.mgmt.CreateFunction(e.ctx, functions.CreateFunctionRequest{CreateFunctionDetails: d})
	require.NoError(e.t, err)
	e.wait(*resp.OpcWorkRequestId)
	got, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: resp.Id})
	require.NoError(e.t, err)
	require.Equal(e.t, functions.FunctionLifecycleStateActive, got.LifecycleState)
	return got.Function
}

// wait polls a work request until it is done, and requires it succeeded.
func (e *fnEnv) wait(id string) functions.WorkRequest {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := e.wr.GetWorkRequest(e.ctx, functions.GetWorkRequestRequest{WorkRequestId: &id})
		require.NoError(e.t, err)
		switch resp.Status {
		case functions.OperationStatusSucceeded:
			return resp.WorkRequest
		case functions.OperationStatusFailed, functions.OperationStatusCanceled:
			e.t.Fatalf("work request %s ended %s", id, resp.Status)
		}
		require.True(e.t, time.Now().Before(deadline), "work request %s still %s", id, resp.Status)
		time.Sleep(10 * time.Millisecond)
	}
}

// raw sends a signed request the SDK would not send (bad JSON, wrong
// types, unknown fields) and returns the status and the decoded error.
func (e *fnEnv) raw(method, path string, body string, header ...string) (int, map[string]string) {
	e.t.Helper()
	status, data, _ := fnRawRequest(e.t, e.s, method, path, []byte(body), header...)
	out := map[string]string{}
	if len(data) > 0 && data[0] == '{' {
		require.NoError(e.t, json.Unmarshal(data, &out), "%s", data)
	}
	return status, out
}

// fnRawRequest signs and sends a request to the control plane; header is
// key, value pairs.
func fnRawRequest(t testing.TB, s *Server, method, path string, body []byte, header ...string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.Info().Endpoints.Functions+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	require.NoError(t, common.DefaultRequestSigner(s.ConfigurationProvider()).Sign(req))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data, resp.Header
}

// fnRequireError requires err to be an OCI error with the status,
// code and a message containing fragment.
func fnRequireError(t testing.TB, err error, status int, code, fragment string) {
	t.Helper()
	require.Error(t, err)
	var se common.ServiceError
	require.True(t, errors.As(err, &se), "want a ServiceError, got %v", err)
	require.Equal(t, status, se.GetHTTPStatusCode(), "%v", err)
	require.Equal(t, code, se.GetCode(), "%v", err)
	require.Contains(t, se.GetMessage(), fragment)
	require.NotEmpty(t, se.GetOpcRequestID())
}

// fnClock is a clock tests move by hand (it starts at the real time, so
// that signatures stay within the allowed skew).
type fnClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFnClock() *fnClock { return &fnClock{t: time.Now()} }

func (c *fnClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fnClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
