package emulator

import (
	"net/http"
	"strings"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	identitysdk "github.com/oracle/oci-go-sdk/v65/identity"
)

// identityBase is the Identity API version the SDK speaks (SDK
// identity/identity_client.go, BasePath 20160918). Core networking and
// Artifacts share it.
const identityBase = "/20160918"

// Identity limits the emulator enforces. OCI documents names as unique
// and (for compartments) up to 100 characters; the character sets are the
// ones the Console enforces. Descriptions may be empty.
const (
	iamMaxName        = 100
	iamMaxDescription = 400
)

// iamState is the state of the Identity plane (oci-api.md §6.1):
// compartments (the tenancy is the root compartment; the emulator's
// compartment is its child), policies and dynamic groups. Identity is
// synchronous: everything is ACTIVE as soon as it is created. Like all of
// state it is guarded by state.mu.
type iamState struct {
	st  *state
	seq int // creation counter, the tie-break of every sort

	compartments map[string]*iamRes[identitysdk.Compartment]
	policies     map[string]*iamRes[identitysdk.Policy]
	groups       map[string]*iamRes[identitysdk.DynamicGroup]
}

// iamRes is one stored Identity resource, its etag and its place in the
// creation order.
type iamRes[T any] struct {
	v    T
	etag string
	seq  int
}

// newIAMState seeds the root compartment (the tenancy), the emulator's
// compartment and the tenancy's default administrators policy, which every
// OCI tenancy has. It seeds no grant for API gateways to call functions:
// finding that missing is one of `osa doctor`'s checks.
func newIAMState(st *state) *iamState {
	i := &iamState{st: st, compartments: map[string]*iamRes[identitysdk.Compartment]{},
		policies: map[string]*iamRes[identitysdk.Policy]{}, groups: map[string]*iamRes[identitysdk.DynamicGroup]{}}
	now := st.now()
	i.addCompartment(identitysdk.Compartment{Id: common.String(st.tenancyID), CompartmentId: common.String(st.tenancyID),
		Name: common.String("osa-emulator-tenancy"), Description: common.String("The root compartment of the emulator's tenancy")}, now)
	if st.compartmentID != st.tenancyID {
		i.addCompartment(identitysdk.Compartment{Id: common.String(st.compartmentID), CompartmentId: common.String(st.tenancyID),
			Name: common.String("osa-emulator"), Description: common.String("The emulator's compartment (compartment_id in the emulator info)")}, now)
	}
	i.addPolicy(identitysdk.Policy{Id: common.String(newOCID("policy", "")), CompartmentId: common.String(st.tenancyID),
		Name: common.String("Tenant Admin Policy"), Description: common.String("Tenant Admin Policy"),
		Statements: []string{"ALLOW GROUP Administrators to manage all-resources IN TENANCY"}}, now)
	return i
}

// registerIAM registers the Identity endpoints.
func (s *Server) registerIAM(mux *http.ServeMux) {
	i := s.st.iam
	b := identityBase
	mux.HandleFunc("POST "+b+"/compartments", s.handle(i.createCompartment))
	mux.HandleFunc("GET "+b+"/compartments", s.handle(i.listCompartments))
	mux.HandleFunc("GET "+b+"/compartments/{id}", s.handle(i.getCompartment))

	mux.HandleFunc("POST "+b+"/policies", s.handle(i.createPolicy))
	mux.HandleFunc("GET "+b+"/policies", s.handle(i.listPolicies))
	mux.HandleFunc("GET "+b+"/policies/{id}", s.handle(i.getPolicy))
	mux.HandleFunc("PUT "+b+"/policies/{id}", s.handle(i.updatePolicy))
	mux.HandleFunc("DELETE "+b+"/policies/{id}", s.handle(i.deletePolicy))

	mux.HandleFunc("POST "+b+"/dynamicGroups", s.handle(i.createDynamicGroup))
	mux.HandleFunc("GET "+b+"/dynamicGroups", s.handle(i.listDynamicGroups))
	mux.HandleFunc("GET "+b+"/dynamicGroups/{id}", s.handle(i.getDynamicGroup))
	mux.HandleFunc("PUT "+b+"/dynamicGroups/{id}", s.handle(i.updateDynamicGroup))
	mux.HandleFunc("DELETE "+b+"/dynamicGroups/{id}", s.handle(i.deleteDynamicGroup))
}

// knownCompartment reports whether id is an ACTIVE compartment of the
// tenancy (the tenancy itself included). Every plane that takes a
// compartmentId asks it.
func (i *iamState) knownCompartment(id string) bool {
	c, ok := i.compartments[id]
	return ok && c.v.LifecycleState == identitysdk.CompartmentLifecycleStateActive
}

// inSubtree reports whether compartment id is root or a compartment below
// it.
func (i *iamState) inSubtree(id, root string) bool {
	for range len(i.compartments) + 1 { // parents exist before children: no cycles, but stay bounded
		if id == root {
			return true
		}
		x, ok := i.compartments[id]
		if !ok || *x.v.CompartmentId == id {
			return false
		}
		id = *x.v.CompartmentId
	}
	return false
}

// checkCompartment is knownCompartment as a 404 for the caller to return.
func (i *iamState) checkCompartment(id string) *apiError {
	if !validID(id) || !i.knownCompartment(id) {
		return errNotFound("compartment", id)
	}
	return nil
}

// addCompartment stores c ACTIVE, created at now.
func (i *iamState) addCompartment(c identitysdk.Compartment, now time.Time) *iamRes[identitysdk.Compartment] {
	i.seq++
	c.TimeCreated = apigwTime(now)
	c.LifecycleState = identitysdk.CompartmentLifecycleStateActive
	c.IsAccessible = common.Bool(true)
	c.FreeformTags, c.DefinedTags = apigwFreeform(c.FreeformTags), apigwDefined(c.DefinedTags)
	x := &iamRes[identitysdk.Compartment]{v: c, etag: etagOf(c), seq: i.seq}
	i.compartments[*c.Id] = x
	return x
}

// createCompartment answers POST /compartments: a child of an existing
// compartment, its name unique among its siblings (OCI answers 409
// CompartmentAlreadyExists, oracle/terraform-provider-oci#725).
func (i *iamState) createCompartment(c *call) (int, any, error) {
	var in identitysdk.CreateCompartmentDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if err := iamCheckCommon(in.CompartmentId, in.Name, in.Description, false); err != nil {
		return 0, nil, err
	}
	if err := i.checkCompartment(*in.CompartmentId); err != nil {
		return 0, nil, err
	}
	for _, x := range i.compartments {
		if *x.v.Id != *x.v.CompartmentId && *x.v.CompartmentId == *in.CompartmentId && *x.v.Name == *in.Name {
			return 0, nil, errConflict("CompartmentAlreadyExists", "A compartment with name '%s' already exists.", *in.Name)
		}
	}
	x := i.addCompartment(identitysdk.Compartment{Id: common.String(newOCID("compartment", "")), CompartmentId: in.CompartmentId,
		Name: in.Name, Description: in.Description, FreeformTags: in.FreeformTags, DefinedTags: in.DefinedTags}, c.now)
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.v, nil
}

// getCompartment answers GET /compartments/{id}; the tenancy's OCID gets
// the root compartment.
func (i *iamState) getCompartment(c *call) (int, any, error) {
	id := c.r.PathValue("id")
	x, ok := i.compartments[id]
	if !validID(id) || !ok {
		return 0, nil, errNotFound("compartment", id)
	}
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.v, nil
}

// listCompartments answers GET /compartments?compartmentId=: the children
// of a compartment (not the compartment itself), or with
// compartmentIdInSubtree=true on the tenancy every compartment below it.
// The answer is a bare JSON array (SDK identity/list_compartments_request_response.go).
func (i *iamState) listCompartments(c *call) (int, any, error) {
	q := c.r.URL.Query()
	parent, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := i.checkCompartment(parent); err != nil {
		return 0, nil, err
	}
	if _, err := iamEnumQuery(c.r, "accessLevel", identitysdk.GetListCompartmentsAccessLevelEnumStringValues()); err != nil {
		return 0, nil, err
	}
	subtree, err := apigwBoolParam(c.r, "compartmentIdInSubtree")
	if err != nil {
		return 0, nil, err
	}
	if subtree && parent != i.st.tenancyID {
		return 0, nil, errBadRequest("compartmentIdInSubtree can only be true when compartmentId is the tenancy (the root compartment)")
	}
	want, err := iamEnumQuery(c.r, "lifecycleState", identitysdk.GetCompartmentLifecycleStateEnumStringValues())
	if err != nil {
		return 0, nil, err
	}
	var matched []*iamRes[identitysdk.Compartment]
	for _, x := range i.compartments {
		v := x.v
		switch {
		case *v.Id == i.st.tenancyID,
			!subtree && *v.CompartmentId != parent,
			q.Has("name") && *v.Name != q.Get("name"),
			want != "" && string(v.LifecycleState) != want:
			continue
		}
		matched = append(matched, x)
	}
	page, err := iamPageList(c, matched, "TIMECREATED", "NAME", func(x *iamRes[identitysdk.Compartment]) iamListKey {
		return iamListKey{created: x.v.TimeCreated.Time, name: *x.v.Name, seq: x.seq}
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]identitysdk.Compartment, 0, len(page))
	for _, x := range page {
		out = append(out, x.v)
	}
	return http.StatusOK, out, nil
}

// iamCheckCommon checks what every Identity create needs: a compartment,
// a name (spaces allowed only in policy names) and a description, which
// may be empty but must be given.
func iamCheckCommon(compartmentID, name, description *string, spaces bool) *apiError {
	switch {
	case compartmentID == nil || *compartmentID == "":
		return errMissing("compartmentId")
	case name == nil:
		return errMissing("name")
	case description == nil:
		return errMissing("description")
	}
	if err := iamCheckName(*name, spaces); err != nil {
		return err
	}
	return iamCheckDescription(description)
}

// iamCheckName checks a name: 1 to 100 characters, letters, digits, '.',
// '-' and '_' (and ' ' where spaces is true).
func iamCheckName(name string, spaces bool) *apiError {
	if name == "" {
		return errBadRequest("name is empty; a name of 1 to %d characters is required", iamMaxName)
	}
	if n := len(name); n > iamMaxName {
		return errBadRequest("name is %d characters long; the limit is %d", n, iamMaxName)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_", r) || spaces && r == ' '
		if !ok {
			allowed := `letters, digits, ".", "-" and "_"`
			if spaces {
				allowed = `letters, digits, spaces, ".", "-" and "_"`
			}
			return errBadRequest("name %q: character %q is not allowed (allowed: %s)", name, r, allowed)
		}
	}
	return nil
}

// iamCheckDescription checks an optional description's length.
func iamCheckDescription(d *string) *apiError {
	if d != nil && len(*d) > iamMaxDescription {
		return errBadRequest("description is %d characters long; the limit is %d", len(*d), iamMaxDescription)
	}
	return nil
}
