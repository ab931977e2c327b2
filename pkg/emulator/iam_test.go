package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	identitysdk "github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/stretchr/testify/require"
)

// The two shapes of the grant that lets API Gateway call functions
// (oci-api.md §2.8 and the seed).
func iamAnyUserGrant(fnCompartment, gwCompartment string) string {
	return "Allow any-user to use functions-family in compartment id " + fnCompartment +
		" where ALL {request.principal.type='ApiGateway', request.resource.compartment.id='" + gwCompartment + "'}"
}

func iamSeedRule(compartment string) string {
	return "ALL {resource.type = 'ApiGateway', resource.compartment.id = '" + compartment + "'}"
}

func TestIdentityCompartments(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()

	root, err := e.id.GetCompartment(e.ctx, identitysdk.GetCompartmentRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.Equal(t, info.TenancyID, *root.Id, "the tenancy is the root compartment")
	require.Equal(t, identitysdk.CompartmentLifecycleStateActive, root.LifecycleState)
	require.NotEmpty(t, *root.Etag)

	own, err := e.id.GetCompartment(e.ctx, identitysdk.GetCompartmentRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Equal(t, info.TenancyID, *own.CompartmentId, "the emulator's compartment is a child of the tenancy")
	require.Equal(t, "osa-emulator", *own.Name)

	created, err := e.id.CreateCompartment(e.ctx, identitysdk.CreateCompartmentRequest{CreateCompartmentDetails: identitysdk.CreateCompartmentDetails{
		CompartmentId: &info.CompartmentID, Name: common.String("team-a"), Description: common.String(""),
	}})
	require.NoError(t, err)
	require.Equal(t, identitysdk.CompartmentLifecycleStateActive, created.LifecycleState, "Identity is synchronous")
	require.Equal(t, map[string]string{}, created.FreeformTags)

	_, err = e.id.CreateCompartment(e.ctx, identitysdk.CreateCompartmentRequest{CreateCompartmentDetails: identitysdk.CreateCompartmentDetails{
		CompartmentId: &info.CompartmentID, Name: common.String("team-a"), Description: common.String("again"),
	}})
	requireServiceError(t, err, http.StatusConflict, "CompartmentAlreadyExists", "A compartment with name 'team-a' already exists.")
	_, err = e.id.CreateCompartment(e.ctx, identitysdk.CreateCompartmentRequest{CreateCompartmentDetails: identitysdk.CreateCompartmentDetails{
		CompartmentId: &info.TenancyID, Name: common.String("team-a"), Description: common.String("a sibling of osa-emulator"),
	}})
	require.NoError(t, err, "names are unique among siblings only")

	children, err := e.id.ListCompartments(e.ctx, identitysdk.ListCompartmentsRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"osa-emulator", "team-a"}, iamNames(children.Items))
	all, err := e.id.ListCompartments(e.ctx, identitysdk.ListCompartmentsRequest{CompartmentId: &info.TenancyID,
		CompartmentIdInSubtree: common.Bool(true), AccessLevel: identitysdk.ListCompartmentsAccessLevelAccessible,
		SortBy: identitysdk.ListCompartmentsSortByName})
	require.NoError(t, err)
	require.Equal(t, []string{"osa-emulator", "team-a", "team-a"}, iamNames(all.Items), "NAME sorts A to Z")
	named, err := e.id.ListCompartments(e.ctx, identitysdk.ListCompartmentsRequest{CompartmentId: &info.CompartmentID, Name: common.String("team-a")})
	require.NoError(t, err)
	require.Len(t, named.Items, 1)
	require.Equal(t, *created.Id, *named.Items[0].Id)

	_, err = e.id.ListCompartments(e.ctx, identitysdk.ListCompartmentsRequest{CompartmentId: &info.CompartmentID, CompartmentIdInSubtree: common.Bool(true)})
	requireServiceError(t, err, http.StatusBadRequest, "InvalidParameter", "compartmentIdInSubtree can only be true when compartmentId is the tenancy")
	_, err = e.id.GetCompartment(e.ctx, identitysdk.GetCompartmentRequest{CompartmentId: common.String("ocid1.compartment.oc1..nope")})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "compartment ocid1.compartment.oc1..nope not found")
}

// iamNames are the names of compartments, policies or dynamic groups.
func iamNames[T identitysdk.Compartment | identitysdk.Policy | identitysdk.DynamicGroup](items []T) []string {
	out := make([]string, 0, len(items))
	for _, v := range items {
		switch x := any(v).(type) {
		case identitysdk.Compartment:
			out = append(out, *x.Name)
		case identitysdk.Policy:
			out = append(out, *x.Name)
		case identitysdk.DynamicGroup:
			out = append(out, *x.Name)
		}
	}
	return out
}

// TestIdentityPolicies creates both shapes of the gateway-to-functions
// grant, reads them back as doctor would, updates and deletes them.
func TestIdentityPolicies(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	comp := info.CompartmentID

	seeded, err := e.id.ListPolicies(e.ctx, identitysdk.ListPoliciesRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.Equal(t, []string{"Tenant Admin Policy"}, iamNames(seeded.Items), "every tenancy has its administrators policy")
	none, err := e.id.ListPolicies(e.ctx, identitysdk.ListPoliciesRequest{CompartmentId: &comp})
	require.NoError(t, err)
	require.Empty(t, none.Items, "no grant is seeded: that is one of the seed's pitfalls")

	anyUser, err := e.id.CreatePolicy(e.ctx, identitysdk.CreatePolicyRequest{CreatePolicyDetails: identitysdk.CreatePolicyDetails{
		CompartmentId: &comp, Name: common.String("apigw-invoke-functions"), Description: common.String("API Gateway calls functions"),
		Statements: []string{iamAnyUserGrant(comp, comp)},
	}})
	require.NoError(t, err)
	require.Equal(t, identitysdk.PolicyLifecycleStateActive, anyUser.LifecycleState)
	require.Equal(t, []string{iamAnyUserGrant(comp, comp)}, anyUser.Statements, "statements are kept as written")
	require.NotEmpty(t, *anyUser.Etag)

	group, err := e.id.CreateDynamicGroup(e.ctx, identitysdk.CreateDynamicGroupRequest{CreateDynamicGroupDetails: identitysdk.CreateDynamicGroupDetails{
		CompartmentId: &info.TenancyID, Name: common.String("api-gateway-dynamic-group"),
		Description: common.String("Allows API Gateway to invoke Functions"), MatchingRule: common.String(iamSeedRule(comp)),
	}})
	require.NoError(t, err)
	require.Equal(t, identitysdk.DynamicGroupLifecycleStateActive, group.LifecycleState)
	seedForm, err := e.id.CreatePolicy(e.ctx, identitysdk.CreatePolicyRequest{CreatePolicyDetails: identitysdk.CreatePolicyDetails{
		CompartmentId: &comp, Name: common.String("gateway-invoke-functions-policy"), Description: common.String("seed form"),
		Statements: []string{"Allow dynamic-group api-gateway-dynamic-group to use functions-family in compartment id " + comp},
	}})
	require.NoError(t, err)

	// What doctor reads: the policies of the compartment and the groups of the tenancy.
	list, err := e.id.ListPolicies(e.ctx, identitysdk.ListPoliciesRequest{CompartmentId: &comp, SortBy: identitysdk.ListPoliciesSortByTimecreated})
	require.NoError(t, err)
	require.Equal(t, []string{"gateway-invoke-functions-policy", "apigw-invoke-functions"}, iamNames(list.Items), "newest first")
	groups, err := e.id.ListDynamicGroups(e.ctx, identitysdk.ListDynamicGroupsRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.Len(t, groups.Items, 1)
	require.Equal(t, iamSeedRule(comp), *groups.Items[0].MatchingRule)
	inChild, err := e.id.ListDynamicGroups(e.ctx, identitysdk.ListDynamicGroupsRequest{CompartmentId: &comp})
	require.NoError(t, err)
	require.Empty(t, inChild.Items, "dynamic groups live in the tenancy")

	// Update statements with optimistic concurrency.
	two := []string{iamAnyUserGrant(comp, comp), "Allow any-user to use fn-invocation in tenancy where request.principal.type='ApiGateway'"}
	_, err = e.id.UpdatePolicy(e.ctx, identitysdk.UpdatePolicyRequest{PolicyId: anyUser.Id, IfMatch: common.String("stale"),
		UpdatePolicyDetails: identitysdk.UpdatePolicyDetails{Statements: two}})
	requireServiceError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", `if-match "stale"`)
	updated, err := e.id.UpdatePolicy(e.ctx, identitysdk.UpdatePolicyRequest{PolicyId: anyUser.Id, IfMatch: anyUser.Etag,
		UpdatePolicyDetails: identitysdk.UpdatePolicyDetails{Statements: two}})
	require.NoError(t, err)
	require.Equal(t, two, updated.Statements)
	require.Equal(t, "API Gateway calls functions", *updated.Description, "what an update leaves out is kept")
	require.NotEqual(t, *anyUser.Etag, *updated.Etag)
	got, err := e.id.GetPolicy(e.ctx, identitysdk.GetPolicyRequest{PolicyId: anyUser.Id})
	require.NoError(t, err)
	require.Equal(t, two, got.Statements)
	require.Equal(t, *updated.Etag, *got.Etag)

	rule := "ANY {resource.type = 'ApiGateway'}"
	g2, err := e.id.UpdateDynamicGroup(e.ctx, identitysdk.UpdateDynamicGroupRequest{DynamicGroupId: group.Id, IfMatch: group.Etag,
		UpdateDynamicGroupDetails: identitysdk.UpdateDynamicGroupDetails{MatchingRule: &rule}})
	require.NoError(t, err)
	require.Equal(t, rule, *g2.MatchingRule)

	// Delete: gone at once, and the name is free again.
	_, err = e.id.DeletePolicy(e.ctx, identitysdk.DeletePolicyRequest{PolicyId: seedForm.Id, IfMatch: common.String("stale")})
	requireServiceError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", "")
	_, err = e.id.DeletePolicy(e.ctx, identitysdk.DeletePolicyRequest{PolicyId: seedForm.Id})
	require.NoError(t, err)
	_, err = e.id.GetPolicy(e.ctx, identitysdk.GetPolicyRequest{PolicyId: seedForm.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "policy "+*seedForm.Id)
	_, err = e.id.DeleteDynamicGroup(e.ctx, identitysdk.DeleteDynamicGroupRequest{DynamicGroupId: group.Id, IfMatch: g2.Etag})
	require.NoError(t, err)
	_, err = e.id.GetDynamicGroup(e.ctx, identitysdk.GetDynamicGroupRequest{DynamicGroupId: group.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "dynamic group "+*group.Id)
	_, err = e.id.DeletePolicy(e.ctx, identitysdk.DeletePolicyRequest{PolicyId: seedForm.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "")

	// A create retried with its token gets the first answer, not a 409.
	retried := identitysdk.CreatePolicyRequest{OpcRetryToken: common.String("policy-token"), CreatePolicyDetails: identitysdk.CreatePolicyDetails{
		CompartmentId: &comp, Name: common.String("retried"), Description: common.String(""), Statements: []string{iamAnyUserGrant(comp, comp)}}}
	first, err := e.id.CreatePolicy(e.ctx, retried)
	require.NoError(t, err)
	second, err := e.id.CreatePolicy(e.ctx, retried)
	require.NoError(t, err)
	require.Equal(t, *first.Id, *second.Id)
}

// TestIdentityPaging pages bare-array lists with opc-next-page.
func TestIdentityPaging(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	comp := e.s.Info().CompartmentID
	for _, n := range []string{"p3", "p1", "p2", "p5", "p4"} {
		_, err := e.id.CreatePolicy(e.ctx, identitysdk.CreatePolicyRequest{CreatePolicyDetails: identitysdk.CreatePolicyDetails{
			CompartmentId: &comp, Name: common.String(n), Description: common.String(""), Statements: []string{"Allow group g to read all-resources in tenancy"},
		}})
		require.NoError(t, err)
	}
	var names []string
	req := identitysdk.ListPoliciesRequest{CompartmentId: &comp, Limit: common.Int(2), SortBy: identitysdk.ListPoliciesSortByName}
	pages := 0
	for {
		resp, err := e.id.ListPolicies(e.ctx, req)
		require.NoError(t, err)
		pages++
		names = append(names, iamNames(resp.Items)...)
		if resp.OpcNextPage == nil {
			break
		}
		req.Page = resp.OpcNextPage
	}
	require.Equal(t, 3, pages)
	require.Equal(t, []string{"p1", "p2", "p3", "p4", "p5"}, names)

	desc, err := e.id.ListPolicies(e.ctx, identitysdk.ListPoliciesRequest{CompartmentId: &comp, SortBy: identitysdk.ListPoliciesSortByName,
		SortOrder: identitysdk.ListPoliciesSortOrderDesc, Name: common.String("p4")})
	require.NoError(t, err)
	require.Equal(t, []string{"p4"}, iamNames(desc.Items))

	// An empty list is [] on the wire, not null.
	r := e.raw(http.MethodGet, "/20160918/policies?compartmentId="+e.s.Info().TenancyID+"&name=nothing", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "[]", strings.TrimSpace(string(r.Body)))
}
