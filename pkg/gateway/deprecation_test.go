package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	deprecatedAt = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	sunsetAt     = deprecatedAt.AddDate(0, 0, 90)
)

func TestDeprecationHeaders(t *testing.T) {
	t.Parallel()
	got, err := Deprecation{Successor: "https://api.example.com/v2", Deprecated: deprecatedAt, Sunset: sunsetAt}.Headers()
	if err != nil {
		t.Fatal(err)
	}
	want := []SetItem{
		{Name: "Deprecation", Values: []string{"@1777629600"}, IfExists: Overwrite},
		{Name: "Sunset", Values: []string{"Thu, 30 Jul 2026 10:00:00 GMT"}, IfExists: Overwrite},
		{Name: "Link", Values: []string{`<https://api.example.com/v2>; rel="successor-version"`}, IfExists: Append},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Headers (-want +got):\n%s", diff)
	}
	got, err = Deprecation{Successor: "/v2", Deprecated: deprecatedAt.In(time.FixedZone("X", 3600))}.Headers()
	if err != nil || len(got) != 2 || got[0].Values[0] != "@1777629600" || got[1].Values[0] != `</v2>; rel="successor-version"` {
		t.Errorf("Headers without a sunset = %+v, %v", got, err)
	}
	for _, tc := range []struct {
		d    Deprecation
		want string
	}{
		{Deprecation{Successor: "/v2"}, "the deprecation time is required"},
		{Deprecation{Successor: "/v2", Deprecated: sunsetAt, Sunset: deprecatedAt}, "sunset 2026-05-01T10:00:00Z is earlier than deprecation 2026-07-30T10:00:00Z"},
		{Deprecation{Deprecated: deprecatedAt}, "the successor's URL is required"},
		{Deprecation{Successor: "https://x/<v2>", Deprecated: deprecatedAt}, "is not a URL that can go in a Link header"},
		{Deprecation{Successor: "https://x/${request.path[x]}", Deprecated: deprecatedAt}, "is not a URL that can go in a Link header"},
		{Deprecation{Successor: "ftp://x/v2", Deprecated: deprecatedAt}, "must be an http(s) URL or a path"},
		{Deprecation{Successor: "v2", Deprecated: deprecatedAt}, "must be an http(s) URL or a path"},
	} {
		if _, err := tc.d.Headers(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Headers(%+v) error = %v, want %q", tc.d, err, tc.want)
		}
	}
	// Sunset equal to deprecation is allowed.
	if _, err := (Deprecation{Successor: "/v2", Deprecated: deprecatedAt, Sunset: deprecatedAt}).Headers(); err != nil {
		t.Error(err)
	}
}

func TestDeprecate(t *testing.T) {
	t.Parallel()
	d := Deprecation{Successor: "https://api.example.com/v2", Deprecated: deprecatedAt, Sunset: sunsetAt}
	spec := base()
	spec.Routes = append(spec.Routes,
		Route{Path: "/own-link", Methods: []Method{MethodGet}, Backend: Backend{Type: StockResponseBackend, Status: 200},
			ResponsePolicies: ResponsePolicies{HeaderTransformations: HeaderTransformations{
				SetHeaders:    SetPolicy{Items: []SetItem{{Name: "link", Values: []string{"</docs>; rel=help"}}, {Name: "Sunset", Values: []string{"never"}}}},
				FilterHeaders: FilterPolicy{Type: Block, Items: []FilterItem{{Name: "Deprecation"}}}}}},
		Route{Path: "/allow", Methods: []Method{MethodGet}, Backend: Backend{Type: StockResponseBackend, Status: 200},
			ResponsePolicies: ResponsePolicies{HeaderTransformations: HeaderTransformations{
				FilterHeaders: FilterPolicy{Type: Allow, Items: []FilterItem{{Name: "Content-Type"}, {Name: "sunset"}}}}}})
	before := cloneSpec(t, spec)
	got, err := Deprecate(spec, d)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, spec); diff != "" {
		t.Errorf("Deprecate changed its input (-before +after):\n%s", diff)
	}
	items, _ := d.Headers()
	if diff := cmp.Diff(items, got.Routes[0].ResponsePolicies.HeaderTransformations.SetHeaders.Items); diff != "" {
		t.Errorf("route 0 headers (-want +got):\n%s", diff)
	}
	wantOwn := HeaderTransformations{SetHeaders: SetPolicy{Items: []SetItem{
		{Name: "link", Values: []string{"</docs>; rel=help", `<https://api.example.com/v2>; rel="successor-version"`}},
		items[1], items[0]}}}
	if diff := cmp.Diff(wantOwn, got.Routes[1].ResponsePolicies.HeaderTransformations); diff != "" {
		t.Errorf("route with its own Link, Sunset and a BLOCK filter (-want +got):\n%s", diff)
	}
	wantAllow := HeaderTransformations{SetHeaders: SetPolicy{Items: items},
		FilterHeaders: FilterPolicy{Type: Allow, Items: []FilterItem{{Name: "Content-Type"}, {Name: "sunset"}, {Name: "Deprecation"}, {Name: "Link"}}}}
	if diff := cmp.Diff(wantAllow, got.Routes[2].ResponsePolicies.HeaderTransformations); diff != "" {
		t.Errorf("route with an ALLOW filter (-want +got):\n%s", diff)
	}
	if fs := Validate(got); HasErrors(fs) {
		t.Errorf("the deprecated spec does not validate:\n%s", findingLines(fs))
	}
	again, err := Deprecate(got, d)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("deprecating twice changed the spec (-once +twice):\n%s", diff)
	}

	// The seed deprecates cleanly too.
	seed, err := Deprecate(loadSeed(t), d)
	if err != nil {
		t.Fatal(err)
	}
	if fs := Validate(seed); HasErrors(fs) {
		t.Errorf("the deprecated seed does not validate:\n%s", findingLines(fs))
	}

	spec.Routes[0].ResponsePolicies.HeaderTransformations.RenameHeaders = RenamePolicy{Items: []RenameItem{{From: "X-Link", To: "Link"}}}
	if _, err := Deprecate(spec, d); err == nil || !strings.Contains(err.Error(), "route /items/{id}: it renames X-Link to Link") {
		t.Errorf("Deprecate with a conflicting rename = %v", err)
	}
	if _, err := Deprecate(spec, Deprecation{}); err == nil {
		t.Error("Deprecate accepted an empty deprecation")
	}
}

// cloneSpec deep-copies a spec through the SDK conversion.
func cloneSpec(t *testing.T, s Spec) Spec {
	t.Helper()
	sdk, err := ToSDK(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := FromSDK(sdk)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
