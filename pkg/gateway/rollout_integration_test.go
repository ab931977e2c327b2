package gateway_test

// Integration tests of the rollout primitives against pkg/emulator, through
// the real oci-go-sdk clients. They live in an external test package so
// that pkg/emulator may import pkg/gateway one day without a cycle.

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/oci-serverless/oci-serverless-api/pkg/emulator"
	"github.com/oci-serverless/oci-serverless-api/pkg/gateway"
)

// recorder counts the HTTP calls a client makes and their answers.
type recorder struct {
	next  common.HTTPRequestDispatcher
	mu    sync.Mutex
	calls []string // "METHOD /path STATUS"
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	status := "error"
	if err == nil {
		status = resp.Status[:3]
	}
	r.mu.Lock()
	r.calls = append(r.calls, req.Method+" "+req.URL.Path+" "+status)
	r.mu.Unlock()
	return resp, err
}

// count returns the calls whose text contains every part, and resets
// nothing.
func (r *recorder) count(parts ...string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if containsAll(c, parts) {
			n++
		}
	}
	return n
}

func (r *recorder) mutating() int {
	return r.count("POST ") + r.count("PUT ") + r.count("DELETE ")
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

type rig struct {
	ctx      context.Context
	srv      *emulator.Server
	deployer *gateway.Deployer
	calls    *recorder
	other    apigateway.DeploymentClient // another party, unrecorded
}

func startRig(t *testing.T, opts ...emulator.Option) *rig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	srv, err := emulator.Start(ctx, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	newClients := func() (apigateway.DeploymentClient, apigateway.WorkRequestsClient) {
		dc, err := apigateway.NewDeploymentClientWithConfigurationProvider(srv.ConfigurationProvider())
		if err != nil {
			t.Fatal(err)
		}
		wc, err := apigateway.NewWorkRequestsClientWithConfigurationProvider(srv.ConfigurationProvider())
		if err != nil {
			t.Fatal(err)
		}
		dc.Host, wc.Host = srv.Info().Endpoints.APIGateway, srv.Info().Endpoints.APIGateway
		return dc, wc
	}
	dc, wc := newClients()
	rec := &recorder{next: dc.HTTPClient}
	dc.HTTPClient, wc.HTTPClient = rec, &recorder{next: wc.HTTPClient}
	d, err := gateway.NewDeployer(dc, wc, gateway.WithPolling(10*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newClients()
	return &rig{ctx: ctx, srv: srv, deployer: d, calls: rec, other: other}
}

func functions(name string) (string, error) {
	return "ocid1.fnfunc.oc1.iad." + strings.ReplaceAll(name, "-", ""), nil
}

var seedEnv = map[string]string{
	"ORDERS_JWT_ISSUER": "https://your-identity-provider.com",
	"ORDERS_JWKS_URI":   "https://your-identity-provider.com/.well-known/jwks.json",
}

func (r *rig) desired(t *testing.T, major uint64, release string) gateway.Deployment {
	t.Helper()
	data, err := os.ReadFile("../../examples/orders/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec, _, err := gateway.LoadYAML("spec.yaml", data, env(seedEnv))
	if err != nil {
		t.Fatal(err)
	}
	v, err := gateway.ParseVersion(release)
	if err != nil {
		t.Fatal(err)
	}
	prefix, err := gateway.PathPrefix("", gateway.Version{Major: major})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := gateway.Tags{Managed: true, Release: v.String(), ActiveSlot: gateway.Blue}.Apply(nil)
	if err != nil {
		t.Fatal(err)
	}
	info := r.srv.Info()
	return gateway.Deployment{GatewayID: info.GatewayID, CompartmentID: info.CompartmentID, PathPrefix: prefix,
		DisplayName: gateway.DisplayName("orders", major), Spec: spec, FreeformTags: tags}
}

// rollout plans and applies, failing the test on error.
func (r *rig) rollout(t *testing.T, d gateway.Deployment) gateway.Result {
	t.Helper()
	p, err := r.deployer.Plan(r.ctx, d, functions)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.deployer.Apply(r.ctx, p)
	if err != nil {
		t.Fatalf("Apply(%s): %v", p.Action, err)
	}
	return res
}

func resolved(t *testing.T, s gateway.Spec) gateway.Spec {
	t.Helper()
	sdk, err := gateway.ToSDK(s, functions)
	if err != nil {
		t.Fatal(err)
	}
	out, err := gateway.FromSDK(sdk)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRolloutLifecycle(t *testing.T) {
	t.Parallel()
	r := startRig(t)

	// Create v1.
	v1 := r.desired(t, 1, "v1.0.0")
	res := r.rollout(t, v1)
	if res.Plan.Action != gateway.PlanCreate || !res.Changed || res.Live.State != "ACTIVE" {
		t.Fatalf("create: %+v", res)
	}
	if diff := cmp.Diff(resolved(t, v1.Spec), res.Live.Spec); diff != "" {
		t.Errorf("live spec after create (-want +got):\n%s", diff)
	}
	created := res.Live

	// The same spec again plans as no change, and applying it calls nothing.
	before := r.calls.mutating()
	res = r.rollout(t, v1)
	if res.Plan.Action != gateway.PlanNone || res.Changed || r.calls.mutating() != before {
		t.Errorf("no-op rollout: action %s, changed %v, %d mutating calls", res.Plan.Action, res.Changed, r.calls.mutating()-before)
	}

	// Update v1 in place.
	v11 := r.desired(t, 1, "v1.1.0")
	v11.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond = 250
	p, err := r.deployer.Plan(r.ctx, v11, functions)
	if err != nil {
		t.Fatal(err)
	}
	want := "orders-v1 (/v1, " + created.ID + "): update, 2 change(s)\n" +
		"  ~ request_policies.rate_limiting.rate_in_requests_per_second: 100 → 250\n" +
		"  ~ freeform_tags[osa-release]: \"v1.0.0\" → \"v1.1.0\"\n"
	if p.String() != want {
		t.Errorf("plan =\n%s\nwant\n%s", p, want)
	}
	res, err = r.deployer.Apply(r.ctx, p)
	if err != nil || !res.Changed || res.Live.ID != created.ID {
		t.Fatalf("update: %+v, %v", res, err)
	}
	if got := res.Live.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond; got != 250 || res.Live.FreeformTags["osa-release"] != "v1.1.0" {
		t.Errorf("after the update: rate %d, tags %v", got, res.Live.FreeformTags)
	}
	if r.calls.count("PUT ", "/deployments/", "202") != 1 {
		t.Errorf("want one accepted update, calls: %v", r.calls.calls)
	}

	// Restore the previous specification.
	restored, err := r.deployer.Restore(r.ctx, created)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(created.Spec, restored.Spec); diff != "" || restored.FreeformTags["osa-release"] != "v1.0.0" {
		t.Errorf("restored spec (-want +got):\n%s\ntags %v", diff, restored.FreeformTags)
	}

	// Create v2 beside v1.
	v2 := r.desired(t, 2, "v2.0.0")
	res = r.rollout(t, v2)
	if res.Plan.Action != gateway.PlanCreate || res.Live.PathPrefix != "/v2" || res.Live.ID == created.ID {
		t.Fatalf("create v2: %+v", res)
	}
	for _, name := range []string{"orders-v1", "orders-v2"} {
		if _, found, err := r.deployer.Find(r.ctx, v1.CompartmentID, v1.GatewayID, name); err != nil || !found {
			t.Errorf("Find(%s) = %v, %v", name, found, err)
		}
	}

	// Delete v2.
	if err := r.deployer.Delete(r.ctx, res.Live.ID); err != nil {
		t.Fatal(err)
	}
	if _, found, err := r.deployer.Find(r.ctx, v1.CompartmentID, v1.GatewayID, "orders-v2"); err != nil || found {
		t.Errorf("Find after delete = %v, %v", found, err)
	}

	// Errors from OCI carry the operation, the resource, the code and the
	// request id.
	_, err = r.deployer.Get(r.ctx, "ocid1.apideployment.oc1.iad.nope")
	var oe *gateway.OCIError
	if !errors.As(err, &oe) || oe.Operation != "GetDeployment" || oe.StatusCode != 404 || oe.Code == "" || oe.OpcRequestID == "" {
		t.Errorf("Get of an unknown deployment = %#v", err)
	}
}

// TestRolloutFailedWorkRequest checks that a failed update leaves (or
// puts back) the previous specification.
func TestRolloutFailedWorkRequest(t *testing.T) {
	t.Parallel()
	faults, err := emulator.ParseFaults("seed=1,workrequest@1:UPDATE_DEPLOYMENT")
	if err != nil {
		t.Fatal(err)
	}
	r := startRig(t, emulator.WithFaults(faults))
	before := r.rollout(t, r.desired(t, 1, "v1.0.0")).Live

	next := r.desired(t, 1, "v1.0.1")
	next.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond = 5
	p, err := r.deployer.Plan(r.ctx, next, functions)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.deployer.Apply(r.ctx, p)
	var wf *gateway.WorkRequestFailedError
	if !errors.As(err, &wf) || wf.Operation != "UPDATE_DEPLOYMENT" || wf.Status != "FAILED" || len(wf.Errors) == 0 {
		t.Fatalf("Apply = %v, want a failed UPDATE_DEPLOYMENT work request with its errors", err)
	}
	if !res.Restored || res.Changed {
		t.Errorf("result %+v, want restored and not changed", res)
	}
	live, err := r.deployer.Get(r.ctx, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before.Spec, live.Spec); diff != "" || live.State != "ACTIVE" || live.FreeformTags["osa-release"] != "v1.0.0" {
		t.Errorf("after the failure (-before +live):\n%s\nstate %s tags %v", diff, live.State, live.FreeformTags)
	}
}

// TestRollout409 updates while someone else's update is still running:
// the SDK retries the 409 until the deployment is ACTIVE, and the update
// goes through because that other update changed nothing it planned on.
func TestRollout409(t *testing.T) {
	t.Parallel()
	r := startRig(t, emulator.WithLatency(emulator.Latency{Accept: 200 * time.Millisecond, Run: 600 * time.Millisecond}))
	v1 := r.desired(t, 1, "v1.0.0")
	live := r.rollout(t, v1).Live

	// Another party re-sends the same deployment: UPDATING for a while.
	same, err := gateway.UpdateDeploymentDetails(v1, functions)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.other.UpdateDeployment(r.ctx, apigateway.UpdateDeploymentRequest{DeploymentId: &live.ID,
		UpdateDeploymentDetails: same, IfMatch: &live.ETag}); err != nil {
		t.Fatal(err)
	}

	next := r.desired(t, 1, "v1.0.1")
	next.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond = 7
	p, err := r.deployer.Plan(r.ctx, next, functions)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.deployer.Apply(r.ctx, p)
	if err != nil {
		t.Fatalf("Apply: %v (calls %v)", err, r.calls.calls)
	}
	if r.calls.count("PUT ", "409") == 0 {
		t.Errorf("no 409 was answered; calls: %v", r.calls.calls)
	}
	if !res.Changed || res.Live.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond != 7 {
		t.Errorf("result %+v", res)
	}
}

// TestRolloutConcurrentUpdate changes the deployment between plan and
// apply: if-match refuses the stale update.
func TestRolloutConcurrentUpdate(t *testing.T) {
	t.Parallel()
	r := startRig(t)
	v1 := r.desired(t, 1, "v1.0.0")
	live := r.rollout(t, v1).Live

	next := r.desired(t, 1, "v1.0.1")
	next.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond = 7
	p, err := r.deployer.Plan(r.ctx, next, functions)
	if err != nil {
		t.Fatal(err)
	}

	theirs := v1
	theirs.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond = 3
	details, err := gateway.UpdateDeploymentDetails(theirs, functions)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.other.UpdateDeployment(r.ctx, apigateway.UpdateDeploymentRequest{DeploymentId: &live.ID,
		UpdateDeploymentDetails: details, IfMatch: &live.ETag}); err != nil {
		t.Fatal(err)
	}

	_, err = r.deployer.Apply(r.ctx, p)
	var cu *gateway.ConcurrentUpdateError
	if !errors.As(err, &cu) || len(cu.Changes) == 0 || !strings.Contains(err.Error(), "rate_in_requests_per_second") {
		t.Fatalf("Apply = %v, want a *ConcurrentUpdateError naming the rate", err)
	}
	var oe *gateway.OCIError
	if !errors.As(err, &oe) || oe.StatusCode != http.StatusPreconditionFailed || oe.Code != "NoEtagMatch" {
		t.Errorf("the error does not carry OCI's 412: %#v", oe)
	}
	now, err := r.deployer.Get(r.ctx, live.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := now.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond; got != 3 {
		t.Errorf("rate = %d, want the other party's 3", got)
	}
}
