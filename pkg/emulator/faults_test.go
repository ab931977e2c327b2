package emulator

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

func TestParseFaults(t *testing.T) {
	t.Parallel()
	f, err := ParseFaults("seed=42, 429=3s@0.2, 503@0.1:PUT /20190501/deployments, reset@0.05, slow=2s@0.1, workrequest@1:UPDATE_DEPLOYMENT, upload@0.2")
	require.NoError(t, err)
	require.Equal(t, Faults{Seed: 42, Rules: []FaultRule{
		{Kind: Fault429, Rate: 0.2, Arg: 3 * time.Second},
		{Kind: Fault503, Rate: 0.1, Match: "PUT /20190501/deployments"},
		{Kind: FaultReset, Rate: 0.05},
		{Kind: FaultSlow, Rate: 0.1, Arg: 2 * time.Second},
		{Kind: FaultWorkRequest, Rate: 1, Match: "UPDATE_DEPLOYMENT"},
		{Kind: FaultUpload, Rate: 0.2},
	}}, f)
	for _, bad := range []string{"seed=-1", "429", "teapot@0.5", "500@0", "500@1.5", "500@x", "500=1s@0.5", "slow=fast@0.5", "429=-1s@0.5"} {
		_, err := ParseFaults(bad)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "faults:", bad)
	}
	_, err = Start(context.Background(), WithFaults(Faults{Rules: []FaultRule{{Kind: Fault500, Rate: 2}}}))
	require.Error(t, err)
}

// outcomes makes n GetGateway calls without retries and returns a string of
// "." (answered) and "x" (failed).
func outcomes(t *testing.T, s *Server, n int) string {
	t.Helper()
	c := newAPIGWClients(t, s)
	id := s.Info().GatewayID
	var b strings.Builder
	for range n {
		_, err := c.gw.GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: &id})
		if err != nil {
			b.WriteByte('x')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestFaultsAreDeterministic(t *testing.T) {
	t.Parallel()
	faults := func(seed uint64) Option {
		return WithFaults(Faults{Seed: seed, Rules: []FaultRule{{Kind: Fault500, Rate: 0.3, Match: "GET /20190501/gateways/"}}})
	}
	a := outcomes(t, startTest(t, faults(7)), 40)
	b := outcomes(t, startTest(t, faults(7)), 40)
	c := outcomes(t, startTest(t, faults(8)), 40)
	require.Equal(t, a, b, "the same seed gives the same failures")
	require.NotEqual(t, a, c, "another seed gives other failures")
	require.Contains(t, a, "x")
	require.Contains(t, a, ".")
	// The rule's match is honoured: listing is never failed by it.
	s := startTest(t, faults(7))
	lc := newAPIGWClients(t, s)
	comp := s.Info().CompartmentID
	for range 20 {
		_, err := lc.gw.ListGateways(context.Background(), apigateway.ListGatewaysRequest{CompartmentId: &comp})
		require.NoError(t, err)
	}
	require.Zero(t, s.InjectedFaults()[Fault500])
}

func TestFaultKinds(t *testing.T) {
	t.Parallel()
	get := func(t *testing.T, rule FaultRule) (time.Duration, *Server, error) {
		s := startTest(t, WithFaults(Faults{Rules: []FaultRule{rule}}))
		c := newAPIGWClients(t, s)
		id := s.Info().GatewayID
		start := time.Now()
		_, err := c.gw.GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: &id})
		return time.Since(start), s, err
	}
	t.Run("429 with retry-after", func(t *testing.T) {
		t.Parallel()
		_, s, err := get(t, FaultRule{Kind: Fault429, Rate: 1, Arg: 3 * time.Second})
		se := serviceError(t, err)
		require.Equal(t, http.StatusTooManyRequests, se.GetHTTPStatusCode())
		require.Equal(t, "TooManyRequests", se.GetCode())
		require.Equal(t, 1, s.InjectedFaults()[Fault429])
		// The header, as a raw client sees it.
		resp, err := http.Get(s.Info().Endpoints.APIGateway + "/20190501/gateways/x")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, "3", resp.Header.Get("retry-after"))
	})
	t.Run("503", func(t *testing.T) {
		t.Parallel()
		_, _, err := get(t, FaultRule{Kind: Fault503, Rate: 1})
		require.Equal(t, http.StatusServiceUnavailable, serviceError(t, err).GetHTTPStatusCode())
	})
	t.Run("connection reset", func(t *testing.T) {
		t.Parallel()
		_, s, err := get(t, FaultRule{Kind: FaultReset, Rate: 1})
		require.Error(t, err)
		var se common.ServiceError
		require.False(t, errors.As(err, &se), "a reset is a network error, not a service error: %v", err)
		require.Equal(t, 1, s.InjectedFaults()[FaultReset])
	})
	t.Run("slow", func(t *testing.T) {
		t.Parallel()
		took, _, err := get(t, FaultRule{Kind: FaultSlow, Rate: 1, Arg: 300 * time.Millisecond})
		require.NoError(t, err)
		require.GreaterOrEqual(t, took, 300*time.Millisecond)
	})
}

func TestWorkRequestFaultsLeaveResourcesConsistent(t *testing.T) {
	t.Parallel()
	t.Run("a failed function update leaves the function as it was", func(t *testing.T) {
		t.Parallel()
		e := fnStart(t, WithFaults(Faults{Rules: []FaultRule{{Kind: FaultWorkRequest, Rate: 1, Match: "UPDATE_FUNCTION"}}}))
		image, _ := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
		image2, _ := fnPush(t, e.s, "fns/hello:0.0.2", "linux/amd64")
		app := e.createApp("app", "")
		fn := e.createFn(fnDetails(*app.Id, "hello", image))
		resp, err := e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: fn.Id,
			UpdateFunctionDetails: functions.UpdateFunctionDetails{SourceDetails: functions.UpdateContainerImageFunctionSourceDetails{Image: &image2}}})
		require.NoError(t, err)
		wr, err := e.wr.GetWorkRequest(e.ctx, functions.GetWorkRequestRequest{WorkRequestId: resp.OpcWorkRequestId})
		require.NoError(t, err)
		require.Equal(t, functions.OperationStatusFailed, wr.Status)
		got, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: fn.Id})
		require.NoError(t, err)
		require.Equal(t, functions.FunctionLifecycleStateActive, got.LifecycleState)
		require.Equal(t, image, *got.SourceDetails.(functions.ContainerImageFunctionSourceDetails).Image, "the old image stays")
	})
	t.Run("a failed deployment create leaves it FAILED", func(t *testing.T) {
		t.Parallel()
		s := startTest(t, WithLatency(Latency{}), WithFaults(Faults{Rules: []FaultRule{{Kind: FaultWorkRequest, Rate: 1, Match: "CREATE_DEPLOYMENT"}}}))
		c := newAPIGWClients(t, s)
		created, err := c.dep.CreateDeployment(context.Background(), apigateway.CreateDeploymentRequest{CreateDeploymentDetails: c.createDetails("/v1")})
		require.NoError(t, err)
		wr, err := c.wr.GetWorkRequest(context.Background(), apigateway.GetWorkRequestRequest{WorkRequestId: created.OpcWorkRequestId})
		require.NoError(t, err)
		require.Equal(t, apigateway.WorkRequestStatusFailed, wr.Status)
		got, err := c.dep.GetDeployment(context.Background(), apigateway.GetDeploymentRequest{DeploymentId: created.Id})
		require.NoError(t, err)
		require.Equal(t, apigateway.DeploymentLifecycleStateFailed, got.LifecycleState)
		require.Equal(t, 1, s.InjectedFaults()[FaultWorkRequest])
	})
}

func TestRegistryUploadFaults(t *testing.T) {
	t.Parallel()
	s := startTest(t, WithFaults(Faults{Rules: []FaultRule{{Kind: FaultUpload, Rate: 1}}}))
	info := s.Info()
	ref, err := name.ParseReference(info.Registry + "/" + info.Namespace + "/fns/x:1")
	require.NoError(t, err)
	img, err := random.Image(64, 1)
	require.NoError(t, err)
	err = remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: info.RegistryUsername, Password: info.RegistryToken}),
		remote.WithRetryBackoff(remote.Backoff{Duration: time.Millisecond, Steps: 1}))
	require.ErrorContains(t, err, "injected fault")
	_, err = remote.Head(ref, remote.WithAuth(&authn.Basic{Username: info.RegistryUsername, Password: info.RegistryToken}))
	require.Error(t, err, "no tag after a failed push")
	require.Positive(t, s.InjectedFaults()[FaultUpload])
}
