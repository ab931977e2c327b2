package emulator

import (
	"context"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/artifacts"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/core"
	identitysdk "github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/logging"
	"github.com/stretchr/testify/require"
)

// iamEnv is an emulator on a hand-moved clock (default latency: 20 ms
// accepted, 80 ms in progress) with the real SDK's Identity, Logging,
// Core networking and Artifacts clients pointed at it. Every client has
// no circuit breaker and no retries, so that every error surfaces once.
type iamEnv struct {
	t     *testing.T
	s     *Server
	clock *apigwTestClock
	ctx   context.Context

	id   identitysdk.IdentityClient
	logs logging.LoggingManagementClient
	net  core.VirtualNetworkClient
	arts artifacts.ArtifactsClient
}

// iamStart starts an emulator for one test.
func iamStart(t *testing.T) *iamEnv {
	t.Helper()
	clock := newAPIGWTestClock()
	s := startTest(t, withClock(clock.now))
	cp := s.ConfigurationProvider()
	e := &iamEnv{t: t, s: s, clock: clock, ctx: context.Background()}
	var err error
	e.id, err = identitysdk.NewIdentityClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	e.logs, err = logging.NewLoggingManagementClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	e.net, err = core.NewVirtualNetworkClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	e.arts, err = artifacts.NewArtifactsClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	info := s.Info()
	noRetry := common.NoRetryPolicy()
	for _, c := range []struct {
		bc   *common.BaseClient
		host string
	}{
		{&e.id.BaseClient, info.Endpoints.Identity},
		{&e.logs.BaseClient, info.Endpoints.Logging},
		{&e.net.BaseClient, info.Endpoints.APIGateway}, // every service shares the control plane's URL
		{&e.arts.BaseClient, info.Endpoints.APIGateway},
	} {
		c.bc.Host = c.host
		c.bc.Configuration.CircuitBreaker = nil
		c.bc.Configuration.RetryPolicy = &noRetry
	}
	return e
}

// settle moves the clock past the latency model, so that every pending
// work request finishes at the next request.
func (e *iamEnv) settle() { e.clock.add(100 * time.Millisecond) }

// raw sends a signed request the SDK would not send and returns the
// status and the decoded error (or the raw body in Body).
func (e *iamEnv) raw(method, path, body string, header map[string]string) apigwRawResponse {
	e.t.Helper()
	return (&apigwClients{s: e.s}).raw(e.t, method, path, []byte(body), header)
}

// locked runs fn with the emulator's state locked.
func (e *iamEnv) locked(fn func(st *state)) {
	e.s.st.mu.Lock()
	defer e.s.st.mu.Unlock()
	fn(e.s.st)
}
