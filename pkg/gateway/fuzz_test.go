package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func seedFiles(f *testing.F, pattern string) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkLoaded holds for every load: no panic, every error an
// *InvalidSpecError whose findings have positions and fixes, and a valid
// spec survives json.Marshal, LoadJSON and the SDK round trip unchanged.
func checkLoaded(t *testing.T, spec Spec, fs []Finding, err error) {
	for _, f := range fs {
		if f.Message == "" || f.Line < 1 || f.IsError() && f.Fix == "" {
			t.Errorf("malformed finding %+v", f)
		}
	}
	if err != nil {
		var ise *InvalidSpecError
		if !errors.As(err, &ise) || !HasErrors(ise.Findings) {
			t.Fatalf("error %T %v, want an *InvalidSpecError with errors", err, err)
		}
		return
	}
	data, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := LoadJSON("again.json", data)
	if err != nil {
		t.Fatalf("a valid spec does not load back from its JSON: %v\n%s", err, data)
	}
	if diff := cmp.Diff(spec, again); diff != "" {
		t.Fatalf("json.Marshal and LoadJSON changed the spec (-want +got):\n%s", diff)
	}
	sdk, err := ToSDK(spec, func(string) (string, error) { return "ocid1.fnfunc.oc1..x", nil })
	if err != nil {
		t.Fatal(err)
	}
	back, err := FromSDK(sdk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ToSDK(back, nil); err != nil {
		t.Fatal(err)
	}
}

func FuzzLoadYAML(f *testing.F) {
	seedFiles(f, "testdata/*.yaml")
	seedFiles(f, "../../examples/orders/spec.yaml")
	f.Add([]byte("routes:\n  - {path: /a, methods: [GET], backend: {type: HTTP_BACKEND, url: \"https://${env:H:-x}/${request.path[a]}\"}}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tm := time.AfterFunc(time.Second, func() { panic(fmt.Sprintf("slow input %q", data)) })
		defer tm.Stop()
		env := WithLookupEnv(func(k string) (string, bool) { return map[string]string{"H": "h.example.com"}[k], k == "H" })
		spec, fs, err := LoadYAML("f.yaml", data, env)
		checkLoaded(t, spec, fs, err)
	})
}

func FuzzLoadJSON(f *testing.F) {
	seedFiles(f, "testdata/*.json")
	seedFiles(f, "testdata/*.golden")
	f.Add([]byte(`{"routes":[{"path":"/{p*}","methods":["ANY"],"backend":{"type":"STOCK_RESPONSE_BACKEND","status":204}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tm := time.AfterFunc(time.Second, func() { panic(fmt.Sprintf("slow input %q", data)) })
		defer tm.Stop()
		spec, fs, err := LoadJSON("f.json", data)
		checkLoaded(t, spec, fs, err)
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"v1.2.3", "v3.0.0-rc.1", "v1.0.0-alpha.beta+exp.sha.5114f85", "1.2.3", "v01.1.1", "v1.2.3-0a.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		if v.String() != s {
			t.Fatalf("ParseVersion(%q).String() = %q", s, v.String())
		}
		if v.Compare(v) != 0 {
			t.Fatalf("%s does not equal itself", v)
		}
		if p, err := PathPrefix("", v); err != nil || p == "" {
			t.Fatalf("PathPrefix(%s) = %q, %v", v, p, err)
		}
	})
}

func FuzzParseTags(f *testing.F) {
	f.Add("osa-release", "v1.2.3", "osa-lease", "ci until 2026-01-02T03:04:05Z")
	f.Add("osa-digest-fn", digest, "osa-active-slot", "blue")
	f.Add("osa-commit", "0123456789abcdef0123456789abcdef01234567", "osa-managed", "true")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		tags, err := ParseTags(map[string]string{k1: v1, k2: v2})
		if err != nil {
			return
		}
		out, err := tags.Render()
		if err != nil {
			return // parsed but over OCI's limits
		}
		back, err := ParseTags(out)
		if err != nil {
			t.Fatalf("ParseTags(Render()) = %v", err)
		}
		if diff := cmp.Diff(tags, back); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}

func FuzzParsePathTemplate(f *testing.F) {
	for _, s := range []string{"/", "/orders/{id}", "/{path*}", "/a/b/", "/a{b}", "//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tmpl, err := ParsePathTemplate(s)
		if err != nil {
			return
		}
		if tmpl.String() != s {
			t.Fatalf("ParsePathTemplate(%q).String() = %q", s, tmpl.String())
		}
		again, err := ParsePathTemplate(tmpl.Pattern())
		if err == nil && len(again.Params()) > 0 {
			t.Fatalf("a pattern parsed with parameters: %q", tmpl.Pattern())
		}
	})
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"${request.headers[x-request-id]}", "https://h/${request.path[id]}/${request.query[q]}", "$", "${", "${env:X}", "a}b${request.body}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tmpl, err := ParseTemplate(s)
		if err != nil {
			return
		}
		if tmpl.String() != s {
			t.Fatalf("ParseTemplate(%q).String() = %q", s, tmpl.String())
		}
		for _, v := range tmpl.Variables() {
			if back, err := ParseContextVariable(v.String()); err != nil || back != v {
				t.Fatalf("variable %+v does not round-trip: %+v, %v", v, back, err)
			}
		}
	})
}
