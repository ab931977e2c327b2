package emulator

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	identitysdk "github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/stretchr/testify/require"
)

// The fuzz targets of the part-2 planes drive their create and update
// endpoints directly (no HTTP, no signature) on a fresh store per input.
// Bodies may say $COMPARTMENT, $TENANCY, $DEPLOYMENT and $APP for the
// store's ids. Whatever the input: no panic, an answer that is a success
// or an OCI 4xx error, and a store that still holds only what its rules
// allow and answers GET and LIST consistently.

// iamFuzzStore is a state with every plane and no server, on a clock the
// test moves: one ACTIVE API deployment and one ACTIVE application exist
// for service logs to name.
type iamFuzzStore struct {
	st         *state
	now        time.Time
	deployment string
	app        string
}

func newIAMFuzzStore() *iamFuzzStore {
	f := &iamFuzzStore{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	st := &state{now: func() time.Time { return f.now }, latency: DefaultLatency, region: "us-ashburn-1", key: "iad",
		retry: newRetryTokens(), namespace: "fuzzns"}
	st.tenancyID = newOCID("tenancy", "")
	st.compartmentID = newOCID("compartment", "")
	st.subnetID = newOCID("subnet", st.key)
	st.apigw = newAPIGatewayState(st, "127.0.0.1:1")
	st.fns = newFunctionsState(st, "http://127.0.0.1:1", "127.0.0.1:2")
	st.iam, st.logs, st.net, st.arts = newIAMState(st), newLoggingState(st), newNetworkState(st), newArtifactsState(st)
	f.st = st
	f.deployment = newOCID("apideployment", st.key)
	st.apigw.deployments[f.deployment] = &apigwDeployment{d: apigateway.Deployment{Id: common.String(f.deployment),
		CompartmentId: common.String(st.compartmentID), LifecycleState: apigateway.DeploymentLifecycleStateActive}}
	f.app = newOCID("fnapp", st.key)
	st.fns.apps[f.app] = &fnApp{ID: f.app, State: fnActive, fnAppSpec: fnAppSpec{CompartmentID: st.compartmentID}}
	return f
}

// call runs one endpoint at the store's time, as Server.handle would;
// path values are name, value pairs.
func (f *iamFuzzStore) call(ep endpoint, method, target string, body []byte, path ...string) (int, any, http.Header, error) {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(path); i += 2 {
		r.SetPathValue(path[i], path[i+1])
	}
	f.st.advance(f.now)
	c := &call{r: r, body: body, now: f.now, header: http.Header{}}
	status, v, err := ep(c)
	return status, v, c.header, err
}

// fill replaces the placeholders of a body with the store's ids.
func (f *iamFuzzStore) fill(body []byte) []byte {
	return []byte(strings.NewReplacer("$COMPARTMENT", f.st.compartmentID, "$TENANCY", f.st.tenancyID,
		"$DEPLOYMENT", f.deployment, "$APP", f.app).Replace(string(body)))
}

// iamRequireAnswer checks that an endpoint answered a success or an OCI
// client error, never a 500.
func iamRequireAnswer(t *testing.T, status int, err error) {
	t.Helper()
	if err == nil {
		require.True(t, status >= 200 && status < 300, "status %d", status)
		return
	}
	ae, ok := err.(*apiError) //nolint:errorlint // endpoints return *apiError unwrapped
	require.True(t, ok, "a non-API error: %v", err)
	require.True(t, ae.Status >= 400 && ae.Status < 500, "%v", ae)
	require.NotEmpty(t, ae.Code)
	require.NotEmpty(t, ae.Message)
}

// iamTestdata reads testdata/<dir>/<name>.
func iamTestdata(t testing.TB, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", dir, name))
	require.NoError(t, err)
	return data
}

// checkIdentity verifies the Identity store's invariants through its own
// endpoints.
func (f *iamFuzzStore) checkIdentity(t *testing.T) {
	t.Helper()
	i := f.st.iam
	siblings := map[string]bool{}
	for id, x := range i.compartments {
		require.Equal(t, id, *x.v.Id)
		require.Equal(t, etagOf(x.v), x.etag)
		require.Nil(t, iamCheckName(*x.v.Name, false))
		require.True(t, i.knownCompartment(*x.v.CompartmentId), "a compartment's parent exists")
		if id != f.st.tenancyID {
			key := *x.v.CompartmentId + "/" + *x.v.Name
			require.False(t, siblings[key], "two compartments named %s", key)
			siblings[key] = true
		}
	}
	names := map[string]bool{}
	for id, x := range i.policies {
		require.Equal(t, etagOf(x.v), x.etag)
		require.False(t, names[*x.v.Name], "two policies named %q", *x.v.Name)
		names[*x.v.Name] = true
		require.Nil(t, iamCheckStatements(x.v.Statements))
		require.Nil(t, iamCheckDescription(x.v.Description))
		require.True(t, i.knownCompartment(*x.v.CompartmentId))
		_, v, h, err := f.call(i.getPolicy, "GET", "/20160918/policies/"+id, nil, "id", id)
		require.NoError(t, err)
		require.Equal(t, x.v, v)
		require.Equal(t, x.etag, h.Get("etag"))
		_, list, _, err := f.call(i.listPolicies, "GET", "/20160918/policies?limit=1000&compartmentId="+*x.v.CompartmentId, nil)
		require.NoError(t, err)
		require.Contains(t, list, x.v)
	}
	groups := map[string]bool{}
	for _, x := range i.groups {
		require.Equal(t, etagOf(x.v), x.etag)
		require.False(t, groups[*x.v.Name])
		groups[*x.v.Name] = true
		require.Nil(t, iamCheckRule(x.v.MatchingRule))
		require.Equal(t, f.st.tenancyID, *x.v.CompartmentId)
	}
}

// iamFuzzSeeds are the Identity seeds: the testdata bodies and odd ones.
func iamFuzzSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(`{}`), []byte(`null`), []byte(`[]`), []byte(`{"statements": [null]}`),
		[]byte(`{"compartmentId": "$COMPARTMENT", "name": "x", "description": "", "statements": ["a"], "matchingRule": "r"}`),
		[]byte(`{"compartmentId": "$TENANCY", "name": "osa-emulator", "description": ""}`),
		[]byte(`{"compartmentId": "../..", "name": "n", "description": "d"}`),
		[]byte(`{"statements": ["Allow group x to manage all-resources in tenancy"], "freeformTags": {"a": "b"}, "versionDate": "2020-01-01"}`),
	}
	for _, n := range []string{"compartment.json", "policy-any-user.json", "policy-dynamic-group.json", "dynamic-group.json"} {
		seeds = append(seeds, iamTestdata(t, "iam", n))
	}
	return seeds
}

// FuzzIdentityDecoders sends one body to every Identity create and update.
func FuzzIdentityDecoders(f *testing.F) {
	for _, b := range iamFuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := newIAMFuzzStore()
		i := s.st.iam
		body = s.fill(body)
		// Twice: the second create meets the first in the store.
		for range 2 {
			for _, ep := range []endpoint{i.createCompartment, i.createPolicy, i.createDynamicGroup} {
				status, _, _, err := s.call(ep, "POST", "/20160918/x", body)
				iamRequireAnswer(t, status, err)
			}
		}
		for id := range i.policies {
			status, _, _, err := s.call(i.updatePolicy, "PUT", "/20160918/policies/"+id, body, "id", id)
			iamRequireAnswer(t, status, err)
		}
		for id := range i.groups {
			status, _, _, err := s.call(i.updateDynamicGroup, "PUT", "/20160918/dynamicGroups/"+id, body, "id", id)
			iamRequireAnswer(t, status, err)
		}
		s.checkIdentity(t)
	})
}

// TestPart2FuzzSeedsSucceed requires the testdata bodies to be accepted:
// the fuzz targets start from valid requests.
func TestPart2FuzzSeedsSucceed(t *testing.T) {
	t.Parallel()
	s := newIAMFuzzStore()
	i, l, a := s.st.iam, s.st.logs, s.st.arts
	for _, tc := range []struct {
		ep         endpoint
		dir, name  string
		path       []string
		wantStatus int
	}{
		{i.createCompartment, "iam", "compartment.json", nil, http.StatusOK},
		{i.createPolicy, "iam", "policy-any-user.json", nil, http.StatusOK},
		{i.createPolicy, "iam", "policy-dynamic-group.json", nil, http.StatusOK},
		{i.createDynamicGroup, "iam", "dynamic-group.json", nil, http.StatusOK},
		{l.createLogGroup, "logging", "log-group.json", nil, http.StatusCreated},
		{a.createRepository, "artifacts", "repository.json", nil, http.StatusOK},
	} {
		status, _, _, err := s.call(tc.ep, "POST", "/x", s.fill(iamTestdata(t, tc.dir, tc.name)), tc.path...)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.wantStatus, status, tc.name)
	}
	s.now = s.now.Add(time.Second)
	var group string
	for id := range l.groups {
		group = id
	}
	for _, n := range []string{"execution-log.json", "invoke-log.json", "custom-log.json"} {
		status, _, _, err := s.call(l.createLog, "POST", "/x", s.fill(iamTestdata(t, "logging", n)), "id", group)
		require.NoError(t, err, n)
		require.Equal(t, http.StatusCreated, status)
	}
	s.now = s.now.Add(time.Second)
	s.checkIdentity(t)
	s.checkLogging(t)
	s.checkArtifacts(t)
	require.Len(t, l.logs, 3)
	_, list, _, err := s.call(i.listPolicies, "GET", "/20160918/policies?compartmentId="+s.st.compartmentID, nil)
	require.NoError(t, err)
	require.Len(t, list.([]identitysdk.Policy), 2)
}
