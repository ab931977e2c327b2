package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"
)

// The fuzz targets drive the create and update endpoints directly (no
// HTTP, no signature) on a fresh store per input. Bodies may say
// $GATEWAY and $COMPARTMENT for the store's ids, so that inputs get past
// the reference checks. Whatever the input: no panic, an answer that is
// a deployment or an OCI error, and a store that still answers GET and
// LIST consistently and holds only deployments it would accept again.

// apigwFuzzStore is a store with no server around it, on a fixed clock.
type apigwFuzzStore struct {
	a   *apigwState
	now time.Time
}

func newAPIGWFuzzStore() *apigwFuzzStore {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := &state{now: func() time.Time { return now }, latency: DefaultLatency, region: "us-ashburn-1", key: "iad",
		retry: newRetryTokens()}
	st.compartmentID = newOCID("compartment", "")
	st.tenancyID = newOCID("tenancy", "")
	st.subnetID = newOCID("subnet", st.key)
	a := newAPIGatewayState(st, "127.0.0.1:1")
	st.apigw = a
	return &apigwFuzzStore{a: a, now: now}
}

// call runs one endpoint at the store's time, as Server.handle would.
func (f *apigwFuzzStore) call(ep endpoint, method, target, id string, body []byte) (int, any, http.Header, error) {
	r := httptest.NewRequest(method, target, nil)
	if id != "" {
		r.SetPathValue("id", id)
	}
	f.a.st.advance(f.now)
	c := &call{r: r, body: body, now: f.now, header: http.Header{}}
	status, v, err := ep(c)
	return status, v, c.header, err
}

func (f *apigwFuzzStore) fill(body []byte) []byte {
	return []byte(strings.NewReplacer("$GATEWAY", f.a.seededGatewayID(), "$COMPARTMENT", f.a.st.compartmentID).Replace(string(body)))
}

// check verifies the store's invariants through its own endpoints.
func (f *apigwFuzzStore) check(t *testing.T) {
	t.Helper()
	alive := map[string]int{}
	prefixes := map[string]string{}
	for id, x := range f.a.deployments {
		require.True(t, validID(id))
		require.Equal(t, id, *x.d.Id)
		require.Equal(t, etagOf(x.d), x.etag, "the etag is the current version's")
		require.Nil(t, apigwCheckPathPrefix(*x.d.PathPrefix))
		spec, err := json.Marshal(x.d.Specification)
		require.NoError(t, err)
		var again apigateway.ApiSpecification
		require.Nil(t, apigwDecode(spec, &again), "the stored specification decodes again: %s", spec)
		require.Nil(t, apigwCheckSpec(&again, spec), "the stored specification passes the rules again: %s", spec)
		if x.alive() {
			alive[*x.d.GatewayId]++
			key := *x.d.GatewayId + " " + *x.d.PathPrefix
			require.Empty(t, prefixes[key], "two live deployments on %s", key)
			prefixes[key] = id
		}
		status, v, h, aerr := f.call(f.a.getDeployment, "GET", "/20190501/deployments/"+id, id, nil)
		require.NoError(t, aerr)
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, x.etag, h.Get("etag"))
		require.NoError(t, json.NewEncoder(io.Discard).Encode(v))
	}
	for g, n := range alive {
		require.LessOrEqual(t, n, apigwMaxDeploymentsPerGateway, g)
	}
	status, v, _, err := f.call(f.a.listDeployments, "GET", "/20190501/deployments?compartmentId="+f.a.st.compartmentID, "", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	n := 0
	for _, x := range f.a.deployments {
		if x.alive() && *x.d.CompartmentId == f.a.st.compartmentID {
			n++
		}
	}
	require.Len(t, v.(apigateway.DeploymentCollection).Items, n)
}

// apigwRequireAnswer checks that an endpoint answered a value or an OCI
// error, never anything else.
func apigwRequireAnswer(t *testing.T, status int, v any, err error) {
	t.Helper()
	if err != nil {
		var ae *apiError
		require.ErrorAs(t, err, &ae)
		require.GreaterOrEqual(t, ae.Status, 400)
		require.NotEmpty(t, ae.Code)
		require.NotEmpty(t, ae.Message)
		return
	}
	require.Contains(t, []int{http.StatusOK, http.StatusAccepted}, status)
	_ = v
}

// apigwSDKBody is the body the real SDK sends for a request.
func apigwSDKBody(t testing.TB, req common.OCIRequest) []byte {
	t.Helper()
	r, err := req.HTTPRequest(http.MethodPost, "/deployments", nil, nil)
	require.NoError(t, err)
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return body
}

// apigwFuzzSeeds are request bodies as the SDK sends them, valid and not.
func apigwFuzzSeeds(t testing.TB) (creates, updates [][]byte) {
	kitchen := apigwSpecFrom(t, apigwTestdata(t, "kitchen-sink.json"))
	details := func(prefix string, spec *apigateway.ApiSpecification) apigateway.CreateDeploymentDetails {
		return apigateway.CreateDeploymentDetails{GatewayId: common.String("$GATEWAY"), CompartmentId: common.String("$COMPARTMENT"),
			PathPrefix: common.String(prefix), Specification: spec, DisplayName: common.String("seed"),
			FreeformTags: map[string]string{"osa-managed": "true"}}
	}
	simple := &apigateway.ApiSpecification{Routes: []apigateway.ApiSpecificationRoute{apigwStockRoute("/hello/{name}")}}
	odd := &apigateway.ApiSpecification{Routes: []apigateway.ApiSpecificationRoute{{Path: common.String("/x"), Backend: map[string]any{"type": "NOPE"}}}}
	for _, d := range []apigateway.CreateDeploymentDetails{details("/v1", simple), details("/", kitchen), details("/v1/", simple), details("/v2", odd)} {
		creates = append(creates, apigwSDKBody(t, apigateway.CreateDeploymentRequest{CreateDeploymentDetails: d}))
	}
	creates = append(creates, []byte(`{}`), []byte(`null`), []byte(`{"specification":{"routes":[null]}}`),
		[]byte(`{"gatewayId":"$GATEWAY","compartmentId":"$COMPARTMENT","pathPrefix":"/a","specification":{"routes":[{"path":"/{a*}","methods":["get"],"backend":{"type":"HTTP_BACKEND","url":"u"}}]}}`))
	for _, u := range []apigateway.UpdateDeploymentDetails{{DisplayName: common.String("new")}, {Specification: kitchen}, {Specification: odd},
		{FreeformTags: map[string]string{}, DefinedTags: map[string]map[string]interface{}{"a": {"b": 1}}}} {
		updates = append(updates, apigwSDKBody(t, apigateway.UpdateDeploymentRequest{DeploymentId: common.String("x"), UpdateDeploymentDetails: u}))
	}
	updates = append(updates, []byte(`{}`), []byte(`{"specification":null}`), []byte(`{"specification":{"routes":{}}}`))
	return creates, updates
}

func FuzzAPIGatewayCreateDeployment(f *testing.F) {
	creates, _ := apigwFuzzSeeds(f)
	for _, b := range creates {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := newAPIGWFuzzStore()
		// Twice: the second one meets the first in the store.
		for range 2 {
			status, v, _, err := s.call(s.a.createDeployment, "POST", "/20190501/deployments", "", s.fill(body))
			apigwRequireAnswer(t, status, v, err)
			s.check(t)
		}
		s.now = s.now.Add(time.Second)
		s.check(t)
	})
}

func FuzzAPIGatewayUpdateDeployment(f *testing.F) {
	_, updates := apigwFuzzSeeds(f)
	for _, b := range updates {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := newAPIGWFuzzStore()
		create := fmt.Sprintf(`{"gatewayId":%q,"compartmentId":%q,"pathPrefix":"/v1","specification":{"routes":[{"path":"/a","backend":{"type":"OAUTH2_LOGIN_BACKEND"}}]}}`,
			s.a.seededGatewayID(), s.a.st.compartmentID)
		_, v, _, err := s.call(s.a.createDeployment, "POST", "/20190501/deployments", "", []byte(create))
		require.NoError(t, err)
		id := *v.(apigateway.Deployment).Id
		s.now = s.now.Add(time.Second)
		status, v, _, err := s.call(s.a.updateDeployment, "PUT", "/20190501/deployments/"+id, id, body)
		apigwRequireAnswer(t, status, v, err)
		s.check(t)
		s.now = s.now.Add(time.Second)
		s.check(t)
		_, got, _, _ := s.call(s.a.getDeployment, "GET", "/20190501/deployments/"+id, id, nil)
		require.Equal(t, apigateway.DeploymentLifecycleStateActive, got.(apigateway.Deployment).LifecycleState)
	})
}
