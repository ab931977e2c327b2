package emulator

import (
	"net/http"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// apigwBase is the API Gateway API version the SDK speaks.
const apigwBase = "/20190501"

// apigwState is the API Gateway control plane's state. Like everything in
// state, it is guarded by state.mu: every method expects the lock held.
type apigwState struct {
	st       *state
	q        *workQueue
	gateways map[string]*apigateway.Gateway
	order    []string // gateway ids in creation order

	deployments map[string]*apigwDeployment
	seq         int // creation counter, the tie-break of every sort

	// reverts undoes the effect of a work request that is canceled
	// before it starts, keyed by work request id.
	reverts map[string]func(now time.Time, reason string)
	// failWork, when set, is asked before a work request applies its
	// effect; an error fails the work request with that message. Tests
	// use it to drive the FAILED paths.
	failWork func(operation, deploymentID string) error
}

// newAPIGatewayState seeds one ACTIVE public gateway whose hostname is the
// data plane's address.
func newAPIGatewayState(st *state, dataPlaneHost string) *apigwState {
	a := &apigwState{st: st, q: newWorkQueue(), gateways: map[string]*apigateway.Gateway{},
		deployments: map[string]*apigwDeployment{}, reverts: map[string]func(time.Time, string){}}
	st.queues = append(st.queues, a.q)
	now := apigwTime(st.now())
	id := newOCID("apigateway", st.key)
	a.gateways[id] = &apigateway.Gateway{
		Id:             common.String(id),
		CompartmentId:  common.String(st.compartmentID),
		EndpointType:   apigateway.GatewayEndpointTypePublic,
		DisplayName:    common.String("osa-emulator-gateway"),
		SubnetId:       common.String(seedPublicSubnetID(st)), // the gateway sits in the public subnet, as in the seed
		TimeCreated:    now,
		TimeUpdated:    now,
		LifecycleState: apigateway.GatewayLifecycleStateActive,
		Hostname:       common.String(dataPlaneHost),
		FreeformTags:   map[string]string{},
		DefinedTags:    map[string]map[string]interface{}{},
	}
	a.order = append(a.order, id)
	return a
}

func (a *apigwState) seededGatewayID() string { return a.order[0] }

// apigwTime is t as the service reports times: UTC, millisecond precision.
func apigwTime(t time.Time) *common.SDKTime {
	return &common.SDKTime{Time: t.UTC().Truncate(time.Millisecond)}
}

// optTime is apigwTime, or nil for the zero time (a step not reached yet).
func optTime(t time.Time) *common.SDKTime {
	if t.IsZero() {
		return nil
	}
	return apigwTime(t)
}

// registerAPIGateway registers the API Gateway endpoints: gateways (read
// only: the emulator has one, seeded), deployments and work requests.
func (s *Server) registerAPIGateway(mux *http.ServeMux) {
	a := s.st.apigw
	mux.HandleFunc("GET "+apigwBase+"/gateways/{id}", s.handle(a.getGateway))
	mux.HandleFunc("GET "+apigwBase+"/gateways", s.handle(a.listGateways))

	mux.HandleFunc("POST "+apigwBase+"/deployments", s.handle(a.createDeployment))
	mux.HandleFunc("GET "+apigwBase+"/deployments", s.handle(a.listDeployments))
	mux.HandleFunc("GET "+apigwBase+"/deployments/{id}", s.handle(a.getDeployment))
	mux.HandleFunc("PUT "+apigwBase+"/deployments/{id}", s.handle(a.updateDeployment))
	mux.HandleFunc("DELETE "+apigwBase+"/deployments/{id}", s.handle(a.deleteDeployment))

	mux.HandleFunc("GET "+apigwBase+"/workRequests", s.handle(a.listWorkRequests))
	mux.HandleFunc("GET "+apigwBase+"/workRequests/{id}", s.handle(getWorkRequestAs(a.q, apigwWorkRequest)))
	mux.HandleFunc("DELETE "+apigwBase+"/workRequests/{id}", s.handle(a.cancelWorkRequest))
	mux.HandleFunc("GET "+apigwBase+"/workRequests/{id}/errors", s.handle(a.listWorkRequestErrors))
	mux.HandleFunc("GET "+apigwBase+"/workRequests/{id}/logs", s.handle(a.listWorkRequestLogs))
}

// getGateway answers GET /gateways/{id}.
func (a *apigwState) getGateway(c *call) (int, any, error) {
	id := c.r.PathValue("id")
	g, ok := a.gateways[id]
	if !validID(id) || !ok {
		return 0, nil, errNotFound("gateway", id)
	}
	c.header.Set("etag", etagOf(g))
	return http.StatusOK, g, nil
}

// listGateways answers GET /gateways?compartmentId=...
func (a *apigwState) listGateways(c *call) (int, any, error) {
	comp := c.r.URL.Query().Get("compartmentId")
	if comp == "" {
		return 0, nil, errMissing("compartmentId")
	}
	var items []apigateway.GatewaySummary
	for _, id := range a.order {
		g := a.gateways[id]
		if *g.CompartmentId != comp {
			continue
		}
		items = append(items, apigateway.GatewaySummary{
			Id: g.Id, CompartmentId: g.CompartmentId, EndpointType: g.EndpointType, DisplayName: g.DisplayName,
			SubnetId: g.SubnetId, TimeCreated: g.TimeCreated, TimeUpdated: g.TimeUpdated,
			LifecycleState: g.LifecycleState, Hostname: g.Hostname, FreeformTags: g.FreeformTags, DefinedTags: g.DefinedTags,
		})
	}
	page, next, err := pageOf(items, c.r)
	if err != nil {
		return 0, nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	if page == nil {
		page = []apigateway.GatewaySummary{}
	}
	return http.StatusOK, apigateway.GatewayCollection{Items: page}, nil
}
