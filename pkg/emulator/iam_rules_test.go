package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	identitysdk "github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/stretchr/testify/require"
)

// iamRule is one row of a rules table: a change to a valid request and
// the answer it gets (status 0: accepted).
type iamRule[D any] struct {
	name     string
	mutate   func(d *D)
	status   int
	code     string
	fragment string
}

const (
	iamBad      = http.StatusBadRequest
	iamInvalid  = "InvalidParameter"
	iamMissing  = "MissingParameter"
	iamNotFound = "NotAuthorizedOrNotFound"
)

// TestIdentityCreateRules is the table of the rules on new compartments,
// policies and dynamic groups, each with the exact OCI error, sent
// through the real IdentityClient.
func TestIdentityCreateRules(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	long := strings.Repeat("n", iamMaxName+1)

	compRules := []iamRule[identitysdk.CreateCompartmentDetails]{
		{"no compartmentId", func(d *identitysdk.CreateCompartmentDetails) { d.CompartmentId = nil }, iamBad, iamMissing, "compartmentId is required"},
		{"no name", func(d *identitysdk.CreateCompartmentDetails) { d.Name = nil }, iamBad, iamMissing, "name is required"},
		{"no description", func(d *identitysdk.CreateCompartmentDetails) { d.Description = nil }, iamBad, iamMissing, "description is required"},
		{"empty name", func(d *identitysdk.CreateCompartmentDetails) { d.Name = common.String("") }, iamBad, iamInvalid, "name is empty"},
		{"name of 101 characters", func(d *identitysdk.CreateCompartmentDetails) { d.Name = &long }, iamBad, iamInvalid, "name is 101 characters long; the limit is 100"},
		{"name with a space", func(d *identitysdk.CreateCompartmentDetails) { d.Name = common.String("team a") }, iamBad, iamInvalid, `character ' ' is not allowed`},
		{"name with a slash", func(d *identitysdk.CreateCompartmentDetails) { d.Name = common.String("a/b") }, iamBad, iamInvalid, `character '/' is not allowed`},
		{"description of 401 characters", func(d *identitysdk.CreateCompartmentDetails) { d.Description = common.String(strings.Repeat("d", 401)) }, iamBad, iamInvalid, "the limit is 400"},
		{"unknown parent", func(d *identitysdk.CreateCompartmentDetails) {
			d.CompartmentId = common.String("ocid1.compartment.oc1..nope")
		}, http.StatusNotFound, iamNotFound, "compartment ocid1.compartment.oc1..nope"},
		{"parent with odd bytes", func(d *identitysdk.CreateCompartmentDetails) { d.CompartmentId = common.String("../x") }, http.StatusNotFound, iamNotFound, "compartment ../x"},
		{"name of 100 characters", func(d *identitysdk.CreateCompartmentDetails) { d.Name = common.String(long[:100]) }, 0, "", ""},
		{"every allowed character", func(d *identitysdk.CreateCompartmentDetails) { d.Name = common.String("aZ09.-_") }, 0, "", ""},
		{"child of the tenancy", func(d *identitysdk.CreateCompartmentDetails) { d.CompartmentId = &info.TenancyID }, 0, "", ""},
	}
	for _, tc := range compRules {
		t.Run("compartment/"+tc.name, func(t *testing.T) {
			d := identitysdk.CreateCompartmentDetails{CompartmentId: &info.CompartmentID, Name: common.String("c-" + iamSlug(tc.name)), Description: common.String("d")}
			tc.mutate(&d)
			_, err := e.id.CreateCompartment(e.ctx, identitysdk.CreateCompartmentRequest{CreateCompartmentDetails: d})
			iamRequire(t, err, tc.status, tc.code, tc.fragment)
		})
	}

	policyRules := []iamRule[identitysdk.CreatePolicyDetails]{
		{"no compartmentId", func(d *identitysdk.CreatePolicyDetails) { d.CompartmentId = nil }, iamBad, iamMissing, "compartmentId is required"},
		{"no name", func(d *identitysdk.CreatePolicyDetails) { d.Name = nil }, iamBad, iamMissing, "name is required"},
		{"no description", func(d *identitysdk.CreatePolicyDetails) { d.Description = nil }, iamBad, iamMissing, "description is required"},
		{"no statement", func(d *identitysdk.CreatePolicyDetails) { d.Statements = []string{} }, iamBad, iamInvalid, "statements is empty; a policy needs at least one statement"},
		{"blank statement", func(d *identitysdk.CreatePolicyDetails) {
			d.Statements = []string{"Allow group a to read all-resources in tenancy", "  "}
		}, iamBad, iamInvalid, "statements[1] is empty"},
		{"name with a tab", func(d *identitysdk.CreatePolicyDetails) { d.Name = common.String("a\tb") }, iamBad, iamInvalid, `character '\t' is not allowed`},
		{"unknown compartment", func(d *identitysdk.CreatePolicyDetails) {
			d.CompartmentId = common.String("ocid1.compartment.oc1..nope")
		}, http.StatusNotFound, iamNotFound, "compartment ocid1.compartment.oc1..nope"},
		{"name taken in the tenancy", func(d *identitysdk.CreatePolicyDetails) {
			d.Name, d.CompartmentId = common.String("Tenant Admin Policy"), &info.CompartmentID
		}, http.StatusConflict, "PolicyAlreadyExists", "Policy 'Tenant Admin Policy' already exists"},
		{"name with spaces", func(d *identitysdk.CreatePolicyDetails) { d.Name = common.String("gateway invoke functions") }, 0, "", ""},
		{"in the tenancy", func(d *identitysdk.CreatePolicyDetails) { d.CompartmentId = &info.TenancyID }, 0, "", ""},
		{"a long statement", func(d *identitysdk.CreatePolicyDetails) { d.Statements = []string{strings.Repeat("x", 10000)} }, 0, "", ""},
	}
	for _, tc := range policyRules {
		t.Run("policy/"+tc.name, func(t *testing.T) {
			d := identitysdk.CreatePolicyDetails{CompartmentId: &info.CompartmentID, Name: common.String("p-" + iamSlug(tc.name)),
				Description: common.String(""), Statements: []string{iamAnyUserGrant(info.CompartmentID, info.CompartmentID)}}
			tc.mutate(&d)
			_, err := e.id.CreatePolicy(e.ctx, identitysdk.CreatePolicyRequest{CreatePolicyDetails: d})
			iamRequire(t, err, tc.status, tc.code, tc.fragment)
		})
	}

	_, err := e.id.CreateDynamicGroup(e.ctx, identitysdk.CreateDynamicGroupRequest{CreateDynamicGroupDetails: identitysdk.CreateDynamicGroupDetails{
		CompartmentId: &info.TenancyID, Name: common.String("taken"), Description: common.String(""), MatchingRule: common.String(iamSeedRule(info.CompartmentID)),
	}})
	require.NoError(t, err)
	groupRules := []iamRule[identitysdk.CreateDynamicGroupDetails]{
		{"no matchingRule", func(d *identitysdk.CreateDynamicGroupDetails) { d.MatchingRule = nil }, iamBad, iamMissing, "matchingRule is required"},
		{"blank matchingRule", func(d *identitysdk.CreateDynamicGroupDetails) { d.MatchingRule = common.String(" ") }, iamBad, iamInvalid, "matchingRule is empty"},
		{"no name", func(d *identitysdk.CreateDynamicGroupDetails) { d.Name = nil }, iamBad, iamMissing, "name is required"},
		{"in a compartment", func(d *identitysdk.CreateDynamicGroupDetails) { d.CompartmentId = &info.CompartmentID }, iamBad, iamInvalid, "Dynamic group can only be created in the tenancy compartment"},
		{"unknown compartment", func(d *identitysdk.CreateDynamicGroupDetails) {
			d.CompartmentId = common.String("ocid1.tenancy.oc1..nope")
		}, http.StatusNotFound, iamNotFound, "compartment ocid1.tenancy.oc1..nope"},
		{"name taken", func(d *identitysdk.CreateDynamicGroupDetails) { d.Name = common.String("taken") }, http.StatusConflict, "DynamicGroupAlreadyExists", "Dynamic group 'taken' already exists"},
		{"name with a space", func(d *identitysdk.CreateDynamicGroupDetails) { d.Name = common.String("a b") }, iamBad, iamInvalid, `character ' ' is not allowed`},
		{"the seed's group", func(d *identitysdk.CreateDynamicGroupDetails) { d.Name = common.String("api-gateway-dynamic-group") }, 0, "", ""},
	}
	for _, tc := range groupRules {
		t.Run("dynamic group/"+tc.name, func(t *testing.T) {
			d := identitysdk.CreateDynamicGroupDetails{CompartmentId: &info.TenancyID, Name: common.String("g-" + iamSlug(tc.name)),
				Description: common.String(""), MatchingRule: common.String(iamSeedRule(info.CompartmentID))}
			tc.mutate(&d)
			_, err := e.id.CreateDynamicGroup(e.ctx, identitysdk.CreateDynamicGroupRequest{CreateDynamicGroupDetails: d})
			iamRequire(t, err, tc.status, tc.code, tc.fragment)
		})
	}
}

// TestIdentityMalformedRequests sends what the SDK would not: bad JSON,
// wrong types, bad query parameters.
func TestIdentityMalformedRequests(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	p, err := e.id.CreatePolicy(e.ctx, identitysdk.CreatePolicyRequest{CreatePolicyDetails: identitysdk.CreatePolicyDetails{
		CompartmentId: &info.CompartmentID, Name: common.String("p"), Description: common.String(""), Statements: []string{"Allow group a to read all-resources in tenancy"},
	}})
	require.NoError(t, err)
	for _, tc := range []struct {
		method, path, body string
		status             int
		code, fragment     string
	}{
		{"POST", "/20160918/policies", "", iamBad, iamInvalid, "the request body is empty"},
		{"POST", "/20160918/policies", "{", iamBad, iamInvalid, "not valid JSON"},
		{"POST", "/20160918/policies", `{"statements": "Allow all"}`, iamBad, iamInvalid, `field "statements": expected an array, got a JSON string`},
		{"POST", "/20160918/compartments", `[]`, iamBad, iamInvalid, "the request body: expected an object, got a JSON array"},
		{"POST", "/20160918/dynamicGroups", `{"matchingRule": 7}`, iamBad, iamInvalid, `field "matchingRule": expected a string, got a JSON number`},
		{"POST", "/20160918/policies", `null`, iamBad, iamMissing, "compartmentId is required"},
		{"POST", "/20160918/policies", `{"compartmentId": "` + info.CompartmentID + `", "name": "n", "description": ""}`, iamBad, iamMissing, "statements is required"},
		{"PUT", "/20160918/policies/" + *p.Id, `{"statements": []}`, iamBad, iamInvalid, "statements is empty"},
		{"PUT", "/20160918/policies/" + *p.Id, `{"statements": [""]}`, iamBad, iamInvalid, "statements[0] is empty"},
		{"PUT", "/20160918/policies/ocid1.policy.oc1..nope", `{}`, http.StatusNotFound, iamNotFound, "policy ocid1.policy.oc1..nope"},
		{"GET", "/20160918/policies", "", iamBad, iamMissing, "compartmentId is required"},
		{"GET", "/20160918/policies?compartmentId=ocid1.compartment.oc1..nope", "", http.StatusNotFound, iamNotFound, "compartment ocid1.compartment.oc1..nope"},
		{"GET", "/20160918/policies?compartmentId=" + info.CompartmentID + "&lifecycleState=active", "", iamBad, iamInvalid, `lifecycleState "active" must be one of ACTIVE, CREATING, DELETED, DELETING, INACTIVE`},
		{"GET", "/20160918/policies?compartmentId=" + info.CompartmentID + "&sortBy=name", "", iamBad, iamInvalid, `sortBy "name" must be TIMECREATED or NAME`},
		{"GET", "/20160918/policies?compartmentId=" + info.CompartmentID + "&sortOrder=up", "", iamBad, iamInvalid, `sortOrder "up" must be ASC or DESC`},
		{"GET", "/20160918/policies?compartmentId=" + info.CompartmentID + "&limit=0", "", iamBad, iamInvalid, `limit "0" must be a number from 1 to 1000`},
		{"GET", "/20160918/policies?compartmentId=" + info.CompartmentID + "&page=x", "", iamBad, iamInvalid, `page "x" is not a page token`},
		{"GET", "/20160918/compartments?compartmentId=" + info.TenancyID + "&accessLevel=all", "", iamBad, iamInvalid, `accessLevel "all" must be one of ACCESSIBLE, ANY`},
		{"GET", "/20160918/compartments?compartmentId=" + info.TenancyID + "&compartmentIdInSubtree=yes", "", iamBad, iamInvalid, `compartmentIdInSubtree "yes" must be true or false`},
		{"GET", "/20160918/dynamicGroups?compartmentId=" + info.TenancyID + "&lifecycleState=GONE", "", iamBad, iamInvalid, `lifecycleState "GONE"`},
		{"GET", "/20160918/dynamicGroups/..%2f..%2fetc", "", http.StatusNotFound, iamNotFound, "dynamic group ../../etc"},
		{"DELETE", "/20160918/compartments/" + info.CompartmentID, "", http.StatusNotFound, iamNotFound, ""},
	} {
		r := e.raw(tc.method, tc.path, tc.body, nil)
		require.Equal(t, tc.status, r.Status, "%s %s %s: %s", tc.method, tc.path, tc.body, r.Body)
		require.Equal(t, tc.code, r.Code, "%s %s: %s", tc.method, tc.path, r.Body)
		require.Contains(t, r.Message, tc.fragment, "%s %s", tc.method, tc.path)
	}
	got, err := e.id.GetPolicy(e.ctx, identitysdk.GetPolicyRequest{PolicyId: p.Id})
	require.NoError(t, err)
	require.Equal(t, p.Statements, got.Statements, "refused updates change nothing")
}

// iamRequire checks an answer against a rules-table row.
func iamRequire(t *testing.T, err error, status int, code, fragment string) {
	t.Helper()
	if status == 0 {
		require.NoError(t, err)
		return
	}
	requireServiceError(t, err, status, code, fragment)
}

// iamSlug turns a test name into a valid, unique resource name.
func iamSlug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}
