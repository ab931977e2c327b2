package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// fnFuzzRegistry is the registry host of the fuzzed state; its fake
// resolver accepts any image there, built for both architectures.
const fnFuzzRegistry = "127.0.0.1:5000"

// fnFuzzState is a Functions state without a server: one ACTIVE
// application with one ACTIVE function, and a fake registry.
func fnFuzzState(t testing.TB) (*functionsState, *fnApp, *fnFunc) {
	st := &state{now: time.Now, key: "iad", region: "us-ashburn-1", retry: newRetryTokens(),
		tenancyID: "ocid1.tenancy.oc1..fuzz", compartmentID: "ocid1.compartment.oc1..fuzz", subnetID: "ocid1.subnet.oc1.iad.fuzz"}
	f := newFunctionsState(st, "http://127.0.0.1:1", fnFuzzRegistry)
	st.fns = f
	f.resolve = func(_ context.Context, image, digest string) (fnImage, *apiError) {
		if !strings.HasPrefix(image, fnFuzzRegistry+"/") {
			return fnImage{}, errBadRequest("not the emulator's registry")
		}
		if digest == "" {
			sum := sha256.Sum256([]byte(image))
			digest = "sha256:" + hex.EncodeToString(sum[:])
		}
		return fnImage{Digest: digest, Platforms: []string{"linux/amd64", "linux/arm64"}, Index: true}, nil
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := &fnApp{ID: "ocid1.fnapp.oc1.iad.fuzzapp", State: fnActive, Created: now, Updated: now, fnAppSpec: fnAppSpec{
		CompartmentID: st.compartmentID, DisplayName: "app", SubnetIDs: []string{st.subnetID}, Shape: fnShapeX86,
		Config: map[string]string{}, FreeformTags: map[string]string{}}}
	fn := &fnFunc{ID: "ocid1.fnfunc.oc1.iad.fuzzfn", State: fnActive, CompartmentID: a.CompartmentID, Shape: fnShapeX86,
		Created: now, Updated: now, fnFuncSpec: fnFuncSpec{ApplicationID: a.ID, DisplayName: "fn", Image: fnFuzzRegistry + "/ns/fn:1",
			ImageDigest: "sha256:" + strings.Repeat("a", 64), MemoryMB: 256, TimeoutSeconds: 30, PCU: fnPCU{Strategy: fnPCUNone}}}
	f.apps[a.ID], f.fns[fn.ID] = a, fn
	return f, a, fn
}

// fnFuzzCall runs one request against the state, as the server would.
func fnFuzzCall(f *functionsState, method, path, id string, body []byte) {
	r := httptest.NewRequest(method, path, nil)
	if id != "" {
		r.SetPathValue("id", id)
	}
	c := &call{r: r, body: body, now: f.st.now(), header: http.Header{}}
	api := fnAPI20260325{}
	var ep endpoint
	switch {
	case method == http.MethodPost && path == "/applications":
		ep = f.createApplication(api)
	case method == http.MethodPut && strings.HasPrefix(path, "/applications/"):
		ep = f.updateApplication(api)
	case method == http.MethodPost:
		prepared, aerr := f.prepareCreateFunction(api)(c)
		if aerr != nil {
			return
		}
		ep = prepared
	default:
		prepared, aerr := f.prepareUpdateFunction(api)(c)
		if aerr != nil {
			return
		}
		ep = prepared
	}
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	_, _, _ = ep(c)
}

// fnFuzzOp runs operation op%4 of the fuzz target with body.
func fnFuzzOp(fs *functionsState, op uint8, body []byte) {
	appID, fnID := "ocid1.fnapp.oc1.iad.fuzzapp", "ocid1.fnfunc.oc1.iad.fuzzfn"
	switch op % 4 {
	case 0:
		fnFuzzCall(fs, http.MethodPost, "/applications", "", body)
	case 1:
		fnFuzzCall(fs, http.MethodPut, "/applications/"+appID, appID, body)
	case 2:
		fnFuzzCall(fs, http.MethodPost, "/functions", "", body)
	case 3:
		fnFuzzCall(fs, http.MethodPut, "/functions/"+fnID, fnID, body)
	}
}

// fnSDKBody is the body the SDK sends for a request struct.
func fnSDKBody(t testing.TB, method, path string, request any) []byte {
	req, err := common.MakeDefaultHTTPRequestWithTaggedStruct(method, path, request)
	require.NoError(t, err)
	data, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	return data
}

// fnFuzzSeed is a request of the fuzz target: op 0 creates an
// application, 1 updates it, 2 creates a function, 3 updates it.
type fnFuzzSeed struct {
	op   uint8
	body []byte
}

// fnFuzzSeeds are the bodies the SDK sends for valid requests (they
// succeed), then a few invalid ones.
func fnFuzzSeeds(f testing.TB) []fnFuzzSeed {
	_, app, fn := fnFuzzState(f)
	var seeds []fnFuzzSeed
	add := func(op uint8, body []byte) { seeds = append(seeds, fnFuzzSeed{op, body}) }
	image := fnFuzzRegistry + "/ns/hello:0.0.1"
	add(uint8(0), fnSDKBody(f, http.MethodPost, "/applications", functions.CreateApplicationRequest{CreateApplicationDetails: functions.CreateApplicationDetails{
		CompartmentId: common.String("ocid1.compartment.oc1..fuzz"), DisplayName: common.String("orders"), SubnetIds: []string{"ocid1.subnet.oc1.iad.fuzz"},
		Shape: functions.CreateApplicationDetailsShapeX86Arm, Config: map[string]string{"A": "b"}, SyslogUrl: common.String("tcp://logs:514"),
		TraceConfig: &functions.ApplicationTraceConfig{IsEnabled: common.Bool(true)}, FreeformTags: map[string]string{"t": "v"},
	}}))
	add(uint8(1), fnSDKBody(f, http.MethodPut, "/applications/x", functions.UpdateApplicationRequest{ApplicationId: &app.ID,
		UpdateApplicationDetails: functions.UpdateApplicationDetails{Config: map[string]string{"K": "v"}, Logging: &functions.ApplicationLoggingConfig{LineFormat: "JSON"}}}))
	add(uint8(2), fnSDKBody(f, http.MethodPost, "/functions", functions.CreateFunctionRequest{CreateFunctionDetails: functions.CreateFunctionDetails{
		DisplayName: common.String("hello"), ApplicationId: &app.ID, MemoryInMBs: common.Int64(128), TimeoutInSeconds: common.Int(60),
		SourceDetails:                functions.CreateContainerImageFunctionSourceDetails{Image: common.String(image)},
		ProvisionedConcurrencyConfig: functions.ConstantProvisionedConcurrencyConfig{Count: common.Int(40)},
		DetachedModeTimeoutInSeconds: common.Int(600), Config: map[string]string{"X": "y"},
		FailureDestination: functions.QueueFailureDestinationDetails{QueueId: common.String("ocid1.queue.oc1.iad.q")},
	}}))
	add(uint8(3), fnSDKBody(f, http.MethodPut, "/functions/x", functions.UpdateFunctionRequest{FunctionId: &fn.ID,
		UpdateFunctionDetails: functions.UpdateFunctionDetails{MemoryInMBs: common.Int64(512),
			SourceDetails:                functions.UpdateContainerImageFunctionSourceDetails{Image: common.String(image), ImageDigest: common.String("sha256:" + strings.Repeat("b", 64))},
			ProvisionedConcurrencyConfig: functions.NoneProvisionedConcurrencyConfig{}}}))
	add(uint8(2), []byte(`{"displayName":"x","applicationId":"`+app.ID+`","memoryInMBs":128,"sourceDetails":{"sourceType":"ZIP"}}`))
	add(uint8(3), []byte(`{"provisionedConcurrencyConfig":{"strategy":"CONSTANT","count":-1},"memoryInMBs":9}`))
	add(uint8(0), []byte(`{"compartmentId":null,"subnetIds":"x","config":{"1":2}}`))
	add(uint8(1), []byte(`[{"shape":"GENERIC_ARM"}]`))

	return seeds
}

// TestFunctionsFuzzSeedsSucceed makes sure the SDK seeds of the fuzz
// target are valid requests, so that fuzzing starts from the paths that
// store resources.
func TestFunctionsFuzzSeedsSucceed(t *testing.T) {
	t.Parallel()
	for _, seed := range fnFuzzSeeds(t)[:4] {
		fs, _, _ := fnFuzzState(t)
		before := etagOf(fs.apps) + etagOf(fs.fns)
		fnFuzzOp(fs, seed.op, seed.body)
		fs.st.mu.Lock()
		fs.st.advance(time.Now().Add(time.Second))
		require.NotEqual(t, before, etagOf(fs.apps)+etagOf(fs.fns), "seed %d changed nothing: %s", seed.op, seed.body)
		fnCheckStore(t, fs)
		fs.st.mu.Unlock()
	}
}

// FuzzFunctionsDecoders feeds arbitrary bodies to the create and update
// decoders of applications and functions. They must never panic, and the
// store must stay consistent: every resource obeys the rules, and GET and
// LIST agree.
func FuzzFunctionsDecoders(f *testing.F) {
	for _, seed := range fnFuzzSeeds(f) {
		f.Add(seed.op, seed.body)
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		fs, _, _ := fnFuzzState(t)
		fnFuzzOp(fs, op, body)
		fs.st.mu.Lock()
		defer fs.st.mu.Unlock()
		fs.st.advance(time.Now().Add(time.Second)) // finish every work request
		fnCheckStore(t, fs)
	})
}

// fnCheckStore requires every stored resource to obey the rules and GET
// and LIST to agree with the store. It runs with the state locked.
func fnCheckStore(t *testing.T, f *functionsState) {
	api := fnAPI20260325{}
	get := func(ep endpoint, id string) any {
		r := httptest.NewRequest(http.MethodGet, "/x/"+id, nil)
		r.SetPathValue("id", id)
		status, v, err := ep(&call{r: r, now: f.st.now(), header: http.Header{}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
		_, err = json.Marshal(v)
		require.NoError(t, err)
		return v
	}
	list := func(ep endpoint, query string) int {
		r := httptest.NewRequest(http.MethodGet, "/x?limit=50&"+query, nil)
		status, v, err := ep(&call{r: r, now: f.st.now(), header: http.Header{}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
		return len(v.([]any))
	}
	for id, a := range f.apps {
		require.Equal(t, fnActive, a.State, "%s", id)
		require.Contains(t, fnShapes, a.Shape)
		require.Nil(t, fnCheckName(a.DisplayName))
		require.Nil(t, fnCheckConfig(a.Config))
		got := get(f.getApplication(api), id).(functions.Application)
		require.Equal(t, a.DisplayName, *got.DisplayName)
		n := 0
		for _, fn := range f.fns {
			if fn.ApplicationID == id {
				n++
			}
		}
		require.Equal(t, n, list(f.listFunctions(api), "applicationId="+id))
	}
	require.Equal(t, len(f.apps), list(f.listApplications(api), "compartmentId="+f.st.compartmentID))
	for id, fn := range f.fns {
		require.Equal(t, fnActive, fn.State, "%s", id)
		require.Contains(t, f.apps, fn.ApplicationID)
		require.Nil(t, fnCheckName(fn.DisplayName))
		require.Nil(t, fnCheckMemory(fn.MemoryMB))
		require.Nil(t, fnCheckTimeout(fn.TimeoutSeconds))
		require.Nil(t, fnCheckPCU(fn.PCU, fn.MemoryMB))
		require.Nil(t, fnCheckConfig(fn.Config))
		require.Regexp(t, fnDigestRE, fn.ImageDigest)
		require.True(t, strings.HasPrefix(fn.Image, fnFuzzRegistry+"/"))
		got := get(f.getFunction(api), id).(functions.Function)
		require.Equal(t, fn.MemoryMB, *got.MemoryInMBs)
	}
}
