package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func seedDeployment(t *testing.T) Deployment {
	tags, err := Tags{Managed: true, Release: "v1.0.0", Commit: "0123456789abcdef0123456789abcdef01234567",
		ActiveSlot: Blue, Digests: map[string]string{"order-validator": digest}}.Apply(nil)
	if err != nil {
		t.Fatal(err)
	}
	return Deployment{GatewayID: "ocid1.apigateway.oc1.iad.example", CompartmentID: "ocid1.compartment.oc1..example",
		PathPrefix: "/v1", DisplayName: DisplayName("orders", 1), Spec: loadSeed(t), FreeformTags: tags}
}

func everyFieldDeployment(t *testing.T) Deployment {
	v, err := ParseVersion("v2.0.0-rc.1+build.7")
	if err != nil {
		t.Fatal(err)
	}
	prefix, err := PathPrefix("/v{major}-{pre}", v)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := Tags{Managed: true, Release: v.String()}.Apply(map[string]string{"owner": "team-a", "osa-stale": "x"})
	if err != nil {
		t.Fatal(err)
	}
	return Deployment{GatewayID: "ocid1.apigateway.oc1.iad.example", CompartmentID: "ocid1.compartment.oc1..example",
		PathPrefix: prefix, DisplayName: "everything-v2", Spec: loadEveryField(t), FreeformTags: tags}
}

// TestCreateDeploymentGolden checks the JSON the SDK sends for the seed's
// specification and for one that uses every field against hand-written
// golden files.
func TestCreateDeploymentGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		d      func(*testing.T) Deployment
		golden string
	}{
		{"seed", seedDeployment, "testdata/seed_create.golden"},
		{"every field", everyFieldDeployment, "testdata/every_field_create.golden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			details, err := CreateDeploymentDetails(tc.d(t), functions)
			if err != nil {
				t.Fatal(err)
			}
			got := createBody(t, details)
			if diff := sameJSON(t, got, readFile(t, tc.golden)); diff != "" {
				t.Errorf("the request body differs from %s (-want +got):\n%s", tc.golden, diff)
			}
		})
	}
}

// TestModelJSONIsOCIJSON checks that json.Marshal of a Spec is what the
// SDK sends for it: the model's json tags are OCI's names.
func TestModelJSONIsOCIJSON(t *testing.T) {
	t.Parallel()
	for name, spec := range map[string]Spec{"seed": withIDs(t, loadSeed(t)), "every field": withIDs(t, loadEveryField(t))} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sdk, err := ToSDK(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			wire := createBody(t, apigateway.CreateDeploymentDetails{Specification: &sdk})
			var body struct{ Specification json.RawMessage }
			if err := json.Unmarshal(wire, &body); err != nil {
				t.Fatal(err)
			}
			model, err := json.Marshal(spec)
			if err != nil {
				t.Fatal(err)
			}
			if diff := sameJSON(t, model, body.Specification); diff != "" {
				t.Errorf("json.Marshal(spec) differs from the SDK's body (-sdk +model):\n%s", diff)
			}
		})
	}
}

// TestRoundTrip checks that conversion is exact both ways, directly and
// through the wire.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for name, spec := range map[string]Spec{"seed": withIDs(t, loadSeed(t)), "every field": withIDs(t, loadEveryField(t)),
		"empty": {}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sdk, err := ToSDK(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromSDK(sdk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(spec, back); diff != "" {
				t.Errorf("FromSDK(ToSDK(spec)) differs (-want +got):\n%s", diff)
			}
			again, err := ToSDK(back, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sdk, again); diff != "" {
				t.Errorf("ToSDK(FromSDK(sdk)) differs (-want +got):\n%s", diff)
			}

			// Through the wire: what the SDK sends, decoded by the SDK as
			// it decodes GetDeployment's body.
			wire := createBody(t, apigateway.CreateDeploymentDetails{Specification: &sdk})
			var decoded apigateway.CreateDeploymentDetails
			if err := json.Unmarshal(wire, &decoded); err != nil {
				t.Fatal(err)
			}
			var fromWire Spec
			if decoded.Specification != nil {
				if fromWire, err = FromSDK(*decoded.Specification); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(spec, fromWire); diff != "" {
				t.Errorf("the spec sent and read back differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestToSDKFunctions(t *testing.T) {
	t.Parallel()
	spec := Spec{Routes: []Route{
		{Path: "/a", Backend: Backend{Type: FunctionsBackend, Function: "known"}},
		{Path: "/b", Backend: Backend{Type: FunctionsBackend, Function: "broken"}},
		{Path: "/c", Backend: Backend{Type: FunctionsBackend, FunctionID: "ocid1.fnfunc.oc1..c"}},
	}}
	boom := errors.New("no such function")
	resolve := func(name string) (string, error) {
		if name == "known" {
			return "ocid1.fnfunc.oc1..known", nil
		}
		return "", boom
	}
	sdk, err := ToSDK(spec, resolve)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), `routes[1].backend: resolving function "broken"`) {
		t.Errorf("ToSDK error = %v, want the resolver's error for routes[1]", err)
	}
	if got := *sdk.Routes[0].Backend.(apigateway.OracleFunctionBackend).FunctionId; got != "ocid1.fnfunc.oc1..known" {
		t.Errorf("routes[0] function = %q, want the resolved OCID", got)
	}
	if got := *sdk.Routes[2].Backend.(apigateway.OracleFunctionBackend).FunctionId; got != "ocid1.fnfunc.oc1..c" {
		t.Errorf("routes[2] function = %q, want its OCID", got)
	}
	if _, err := ToSDK(spec, nil); err == nil || !strings.Contains(err.Error(), "no resolver") {
		t.Errorf("ToSDK without a resolver = %v, want an error naming the missing resolver", err)
	}
}

// TestFromSDKPointersAndUnknown checks that FromSDK accepts objects built
// as pointers, and refuses types it does not know.
func TestFromSDKPointersAndUnknown(t *testing.T) {
	t.Parallel()
	url := "https://example.com"
	got, err := FromSDK(apigateway.ApiSpecification{Routes: []apigateway.ApiSpecificationRoute{
		{Path: &url, Backend: &apigateway.HttpBackend{Url: &url}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Backend{Type: HTTPBackend, URL: url}); !cmp.Equal(got.Routes[0].Backend, want) {
		t.Errorf("backend = %+v, want %+v", got.Routes[0].Backend, want)
	}

	var sdk apigateway.ApiSpecification
	doc := `{"routes":[{"path":"/x","backend":{"type":"QUANTUM_BACKEND"}}]}`
	if err := json.Unmarshal([]byte(doc), &sdk); err != nil {
		t.Fatal(err)
	}
	if _, err := FromSDK(sdk); err == nil || !strings.Contains(err.Error(), "routes[0].backend: unsupported object") {
		t.Errorf("FromSDK(unknown backend) = %v, want an unsupported object error", err)
	}
}

func TestCreateDeploymentDetailsRefusesInvalidSpecs(t *testing.T) {
	t.Parallel()
	d := seedDeployment(t)
	d.Spec.Routes[0].Path = "orders"
	d.PathPrefix = "/v1/"
	_, err := CreateDeploymentDetails(d, functions)
	var ise *InvalidSpecError
	if !errors.As(err, &ise) {
		t.Fatalf("error %v, want an *InvalidSpecError", err)
	}
	for _, want := range []string{`path prefix "/v1/" must not end with /`, "routes[0].path"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := UpdateDeploymentDetails(d, functions); !errors.As(err, &ise) {
		t.Errorf("UpdateDeploymentDetails error %v, want an *InvalidSpecError", err)
	}
}

func TestUpdateDeploymentDetails(t *testing.T) {
	t.Parallel()
	d := seedDeployment(t)
	got, err := UpdateDeploymentDetails(d, functions)
	if err != nil {
		t.Fatal(err)
	}
	body := wireBody(t, "PUT", "/deployments/x", apigateway.UpdateDeploymentRequest{DeploymentId: ptr("x"), UpdateDeploymentDetails: got})
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	if want := "[displayName freeformTags specification]"; fmt.Sprint(sortedKeys(keys)) != want {
		t.Errorf("update body keys = %v, want %s", names, want)
	}
	d.FreeformTags = nil
	got, err = UpdateDeploymentDetails(d, functions)
	if err != nil || got.FreeformTags != nil || got.DefinedTags != nil {
		t.Errorf("UpdateDeploymentDetails with nil tags = %v, %v; want tags left out", got.FreeformTags, err)
	}
}
