package gateway

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

var update = flag.Bool("update", false, "rewrite golden files that are generated (never the hand-written JSON goldens)")

// seedEnv is the seed's identity provider, as the seed's Terraform has it.
var seedEnv = map[string]string{
	"ORDERS_JWT_ISSUER": "https://your-identity-provider.com",
	"ORDERS_JWKS_URI":   "https://your-identity-provider.com/.well-known/jwks.json",
}

func lookup(env map[string]string) LoadOption {
	return WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

// functions resolves the test functions' names.
func functions(name string) (string, error) {
	return map[string]string{"order-validator": "ocid1.fnfunc.oc1.iad.ordervalidator"}[name], nil
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// loadSeed loads examples/orders/spec.yaml with the seed's identity
// provider.
func loadSeed(t testing.TB) Spec {
	t.Helper()
	spec, _, err := LoadYAML("examples/orders/spec.yaml", readFile(t, "../../examples/orders/spec.yaml"), lookup(seedEnv))
	if err != nil {
		t.Fatalf("loading the seed: %v", err)
	}
	return spec
}

func loadEveryField(t testing.TB) Spec {
	t.Helper()
	spec, fs, err := LoadYAML("testdata/every_field.yaml", readFile(t, "testdata/every_field.yaml"))
	if err != nil || len(fs) > 0 {
		t.Fatalf("loading every_field.yaml: %v %v", err, fs)
	}
	return spec
}

// withIDs returns spec with every function name replaced by its OCID, as
// FromSDK returns it.
func withIDs(t testing.TB, spec Spec) Spec {
	t.Helper()
	sdk, err := ToSDK(spec, functions)
	if err != nil {
		t.Fatal(err)
	}
	out, err := FromSDK(sdk)
	if err != nil {
		t.Fatal(err)
	}
	out.Source = spec.Source
	return out
}

// wireBody returns the body the SDK sends for a request struct, exactly as
// its HTTP layer builds it.
func wireBody(t testing.TB, method, path string, req any) []byte {
	t.Helper()
	r, err := common.MakeDefaultHTTPRequestWithTaggedStruct(method, path, req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func createBody(t testing.TB, d apigateway.CreateDeploymentDetails) []byte {
	return wireBody(t, http.MethodPost, "/deployments", apigateway.CreateDeploymentRequest{CreateDeploymentDetails: d})
}

// sameJSON compares two JSON documents by value (numbers by their text).
func sameJSON(t testing.TB, got, want []byte) string {
	t.Helper()
	decode := func(b []byte) any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, b)
		}
		return v
	}
	return cmp.Diff(decode(want), decode(got))
}

// checkGolden compares got with a generated golden file, rewriting it with
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := string(readFile(t, path))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", name, diff)
	}
}

func findingLines(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}
