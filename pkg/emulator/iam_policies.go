package emulator

import (
	"net/http"
	"strings"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	identitysdk "github.com/oracle/oci-go-sdk/v65/identity"
)

// iamLookup returns the resource named by the request path, or a 404.
func iamLookup[T any](m map[string]*iamRes[T], c *call, kind string) (*iamRes[T], *apiError) {
	id := c.r.PathValue("id")
	x, ok := m[id]
	if !validID(id) || !ok {
		return nil, errNotFound(kind, id)
	}
	return x, nil
}

// iamGet answers a GET of one resource with its etag.
func iamGet[T any](m map[string]*iamRes[T], kind string) endpoint {
	return func(c *call) (int, any, error) {
		x, err := iamLookup(m, c, kind)
		if err != nil {
			return 0, nil, err
		}
		c.header.Set("etag", x.etag)
		return http.StatusOK, x.v, nil
	}
}

// iamDelete answers a DELETE: the resource is gone at once (Identity is
// synchronous), 204 with no body; if-match must match its etag.
func iamDelete[T any](m map[string]*iamRes[T], kind string) endpoint {
	return func(c *call) (int, any, error) {
		x, err := iamLookup(m, c, kind)
		if err != nil {
			return 0, nil, err
		}
		if err := checkIfMatch(c.r, x.etag); err != nil {
			return 0, nil, err
		}
		delete(m, c.r.PathValue("id"))
		return http.StatusNoContent, nil, nil
	}
}

// addPolicy stores p ACTIVE, created at now.
func (i *iamState) addPolicy(p identitysdk.Policy, now time.Time) *iamRes[identitysdk.Policy] {
	i.seq++
	p.TimeCreated = apigwTime(now)
	p.LifecycleState = identitysdk.PolicyLifecycleStateActive
	p.FreeformTags, p.DefinedTags = apigwFreeform(p.FreeformTags), apigwDefined(p.DefinedTags)
	x := &iamRes[identitysdk.Policy]{v: p, etag: etagOf(p), seq: i.seq}
	i.policies[*p.Id] = x
	return x
}

// createPolicy answers POST /policies. Names are unique in the tenancy
// (SDK identity/create_policy_details.go; OCI answers 409
// PolicyAlreadyExists "Policy '<name>' already exists"). Statements are
// kept as written: the emulator does not parse the policy language.
func (i *iamState) createPolicy(c *call) (int, any, error) {
	var in identitysdk.CreatePolicyDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if err := iamCheckCommon(in.CompartmentId, in.Name, in.Description, true); err != nil {
		return 0, nil, err
	}
	if err := iamCheckStatements(in.Statements); err != nil {
		return 0, nil, err
	}
	if err := i.checkCompartment(*in.CompartmentId); err != nil {
		return 0, nil, err
	}
	for _, x := range i.policies {
		if *x.v.Name == *in.Name {
			return 0, nil, errConflict("PolicyAlreadyExists", "Policy '%s' already exists", *in.Name)
		}
	}
	x := i.addPolicy(identitysdk.Policy{Id: common.String(newOCID("policy", "")), CompartmentId: in.CompartmentId,
		Name: in.Name, Statements: in.Statements, Description: in.Description, VersionDate: in.VersionDate,
		FreeformTags: in.FreeformTags, DefinedTags: in.DefinedTags}, c.now)
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.v, nil
}

// getPolicy answers GET /policies/{id}.
func (i *iamState) getPolicy(c *call) (int, any, error) {
	return iamGet(i.policies, "policy")(c)
}

// listPolicies answers GET /policies?compartmentId=: the policies attached
// to that compartment only (a full check walks up to the tenancy,
// oci-api.md §6.1), as a bare JSON array.
func (i *iamState) listPolicies(c *call) (int, any, error) {
	comp, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := i.checkCompartment(comp); err != nil {
		return 0, nil, err
	}
	want, err := iamEnumQuery(c.r, "lifecycleState", identitysdk.GetPolicyLifecycleStateEnumStringValues())
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	var matched []*iamRes[identitysdk.Policy]
	for _, x := range i.policies {
		if *x.v.CompartmentId != comp || q.Has("name") && *x.v.Name != q.Get("name") || want != "" && string(x.v.LifecycleState) != want {
			continue
		}
		matched = append(matched, x)
	}
	page, err := iamPageList(c, matched, "TIMECREATED", "NAME", func(x *iamRes[identitysdk.Policy]) iamListKey {
		return iamListKey{created: x.v.TimeCreated.Time, name: *x.v.Name, seq: x.seq}
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]identitysdk.Policy, 0, len(page))
	for _, x := range page {
		out = append(out, x.v)
	}
	return http.StatusOK, out, nil
}

// updatePolicy answers PUT /policies/{id}: statements (replaced as a
// whole), description, version date and tags; the name cannot change.
func (i *iamState) updatePolicy(c *call) (int, any, error) {
	x, err := iamLookup(i.policies, c, "policy")
	if err != nil {
		return 0, nil, err
	}
	if err := checkIfMatch(c.r, x.etag); err != nil {
		return 0, nil, err
	}
	var in identitysdk.UpdatePolicyDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if in.Statements != nil {
		if err := iamCheckStatements(in.Statements); err != nil {
			return 0, nil, err
		}
	}
	if err := iamCheckDescription(in.Description); err != nil {
		return 0, nil, err
	}
	p := x.v
	if in.Statements != nil {
		p.Statements = in.Statements
	}
	if in.Description != nil {
		p.Description = in.Description
	}
	if in.VersionDate != nil {
		p.VersionDate = in.VersionDate
	}
	if in.FreeformTags != nil {
		p.FreeformTags = in.FreeformTags
	}
	if in.DefinedTags != nil {
		p.DefinedTags = in.DefinedTags
	}
	x.v, x.etag = p, etagOf(p)
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.v, nil
}

// deletePolicy answers DELETE /policies/{id}.
func (i *iamState) deletePolicy(c *call) (int, any, error) {
	return iamDelete(i.policies, "policy")(c)
}

// iamCheckStatements checks a policy's statements: at least one, none
// blank. oci-api.md gives no length or count limit, so none is enforced
// beyond the 2 MB body limit.
func iamCheckStatements(s []string) *apiError {
	if s == nil {
		return errMissing("statements")
	}
	if len(s) == 0 {
		return errBadRequest("statements is empty; a policy needs at least one statement")
	}
	for n, st := range s {
		if strings.TrimSpace(st) == "" {
			return errBadRequest("statements[%d] is empty; a statement is a non-empty string of the policy language", n)
		}
	}
	return nil
}

// createDynamicGroup answers POST /dynamicGroups. Dynamic groups live in
// the tenancy only (OCI: 400 InvalidParameter "Dynamic group can only be
// created in the tenancy compartment"); names are unique in the tenancy.
// The matching rule is kept as written.
func (i *iamState) createDynamicGroup(c *call) (int, any, error) {
	var in identitysdk.CreateDynamicGroupDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if err := iamCheckCommon(in.CompartmentId, in.Name, in.Description, false); err != nil {
		return 0, nil, err
	}
	if err := iamCheckRule(in.MatchingRule); err != nil {
		return 0, nil, err
	}
	if err := i.checkCompartment(*in.CompartmentId); err != nil {
		return 0, nil, err
	}
	if *in.CompartmentId != i.st.tenancyID {
		return 0, nil, errBadRequest("Dynamic group can only be created in the tenancy compartment")
	}
	for _, x := range i.groups {
		if *x.v.Name == *in.Name {
			return 0, nil, errConflict("DynamicGroupAlreadyExists", "Dynamic group '%s' already exists", *in.Name)
		}
	}
	i.seq++
	g := identitysdk.DynamicGroup{Id: common.String(newOCID("dynamicgroup", "")), CompartmentId: in.CompartmentId,
		Name: in.Name, Description: in.Description, MatchingRule: in.MatchingRule, TimeCreated: apigwTime(c.now),
		LifecycleState: identitysdk.DynamicGroupLifecycleStateActive,
		FreeformTags:   apigwFreeform(in.FreeformTags), DefinedTags: apigwDefined(in.DefinedTags)}
	x := &iamRes[identitysdk.DynamicGroup]{v: g, etag: etagOf(g), seq: i.seq}
	i.groups[*g.Id] = x
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.v, nil
}

// getDynamicGroup answers GET /dynamicGroups/{id}.
func (i *iamState) getDynamicGroup(c *call) (int, any, error) {
	return iamGet(i.groups, "dynamic group")(c)
}

// listDynamicGroups answers GET /dynamicGroups?compartmentId=<tenancy>, a
// bare JSON array; any other compartment holds none.
func (i *iamState) listDynamicGroups(c *call) (int, any, error) {
	comp, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := i.checkCompartment(comp); err != nil {
		return 0, nil, err
	}
	want, err := iamEnumQuery(c.r, "lifecycleState", identitysdk.GetDynamicGroupLifecycleStateEnumStringValues())
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	var matched []*iamRes[identitysdk.DynamicGroup]
	for _, x := range i.groups {
		if *x.v.CompartmentId != comp || q.Has("name") && *x.v.Name != q.Get("name") || want != "" && string(x.v.LifecycleState) != want {
			continue
		}
		matched = append(matched, x)
	}
	page, err := iamPageList(c, matched, "TIMECREATED", "NAME", func(x *iamRes[identitysdk.DynamicGroup]) iamListKey {
		return iamListKey{created: x.v.TimeCreated.Time, name: *x.v.Name, seq: x.seq}
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]identitysdk.DynamicGroup, 0, len(page))
	for _, x := range page {
		out = append(out, x.v)
	}
	return http.StatusOK, out, nil
}

// updateDynamicGroup answers PUT /dynamicGroups/{id}: matching rule,
// description and tags.
func (i *iamState) updateDynamicGroup(c *call) (int, any, error) {
	x, err := iamLookup(i.groups, c, "dynamic group")
	if err != nil {
		return 0, nil, err
	}
	if err := checkIfMatch(c.r, x.etag); err != nil {
		return 0, nil, err
	}
	var in identitysdk.UpdateDynamicGroupDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if in.MatchingRule != nil {
		if err := iamCheckRule(in.MatchingRule); err != nil {
			return 0, nil, err
		}
	}
	if err := iamCheckDescription(in.Description); err != nil {
		return 0, nil, err
	}
	g := x.v
	if in.MatchingRule != nil {
		g.MatchingRule = in.MatchingRule
	}
	if in.Description != nil {
		g.Description = in.Description
	}
	if in.FreeformTags != nil {
		g.FreeformTags = in.FreeformTags
	}
	if in.DefinedTags != nil {
		g.DefinedTags = in.DefinedTags
	}
	x.v, x.etag = g, etagOf(g)
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.v, nil
}

// deleteDynamicGroup answers DELETE /dynamicGroups/{id}.
func (i *iamState) deleteDynamicGroup(c *call) (int, any, error) {
	return iamDelete(i.groups, "dynamic group")(c)
}

// iamCheckRule checks a matching rule: given and not blank.
func iamCheckRule(rule *string) *apiError {
	if rule == nil {
		return errMissing("matchingRule")
	}
	if strings.TrimSpace(*rule) == "" {
		return errBadRequest("matchingRule is empty; a rule such as ALL {resource.type = 'ApiGateway', resource.compartment.id = '<compartment OCID>'} is required")
	}
	return nil
}
