package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// deploymentAPI is the part of the OCI SDK a Deployer calls: the
// operations of apigateway.DeploymentClient and WorkRequestsClient it
// needs, and nothing else.
type deploymentAPI interface {
	ListDeployments(context.Context, apigateway.ListDeploymentsRequest) (apigateway.ListDeploymentsResponse, error)
	GetDeployment(context.Context, apigateway.GetDeploymentRequest) (apigateway.GetDeploymentResponse, error)
	CreateDeployment(context.Context, apigateway.CreateDeploymentRequest) (apigateway.CreateDeploymentResponse, error)
	UpdateDeployment(context.Context, apigateway.UpdateDeploymentRequest) (apigateway.UpdateDeploymentResponse, error)
	DeleteDeployment(context.Context, apigateway.DeleteDeploymentRequest) (apigateway.DeleteDeploymentResponse, error)
	GetWorkRequest(context.Context, apigateway.GetWorkRequestRequest) (apigateway.GetWorkRequestResponse, error)
	ListWorkRequestErrors(context.Context, apigateway.ListWorkRequestErrorsRequest) (apigateway.ListWorkRequestErrorsResponse, error)
}

// sdkAPI joins the two SDK clients.
type sdkAPI struct {
	apigateway.DeploymentClient
	wr apigateway.WorkRequestsClient
}

var _ deploymentAPI = (*sdkAPI)(nil)

func (s *sdkAPI) GetWorkRequest(ctx context.Context, r apigateway.GetWorkRequestRequest) (apigateway.GetWorkRequestResponse, error) {
	return s.wr.GetWorkRequest(ctx, r)
}

func (s *sdkAPI) ListWorkRequestErrors(ctx context.Context, r apigateway.ListWorkRequestErrorsRequest) (apigateway.ListWorkRequestErrorsResponse, error) {
	return s.wr.ListWorkRequestErrors(ctx, r)
}

// Retry policies, set explicitly on every call (design.md §7a): reads and
// creates (which carry an opc-retry-token) use the SDK's default without
// eventual consistency; updates and deletes, which the SDK does not retry
// by default, use the same, so that 409 IncorrectState (the deployment is
// busy), 429 and 5xx are retried. if-match keeps a retried update from
// overwriting someone else's.
func retryPolicy() *common.RetryPolicy {
	p := common.DefaultRetryPolicyWithoutEventualConsistency()
	return &p
}

// DeployerOption configures a Deployer.
type DeployerOption func(*Deployer) error

// WithLogger sets where a Deployer logs its calls and polls (at debug
// level). The default discards.
func WithLogger(l *slog.Logger) DeployerOption {
	return func(d *Deployer) error {
		if l == nil {
			return errors.New("logger is nil")
		}
		d.log = l
		return nil
	}
}

// WithPolling sets the bounds of the backoff between polls of a work
// request or a deployment when OCI gives no retry-after. The default is
// 250ms doubling up to 10s.
func WithPolling(first, most time.Duration) DeployerOption {
	return func(d *Deployer) error {
		if first <= 0 || most < first {
			return fmt.Errorf("polling %v..%v: want 0 < first <= most", first, most)
		}
		d.firstPoll, d.maxPoll = first, most
		return nil
	}
}

// withAPI replaces the SDK clients, and withSleep the pause between
// polls: test seams.
func withAPI(api deploymentAPI) DeployerOption {
	return func(d *Deployer) error { d.api = api; return nil }
}

func withSleep(sleep func(context.Context, time.Duration) error) DeployerOption {
	return func(d *Deployer) error { d.sleep = sleep; return nil }
}

// Deployer rolls deployments out on OCI API Gateway: it finds a
// deployment, plans the change, creates or updates it with if-match,
// waits for its work request, verifies the result and restores the
// previous specification when an update fails. Every operation takes a
// context, whose deadline bounds all retries and waits.
type Deployer struct {
	api       deploymentAPI
	log       *slog.Logger
	firstPoll time.Duration
	maxPoll   time.Duration
	sleep     func(context.Context, time.Duration) error
}

// NewDeployer makes a Deployer over the SDK's clients (with Host and
// configuration set by the caller). It turns the SDK's circuit breakers
// off: retries are the SDK's, per operation, and the context's deadline
// bounds them.
func NewDeployer(dc apigateway.DeploymentClient, wc apigateway.WorkRequestsClient, opts ...DeployerOption) (*Deployer, error) {
	dc.Configuration.CircuitBreaker = nil
	wc.Configuration.CircuitBreaker = nil
	d := &Deployer{api: &sdkAPI{DeploymentClient: dc, wr: wc}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		firstPoll: 250 * time.Millisecond, maxPoll: 10 * time.Second, sleep: sleep}
	for _, o := range opts {
		if err := o(d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Live is a deployment as OCI has it.
type Live struct {
	ID, GatewayID, CompartmentID string
	DisplayName, PathPrefix      string
	// Endpoint is where the deployment answers.
	Endpoint string
	// State is the lifecycle state (ACTIVE, UPDATING, ...); Details its
	// lifecycle details.
	State, Details string
	// ETag is the etag that came with the deployment, for if-match.
	ETag string
	// Spec is the live specification (functions by OCID).
	Spec         Spec
	FreeformTags map[string]string
	DefinedTags  map[string]map[string]any
}

func liveFrom(dep apigateway.Deployment, etag string) (Live, error) {
	l := Live{ID: val(dep.Id), GatewayID: val(dep.GatewayId), CompartmentID: val(dep.CompartmentId),
		DisplayName: val(dep.DisplayName), PathPrefix: val(dep.PathPrefix), Endpoint: val(dep.Endpoint),
		State: string(dep.LifecycleState), Details: val(dep.LifecycleDetails), ETag: etag,
		FreeformTags: maps.Clone(dep.FreeformTags), DefinedTags: cloneDefined(dep.DefinedTags)}
	if dep.Specification != nil {
		spec, err := FromSDK(*dep.Specification)
		if err != nil {
			return l, fmt.Errorf("reading deployment %s: %w", l.ID, err)
		}
		l.Spec = spec
	}
	return l, nil
}

// Get reads a deployment.
func (d *Deployer) Get(ctx context.Context, id string) (Live, error) {
	resp, err := d.api.GetDeployment(ctx, apigateway.GetDeploymentRequest{DeploymentId: &id,
		RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}})
	if err != nil {
		return Live{}, ociError("GetDeployment", id, err)
	}
	return liveFrom(resp.Deployment, val(resp.Etag))
}

// Find returns the deployment named displayName on a gateway, if there is
// one that is not DELETED. Two such deployments are an error.
func (d *Deployer) Find(ctx context.Context, compartmentID, gatewayID, displayName string) (Live, bool, error) {
	var ids []string
	req := apigateway.ListDeploymentsRequest{CompartmentId: &compartmentID, GatewayId: &gatewayID, DisplayName: &displayName,
		RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}}
	for {
		resp, err := d.api.ListDeployments(ctx, req)
		if err != nil {
			return Live{}, false, ociError("ListDeployments", displayName, err)
		}
		for _, s := range resp.Items {
			if s.LifecycleState != apigateway.DeploymentLifecycleStateDeleted && val(s.DisplayName) == displayName {
				ids = append(ids, val(s.Id))
			}
		}
		if resp.OpcNextPage == nil {
			break
		}
		req.Page = resp.OpcNextPage
	}
	switch len(ids) {
	case 0:
		return Live{}, false, nil
	case 1:
		l, err := d.Get(ctx, ids[0])
		return l, err == nil, err
	}
	return Live{}, false, fmt.Errorf("gateway %s has %d deployments named %s (%v): osa cannot tell which is the major's", gatewayID, len(ids), displayName, ids)
}

// Plan reads the live deployment named desired.DisplayName and plans the
// rollout of desired (see [PlanDeployment]). It makes no mutating call.
func (d *Deployer) Plan(ctx context.Context, desired Deployment, resolve FunctionResolver) (Plan, error) {
	live, found, err := d.Find(ctx, desired.CompartmentID, desired.GatewayID, desired.DisplayName)
	if err != nil {
		return Plan{}, err
	}
	if !found {
		return PlanDeployment(desired, nil, resolve)
	}
	return PlanDeployment(desired, &live, resolve)
}

// Result is the outcome of [Deployer.Apply].
type Result struct {
	// Plan is the plan applied.
	Plan Plan
	// Live is the deployment afterwards (after the restore, when there
	// was one).
	Live Live
	// Changed is true when a mutating call was made and succeeded.
	Changed bool
	// Restored is true when the update failed and the previous
	// specification is live again.
	Restored bool
}

// Apply carries a plan out: nothing for PlanNone; a create; or an update
// with if-match on the etag the plan was computed against. It waits for
// the work request (honouring retry-after), then verifies that the
// deployment is ACTIVE with the specification sent. When an update's
// work request fails or the result does not verify, Apply puts the
// previous specification back and reports the failure with Restored set.
// A deployment changed by someone else since the plan is a
// *ConcurrentUpdateError.
func (d *Deployer) Apply(ctx context.Context, p Plan) (Result, error) {
	res := Result{Plan: p}
	switch p.Action {
	case PlanNone:
		if p.base != nil {
			res.Live = *p.base
		}
		return res, nil
	case PlanCreate:
		live, err := d.create(ctx, p)
		res.Live, res.Changed = live, err == nil
		return res, err
	case PlanUpdate:
		return d.update(ctx, p)
	}
	return res, fmt.Errorf("unknown plan action %q", p.Action)
}

func (d *Deployer) create(ctx context.Context, p Plan) (Live, error) {
	want := p.desired
	want.Spec = p.resolved
	details, err := CreateDeploymentDetails(want, nil)
	if err != nil {
		return Live{}, err
	}
	resp, err := d.api.CreateDeployment(ctx, apigateway.CreateDeploymentRequest{CreateDeploymentDetails: details,
		RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}})
	if err != nil {
		return Live{}, ociError("CreateDeployment", want.DisplayName, err)
	}
	id := val(resp.Id)
	d.log.DebugContext(ctx, "creating deployment", "id", id, "work_request", val(resp.OpcWorkRequestId))
	if err := d.wait(ctx, val(resp.OpcWorkRequestId), id); err != nil {
		return Live{}, err
	}
	return d.verify(ctx, id, p)
}

func (d *Deployer) update(ctx context.Context, p Plan) (Result, error) {
	res := Result{Plan: p}
	base := p.base
	if base == nil {
		return res, errNoBase
	}
	if base.State == string(apigateway.DeploymentLifecycleStateFailed) {
		return res, fmt.Errorf("deployment %s is FAILED (%s) and cannot be updated: delete it and release again", base.ID, base.Details)
	}
	want := p.desired
	want.Spec = p.resolved
	details, err := UpdateDeploymentDetails(want, nil)
	if err != nil {
		return res, err
	}
	etag := base.ETag
	for attempt := 0; ; attempt++ {
		resp, err := d.api.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: &base.ID,
			UpdateDeploymentDetails: details, IfMatch: &etag, RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}})
		if err == nil {
			d.log.DebugContext(ctx, "updating deployment", "id", base.ID, "work_request", val(resp.OpcWorkRequestId))
			if err := d.wait(ctx, val(resp.OpcWorkRequestId), base.ID); err != nil {
				return d.restoreAfter(ctx, res, *base, err)
			}
			break
		}
		err = ociError("UpdateDeployment", base.ID, err)
		if !hasStatus(err, http.StatusPreconditionFailed) || attempt > 0 {
			return res, err
		}
		// The etag moved: find out whether the content did.
		cur, gerr := d.Get(ctx, base.ID)
		if gerr != nil {
			return res, errors.Join(err, gerr)
		}
		if len(contentChanges(cur, p)) == 0 {
			break // what we asked for is what is live (a retried call got through): verify it
		}
		if moved := contentChanges(cur, Plan{desired: Deployment{DisplayName: base.DisplayName, FreeformTags: base.FreeformTags,
			DefinedTags: base.DefinedTags}, resolved: base.Spec}); len(moved) > 0 {
			return res, &ConcurrentUpdateError{ID: base.ID, Changes: moved, Err: err}
		}
		etag = cur.ETag // only the etag moved (a state change): send again
	}
	live, err := d.verify(ctx, base.ID, p)
	if err != nil {
		return d.restoreAfter(ctx, res, *base, err)
	}
	res.Live, res.Changed = live, true
	return res, nil
}

// restoreAfter puts prev back after a failed update and returns failure
// with what was restored.
func (d *Deployer) restoreAfter(ctx context.Context, res Result, prev Live, failure error) (Result, error) {
	live, err := d.Restore(ctx, prev)
	if err != nil {
		return res, fmt.Errorf("rolling out %s failed: %w; restoring the previous specification failed too: %w", prev.ID, failure, err)
	}
	res.Live, res.Restored = live, true
	return res, fmt.Errorf("rolling out %s failed, the previous specification is live again: %w", prev.ID, failure)
}

// Restore makes a deployment's display name, specification and tags
// those of prev again (when they are not already), with if-match, and
// waits for it to be ACTIVE.
func (d *Deployer) Restore(ctx context.Context, prev Live) (Live, error) {
	cur, err := d.waitSettled(ctx, prev.ID)
	if err != nil {
		return Live{}, err
	}
	back := Plan{desired: Deployment{DisplayName: prev.DisplayName, FreeformTags: prev.FreeformTags, DefinedTags: prev.DefinedTags},
		resolved: prev.Spec}
	if len(contentChanges(cur, back)) == 0 {
		return cur, nil
	}
	spec, err := ToSDK(prev.Spec, nil)
	if err != nil {
		return Live{}, err
	}
	details := apigateway.UpdateDeploymentDetails{DisplayName: optStr(prev.DisplayName), Specification: &spec,
		FreeformTags: cloneTags(prev.FreeformTags), DefinedTags: cloneDefined(prev.DefinedTags)}
	resp, err := d.api.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: &prev.ID,
		UpdateDeploymentDetails: details, IfMatch: &cur.ETag, RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}})
	if err != nil {
		return Live{}, ociError("UpdateDeployment", prev.ID, err)
	}
	if err := d.wait(ctx, val(resp.OpcWorkRequestId), prev.ID); err != nil {
		return Live{}, err
	}
	return d.verify(ctx, prev.ID, back)
}

// Delete deletes a deployment, with if-match, and waits until it is
// DELETED.
func (d *Deployer) Delete(ctx context.Context, id string) error {
	cur, err := d.waitSettled(ctx, id)
	if err != nil {
		return err
	}
	resp, err := d.api.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: &id, IfMatch: &cur.ETag,
		RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}})
	if err != nil {
		return ociError("DeleteDeployment", id, err)
	}
	return d.wait(ctx, val(resp.OpcWorkRequestId), id)
}

// verify reads the deployment and checks it is ACTIVE with the plan's
// content.
func (d *Deployer) verify(ctx context.Context, id string, p Plan) (Live, error) {
	live, err := d.waitSettled(ctx, id)
	if err != nil {
		return Live{}, err
	}
	if live.State != string(apigateway.DeploymentLifecycleStateActive) {
		return live, &VerifyError{ID: id, State: live.State, Details: live.Details}
	}
	if cs := contentChanges(live, p); len(cs) > 0 {
		return live, &VerifyError{ID: id, State: live.State, Changes: cs}
	}
	return live, nil
}

// contentChanges lists how live differs from what p asks for.
func contentChanges(live Live, p Plan) []Change {
	cs := diffSpecs(live.Spec, p.resolved)
	if live.DisplayName != p.desired.DisplayName && p.desired.DisplayName != "" {
		cs = append(cs, scalarChange("", "display_name", quote(live.DisplayName), quote(p.desired.DisplayName))...)
	}
	if p.desired.FreeformTags != nil {
		cs = append(cs, diffMaps("freeform_tags", flattenValue(live.FreeformTags), flattenValue(p.desired.FreeformTags))...)
	}
	if p.desired.DefinedTags != nil {
		cs = append(cs, diffMaps("defined_tags", flattenValue(live.DefinedTags), flattenValue(p.desired.DefinedTags))...)
	}
	return cs
}
