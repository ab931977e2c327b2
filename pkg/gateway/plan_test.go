package gateway

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestPlanSeed checks the plans of the seed's first release (a create)
// and of a second release that changes it, against golden files.
func TestPlanSeed(t *testing.T) {
	t.Parallel()
	d := seedDeployment(t)
	p, err := PlanDeployment(d, nil, functions)
	if err != nil {
		t.Fatal(err)
	}
	if p.Action != PlanCreate {
		t.Errorf("action = %s, want create", p.Action)
	}
	checkGolden(t, "seed_plan.golden", p.String())
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "seed_plan.json.golden", string(data)+"\n")

	// The live deployment as OCI would answer after that create.
	live := Live{ID: "ocid1.apideployment.oc1.iad.example", DisplayName: d.DisplayName, PathPrefix: d.PathPrefix,
		State: "ACTIVE", ETag: "e1", Spec: p.resolved, FreeformTags: d.FreeformTags}
	same, err := PlanDeployment(d, &live, functions)
	if err != nil || same.Action != PlanNone || len(same.Changes) != 0 {
		t.Errorf("unchanged spec plans as %s with %v (%v), want none", same.Action, same.Changes, err)
	}
	if got := same.String(); got != "orders-v1 (/v1, ocid1.apideployment.oc1.iad.example): no changes\n" {
		t.Errorf("String() = %q", got)
	}

	next := d
	next.Spec = withIDs(t, d.Spec)
	next.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond = 200
	next.Spec.Routes = next.Spec.Routes[:1]
	next.Spec.Routes[0].ResponsePolicies.HeaderTransformations.SetHeaders.Items = next.Spec.Routes[0].ResponsePolicies.HeaderTransformations.SetHeaders.Items[:1]
	next.Spec.Routes = append(next.Spec.Routes, Route{Path: "/health", Methods: []Method{MethodGet},
		Backend: Backend{Type: StockResponseBackend, Status: 200}, RequestPolicies: RouteRequestPolicies{Authorization: Authorization{Type: Anonymous}}})
	next.Spec.RequestPolicies.Authentication.IsAnonymousAccessAllowed = true
	next.FreeformTags = map[string]string{"osa-managed": "true", "osa-release": "v1.1.0"}
	up, err := PlanDeployment(next, &live, functions)
	if err != nil {
		t.Fatal(err)
	}
	if up.Action != PlanUpdate {
		t.Errorf("action = %s, want update", up.Action)
	}
	checkGolden(t, "seed_plan_update.golden", up.String())
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	d := seedDeployment(t)
	live := Live{ID: "x", PathPrefix: "/v2"}
	if _, err := PlanDeployment(d, &live, functions); err == nil || !strings.Contains(err.Error(), "a path prefix cannot change") {
		t.Errorf("PlanDeployment with another prefix = %v", err)
	}
	d.Spec.Routes[0].Path = "nope"
	var ise *InvalidSpecError
	if _, err := PlanDeployment(d, nil, functions); !errors.As(err, &ise) {
		t.Errorf("PlanDeployment of an invalid spec = %v, want *InvalidSpecError", err)
	}
	d = seedDeployment(t)
	if _, err := PlanDeployment(d, nil, nil); err == nil || !strings.Contains(err.Error(), "no resolver") {
		t.Errorf("PlanDeployment without a resolver = %v", err)
	}
}

func TestComparePaths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{{"items[2]", "items[10]", -1}, {"items[10].name", "items[9].name", 1}, {"a", "b", -1}, {"x[1].a", "x[1].a", 0}} {
		if got := comparePaths(tc.a, tc.b); (got < 0) != (tc.want < 0) || (got == 0) != (tc.want == 0) {
			t.Errorf("comparePaths(%q, %q) = %d, want sign %d", tc.a, tc.b, got, tc.want)
		}
	}
}
