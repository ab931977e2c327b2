package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"
)

// apigwClients are real SDK clients pointed at one emulator, with the
// circuit breaker off and no retries, so that every error surfaces once.
type apigwClients struct {
	s   *Server
	dep apigateway.DeploymentClient
	wr  apigateway.WorkRequestsClient
	gw  apigateway.GatewayClient
}

func newAPIGWClients(t testing.TB, s *Server) *apigwClients {
	t.Helper()
	cp := s.ConfigurationProvider()
	host := s.Info().Endpoints.APIGateway
	noRetry := common.NoRetryPolicy()
	dep, err := apigateway.NewDeploymentClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	dep.Host, dep.Configuration.CircuitBreaker, dep.Configuration.RetryPolicy = host, nil, &noRetry
	wr, err := apigateway.NewWorkRequestsClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	wr.Host, wr.Configuration.CircuitBreaker, wr.Configuration.RetryPolicy = host, nil, &noRetry
	gw, err := apigateway.NewGatewayClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	gw.Host, gw.Configuration.CircuitBreaker, gw.Configuration.RetryPolicy = host, nil, &noRetry
	return &apigwClients{s: s, dep: dep, wr: wr, gw: gw}
}

// apigwTestClock is a clock tests move by hand. It starts at the real
// time: requests are signed with the real time and the emulator allows 5
// minutes of skew, so tests move it by seconds at most.
type apigwTestClock struct {
	mu sync.Mutex
	t  time.Time
}

func newAPIGWTestClock() *apigwTestClock { return &apigwTestClock{t: time.Now()} }

func (c *apigwTestClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *apigwTestClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startAPIGW starts an emulator on a hand-moved clock with the default
// latency (20 ms accepted, 80 ms in progress).
func startAPIGW(t testing.TB) (*apigwClients, *apigwTestClock) {
	t.Helper()
	clock := newAPIGWTestClock()
	s, err := Start(context.Background(), withClock(clock.now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return newAPIGWClients(t, s), clock
}

// apigwStockRoute is a route answered by a stock response.
func apigwStockRoute(path string) apigateway.ApiSpecificationRoute {
	return apigateway.ApiSpecificationRoute{
		Path:    common.String(path),
		Methods: []apigateway.ApiSpecificationRouteMethodsEnum{apigateway.ApiSpecificationRouteMethodsGet},
		Backend: apigateway.StockResponseBackend{Status: common.Int(200), Body: common.String("ok")},
	}
}

// apigwCreateDetails is a valid create request for prefix on the seeded
// gateway.
func (c *apigwClients) createDetails(prefix string) apigateway.CreateDeploymentDetails {
	info := c.s.Info()
	return apigateway.CreateDeploymentDetails{
		GatewayId:     common.String(info.GatewayID),
		CompartmentId: common.String(info.CompartmentID),
		PathPrefix:    common.String(prefix),
		DisplayName:   common.String("api" + strings.ReplaceAll(prefix, "/", "-")),
		Specification: &apigateway.ApiSpecification{Routes: []apigateway.ApiSpecificationRoute{apigwStockRoute("/hello")}},
	}
}

func (c *apigwClients) create(t testing.TB, d apigateway.CreateDeploymentDetails) apigateway.CreateDeploymentResponse {
	t.Helper()
	resp, err := c.dep.CreateDeployment(context.Background(), apigateway.CreateDeploymentRequest{CreateDeploymentDetails: d})
	require.NoError(t, err)
	return resp
}

func (c *apigwClients) get(t testing.TB, id string) apigateway.GetDeploymentResponse {
	t.Helper()
	resp, err := c.dep.GetDeployment(context.Background(), apigateway.GetDeploymentRequest{DeploymentId: common.String(id)})
	require.NoError(t, err)
	return resp
}

func (c *apigwClients) workRequest(t testing.TB, id string) apigateway.GetWorkRequestResponse {
	t.Helper()
	resp, err := c.wr.GetWorkRequest(context.Background(), apigateway.GetWorkRequestRequest{WorkRequestId: common.String(id)})
	require.NoError(t, err)
	return resp
}

// createActive creates a deployment and moves the clock until it is ACTIVE.
func (c *apigwClients) createActive(t testing.TB, clock *apigwTestClock, d apigateway.CreateDeploymentDetails) apigateway.GetDeploymentResponse {
	t.Helper()
	resp := c.create(t, d)
	clock.add(100 * time.Millisecond)
	got := c.get(t, *resp.Id)
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, got.LifecycleState)
	return got
}

// requireServiceError checks an SDK error's status, code and message.
func requireServiceError(t *testing.T, err error, status int, code, fragment string) {
	t.Helper()
	require.Error(t, err)
	se := serviceError(t, err)
	require.Equal(t, status, se.GetHTTPStatusCode(), "%v", err)
	require.Equal(t, code, se.GetCode(), "%v", err)
	require.Contains(t, se.GetMessage(), fragment)
	require.NotEmpty(t, se.GetOpcRequestID())
}

// apigwRawResponse is an answer to a request made without the SDK's model.
type apigwRawResponse struct {
	Status  int
	Header  http.Header
	Code    string `json:"code"`
	Message string `json:"message"`
	Body    []byte
}

// raw sends a request signed with the emulator's key as the SDK signs it,
// with any body: for what the SDK's typed model cannot send (bad JSON,
// missing query parameters, unknown enum values in queries).
func (c *apigwClients) raw(t testing.TB, method, path string, body []byte, header map[string]string) apigwRawResponse {
	t.Helper()
	req, err := http.NewRequest(method, c.s.Info().Endpoints.APIGateway+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	require.NoError(t, common.DefaultRequestSigner(c.s.ConfigurationProvider()).Sign(req))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := apigwRawResponse{Status: resp.StatusCode, Header: resp.Header}
	out.Body, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode >= 400 {
		require.NoError(t, json.Unmarshal(out.Body, &out), "error body %s", out.Body)
	}
	return out
}

// apigwTestdata reads a file of testdata/apigw.
func apigwTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "apigw", name))
	require.NoError(t, err)
	return data
}

// apigwSpecFrom decodes a specification with the SDK's model.
func apigwSpecFrom(t testing.TB, data []byte) *apigateway.ApiSpecification {
	t.Helper()
	var spec apigateway.ApiSpecification
	require.NoError(t, json.Unmarshal(data, &spec))
	return &spec
}

// locked runs fn with the emulator's state locked, for tests that look
// at or change the store directly.
func (c *apigwClients) locked(fn func(a *apigwState)) {
	c.s.st.mu.Lock()
	defer c.s.st.mu.Unlock()
	fn(c.s.st.apigw)
}

// addGateway adds an ACTIVE gateway next to the seeded one.
func (c *apigwClients) addGateway() string {
	var id string
	c.locked(func(a *apigwState) {
		seeded := *a.gateways[a.seededGatewayID()]
		id = newOCID("apigateway", a.st.key)
		seeded.Id = common.String(id)
		a.gateways[id] = &seeded
		a.order = append(a.order, id)
	})
	return id
}
