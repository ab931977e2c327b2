package emulator

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// Deployment limits of oci-api.md §2.3 (not adjustable on OCI).
const (
	apigwMaxDeploymentsPerGateway = 20
	apigwMaxRoutes                = 50
	apigwMaxSpecBytes             = 2 << 20
)

// apigwDeletedRetention is how long a DELETED deployment stays readable
// (GET, and LIST with lifecycleState=DELETED) before it is purged.
const apigwDeletedRetention = time.Hour

// Work request operation types and the entity type of deployments.
const (
	apigwOpCreate    = "CREATE_DEPLOYMENT"
	apigwOpUpdate    = "UPDATE_DEPLOYMENT"
	apigwOpDelete    = "DELETE_DEPLOYMENT"
	apigwEntityType  = "deployment"
	apigwDeploymentT = "apideployment" // the OCID resource type
)

// apigwDeployment is one stored deployment: the resource as GET returns it,
// its etag, and bookkeeping.
type apigwDeployment struct {
	d         apigateway.Deployment
	etag      string
	seq       int
	deletedAt time.Time // zero unless DELETED
}

// touch records a change of d at now: timeUpdated and a new etag.
func (x *apigwDeployment) touch(now time.Time) {
	x.d.TimeUpdated = apigwTime(now)
	x.etag = etagOf(x.d)
}

func (x *apigwDeployment) state() apigateway.DeploymentLifecycleStateEnum { return x.d.LifecycleState }

// alive reports whether d still holds its place on its gateway (it counts
// towards the per-gateway limit and owns its path prefix).
func (x *apigwDeployment) alive() bool {
	return x.d.LifecycleState != apigateway.DeploymentLifecycleStateDeleted
}

// purge forgets DELETED deployments older than the retention.
func (a *apigwState) purge(now time.Time) {
	for id, x := range a.deployments {
		if !x.deletedAt.IsZero() && now.Sub(x.deletedAt) > apigwDeletedRetention {
			delete(a.deployments, id)
		}
	}
}

// lookup returns the deployment named by the request path, or a 404.
func (a *apigwState) lookup(c *call) (*apigwDeployment, *apiError) {
	a.purge(c.now)
	id := c.r.PathValue("id")
	x, ok := a.deployments[id]
	if !validID(id) || !ok {
		return nil, errNotFound("deployment", id)
	}
	return x, nil
}

// createDeployment answers POST /deployments: it validates the request,
// stores the deployment CREATING and starts its work request.
func (a *apigwState) createDeployment(c *call) (int, any, error) {
	a.purge(c.now)
	var in apigateway.CreateDeploymentDetails
	if err := apigwDecode(c.body, &in); err != nil {
		return 0, nil, err
	}
	if err := a.checkCreate(&in, c.body); err != nil {
		return 0, nil, err
	}
	g := a.gateways[*in.GatewayId]
	id := newOCID(apigwDeploymentT, a.st.key)
	a.seq++
	x := &apigwDeployment{seq: a.seq, d: apigateway.Deployment{
		Id:             common.String(id),
		GatewayId:      in.GatewayId,
		CompartmentId:  in.CompartmentId,
		PathPrefix:     in.PathPrefix,
		Endpoint:       common.String("http://" + *g.Hostname + *in.PathPrefix),
		Specification:  in.Specification,
		DisplayName:    in.DisplayName,
		TimeCreated:    apigwTime(c.now),
		LifecycleState: apigateway.DeploymentLifecycleStateCreating,
		Locks:          apigwLocks(in.Locks, c.now),
		FreeformTags:   apigwFreeform(in.FreeformTags),
		DefinedTags:    apigwDefined(in.DefinedTags),
		SystemTags:     map[string]map[string]interface{}{},
	}}
	x.touch(c.now)
	a.deployments[id] = x
	a.startWork(c, apigwOpCreate, "CREATED", x, apigwEffect{
		apply: func(now time.Time) {
			x.d.LifecycleState = apigateway.DeploymentLifecycleStateActive
			x.d.LifecycleDetails = nil
			x.touch(now)
		},
		revert: func(now time.Time, reason string) {
			x.d.LifecycleState = apigateway.DeploymentLifecycleStateFailed
			x.d.LifecycleDetails = common.String(reason)
			x.touch(now)
		},
		cancel: func(now time.Time, _ string) {
			x.d.LifecycleState = apigateway.DeploymentLifecycleStateDeleted
			x.deletedAt = now
			x.touch(now)
		},
	})
	c.header.Set("etag", x.etag)
	c.header.Set("location", "http://"+c.r.Host+apigwBase+"/deployments/"+id)
	return http.StatusOK, x.d, nil
}

// getDeployment answers GET /deployments/{id}.
func (a *apigwState) getDeployment(c *call) (int, any, error) {
	x, err := a.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.d, nil
}

// listDeployments answers GET /deployments with the filters, sort orders
// and paging of ListDeploymentsRequest.
func (a *apigwState) listDeployments(c *call) (int, any, error) {
	a.purge(c.now)
	q := c.r.URL.Query()
	comp := q.Get("compartmentId")
	if comp == "" {
		return 0, nil, errMissing("compartmentId")
	}
	var want apigateway.DeploymentLifecycleStateEnum
	if s := q.Get("lifecycleState"); s != "" {
		v, ok := apigateway.GetMappingDeploymentLifecycleStateEnum(s)
		if !ok || string(v) != s {
			return 0, nil, errBadRequest("lifecycleState %q must be one of %s", s, strings.Join(apigateway.GetDeploymentLifecycleStateEnumStringValues(), ", "))
		}
		want = v
	}
	less, err := apigwSortDeployments(c.r)
	if err != nil {
		return 0, nil, err
	}
	var matched []*apigwDeployment
	for _, x := range a.deployments {
		switch {
		case *x.d.CompartmentId != comp,
			q.Has("gatewayId") && *x.d.GatewayId != q.Get("gatewayId"),
			q.Has("displayName") && apigwStr(x.d.DisplayName) != q.Get("displayName"),
			want == "" && !x.alive(),
			want != "" && x.state() != want:
			continue
		}
		matched = append(matched, x)
	}
	slices.SortFunc(matched, less)
	page, next, perr := pageOf(matched, c.r)
	if perr != nil {
		return 0, nil, perr
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	items := make([]apigateway.DeploymentSummary, 0, len(page))
	for _, x := range page {
		items = append(items, apigwSummary(x.d))
	}
	return http.StatusOK, apigateway.DeploymentCollection{Items: items}, nil
}

// apigwSortDeployments reads sortBy (timeCreated, the default, newest
// first; or displayName, case-sensitive, A to Z) and sortOrder.
func apigwSortDeployments(r *http.Request) (func(x, y *apigwDeployment) int, *apiError) {
	by := r.URL.Query().Get("sortBy")
	var key func(x, y *apigwDeployment) int
	def := "DESC"
	switch by {
	case "", "timeCreated":
		key = func(x, y *apigwDeployment) int { return x.d.TimeCreated.Compare(y.d.TimeCreated.Time) }
	case "displayName":
		def = "ASC"
		key = func(x, y *apigwDeployment) int {
			return strings.Compare(apigwStr(x.d.DisplayName), apigwStr(y.d.DisplayName))
		}
	default:
		return nil, errBadRequest("sortBy %q must be timeCreated or displayName", by)
	}
	order, err := sortOrder(r, def)
	if err != nil {
		return nil, err
	}
	sign := 1
	if order == "DESC" {
		sign = -1
	}
	return func(x, y *apigwDeployment) int {
		return sign * cmp.Or(key(x, y), cmp.Compare(x.seq, y.seq))
	}, nil
}

// apigwSummary is the DeploymentSummary of d.
func apigwSummary(d apigateway.Deployment) apigateway.DeploymentSummary {
	return apigateway.DeploymentSummary{
		Id: d.Id, GatewayId: d.GatewayId, CompartmentId: d.CompartmentId, PathPrefix: d.PathPrefix,
		Endpoint: d.Endpoint, DisplayName: d.DisplayName, TimeCreated: d.TimeCreated, TimeUpdated: d.TimeUpdated,
		LifecycleState: d.LifecycleState, LifecycleDetails: d.LifecycleDetails, Locks: d.Locks,
		FreeformTags: d.FreeformTags, DefinedTags: d.DefinedTags, SystemTags: d.SystemTags,
	}
}

// updateDeployment answers PUT /deployments/{id}: the deployment goes
// UPDATING and the new values take effect when the work request succeeds.
func (a *apigwState) updateDeployment(c *call) (int, any, error) {
	x, err := a.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	if err := a.checkMutable(c, x, apigateway.AddResourceLockDetailsTypeFull); err != nil {
		return 0, nil, err
	}
	var in apigateway.UpdateDeploymentDetails
	if err := apigwDecode(c.body, &in); err != nil {
		return 0, nil, err
	}
	if err := apigwCheckUpdate(&in, c.body); err != nil {
		return 0, nil, err
	}
	x.d.LifecycleState = apigateway.DeploymentLifecycleStateUpdating
	x.touch(c.now)
	back := func(now time.Time, reason string) {
		x.d.LifecycleState = apigateway.DeploymentLifecycleStateActive
		x.d.LifecycleDetails = apigwDetails(reason)
		x.touch(now)
	}
	a.startWork(c, apigwOpUpdate, "UPDATED", x, apigwEffect{
		apply: func(now time.Time) {
			if in.DisplayName != nil {
				x.d.DisplayName = in.DisplayName
			}
			if in.Specification != nil {
				x.d.Specification = in.Specification
			}
			if in.FreeformTags != nil {
				x.d.FreeformTags = in.FreeformTags
			}
			if in.DefinedTags != nil {
				x.d.DefinedTags = in.DefinedTags
			}
			back(now, "")
		},
		revert: back,
		cancel: back,
	})
	return http.StatusAccepted, nil, nil
}

// deleteDeployment answers DELETE /deployments/{id}: DELETING, then
// DELETED when the work request succeeds.
func (a *apigwState) deleteDeployment(c *call) (int, any, error) {
	x, err := a.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	if err := a.checkMutable(c, x, apigateway.AddResourceLockDetailsTypeDelete); err != nil {
		return 0, nil, err
	}
	before := x.d.LifecycleState
	x.d.LifecycleState = apigateway.DeploymentLifecycleStateDeleting
	x.touch(c.now)
	back := func(now time.Time, reason string) {
		x.d.LifecycleState = before
		x.d.LifecycleDetails = apigwDetails(reason)
		x.touch(now)
	}
	a.startWork(c, apigwOpDelete, "DELETED", x, apigwEffect{
		apply: func(now time.Time) {
			x.d.LifecycleState = apigateway.DeploymentLifecycleStateDeleted
			x.deletedAt = now
			x.touch(now)
		},
		revert: back,
		cancel: back,
	})
	return http.StatusAccepted, nil, nil
}

// checkMutable refuses to update (lock FULL) or delete (lock DELETE) a
// deployment that is not in a state that allows it, that is locked, or
// whose etag is not the if-match header's.
func (a *apigwState) checkMutable(c *call, x *apigwDeployment, lock apigateway.AddResourceLockDetailsTypeEnum) *apiError {
	id := *x.d.Id
	update := lock == apigateway.AddResourceLockDetailsTypeFull
	switch st := x.state(); {
	case st == apigateway.DeploymentLifecycleStateDeleted:
		return errNotFound("deployment", id)
	case st == apigateway.DeploymentLifecycleStateActive,
		st == apigateway.DeploymentLifecycleStateFailed && !update:
	default:
		verb := "deleted"
		if update {
			verb = "updated"
		}
		return errConflict(codeIncorrectState, "deployment %s is %s and cannot be %s until it is ACTIVE", id, st, verb)
	}
	override, err := apigwBoolParam(c.r, "isLockOverride")
	if err != nil {
		return err
	}
	if !override {
		for _, l := range x.d.Locks {
			if string(l.Type) == string(apigateway.AddResourceLockDetailsTypeFull) || string(l.Type) == string(lock) {
				return errConflict(codeLockConflict, "deployment %s has a %s lock; remove it or pass isLockOverride=true", id, l.Type)
			}
		}
	}
	return checkIfMatch(c.r, x.etag)
}

// apigwBoolParam reads an optional boolean query parameter.
func apigwBoolParam(r *http.Request, name string) (bool, *apiError) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return false, errBadRequest("%s %q must be true or false", name, s)
	}
	return v, nil
}

// apigwEffect is what a deployment work request does to its deployment:
// apply on success, revert when it fails, cancel when it is canceled
// before it starts.
type apigwEffect struct {
	apply  func(now time.Time)
	revert func(now time.Time, reason string)
	cancel func(now time.Time, reason string)
}

// startWork queues the work request of an operation on x and names it in
// the opc-work-request-id response header.
func (a *apigwState) startWork(c *call, op, action string, x *apigwDeployment, eff apigwEffect) {
	wid := newOCID("apigatewayworkrequest", a.st.key)
	depID := *x.d.Id
	w := &workRequest{
		ID: wid, Operation: op, CompartmentID: *x.d.CompartmentId,
		Resources: []wrResource{{EntityType: apigwEntityType, ActionType: action, Identifier: depID,
			EntityURI: apigwBase + "/deployments/" + depID}},
		finish: func(now time.Time) error {
			delete(a.reverts, wid)
			if a.failWork != nil {
				if err := a.failWork(op, depID); err != nil {
					eff.revert(now, fmt.Sprintf("%s failed: %v", op, err))
					return err
				}
			}
			eff.apply(now)
			return nil
		},
	}
	a.reverts[wid] = eff.cancel
	a.q.add(w, c.now, a.st.latency)
	c.header.Set("opc-work-request-id", wid)
}

func apigwStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func apigwDetails(reason string) *string {
	if reason == "" {
		return nil
	}
	return common.String(reason)
}

// apigwFreeform and apigwDefined keep tags exactly as given; absent tags
// are answered as {} as OCI does.
func apigwFreeform(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func apigwDefined(m map[string]map[string]interface{}) map[string]map[string]interface{} {
	if m == nil {
		return map[string]map[string]interface{}{}
	}
	return m
}

// apigwLocks turns requested locks into the resource's locks.
func apigwLocks(in []apigateway.AddResourceLockDetails, now time.Time) []apigateway.ResourceLock {
	out := make([]apigateway.ResourceLock, 0, len(in))
	for _, l := range in {
		out = append(out, apigateway.ResourceLock{Type: apigateway.ResourceLockTypeEnum(l.Type), Message: l.Message, TimeCreated: apigwTime(now)})
	}
	return out
}
