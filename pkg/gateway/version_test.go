package gateway

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tag     string
		want    Version
		wantErr string
	}{
		{tag: "v1.2.3", want: Version{Major: 1, Minor: 2, Patch: 3}},
		{tag: "v0.0.0", want: Version{}},
		{tag: "v10.20.30", want: Version{Major: 10, Minor: 20, Patch: 30}},
		{tag: "v3.0.0-rc.1", want: Version{Major: 3, Prerelease: []string{"rc", "1"}}},
		{tag: "v1.0.0-alpha-1.0a", want: Version{Major: 1, Prerelease: []string{"alpha-1", "0a"}}},
		{tag: "v1.4.2+build.7", want: Version{Major: 1, Minor: 4, Patch: 2, Build: []string{"build", "7"}}},
		{tag: "v1.0.0-rc.1+001", want: Version{Major: 1, Prerelease: []string{"rc", "1"}, Build: []string{"001"}}},
		{tag: "v18446744073709551615.0.0", want: Version{Major: 18446744073709551615}},
		{tag: "1.2.3", wantErr: "release tags start with v, as in v1.2.3"},
		{tag: "", wantErr: "expected a tag such as v1.2.3"},
		{tag: "v1.2", wantErr: "expected MAJOR.MINOR.PATCH"},
		{tag: "v1.2.3.4", wantErr: "expected MAJOR.MINOR.PATCH"},
		{tag: "v01.2.3", wantErr: `major "01" has a leading zero`},
		{tag: "v1.x.3", wantErr: `minor "x" is not a number`},
		{tag: "v1.2.", wantErr: "patch is empty"},
		{tag: "v18446744073709551616.0.0", wantErr: "is too large"},
		{tag: "v1.2.3-", wantErr: `prerelease "" has an empty identifier`},
		{tag: "v1.2.3-rc..1", wantErr: "has an empty identifier"},
		{tag: "v1.2.3-rc.01", wantErr: `numeric identifier "01" has a leading zero`},
		{tag: "v1.2.3-rc_1", wantErr: `identifier "rc_1" may hold letters, digits and - only`},
		{tag: "v1.2.3+", wantErr: "build metadata"},
		{tag: "v1.2.3+a+b", wantErr: `identifier "a+b"`},
		{tag: "V1.2.3", wantErr: "expected a tag such as v1.2.3"},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			t.Parallel()
			got, err := ParseVersion(tc.tag)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("ParseVersion(%q) error = %v, want %q", tc.tag, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseVersion(%q) (-want +got):\n%s", tc.tag, diff)
			}
			if got.String() != tc.tag {
				t.Errorf("String() = %q, want %q", got.String(), tc.tag)
			}
		})
	}
}

// TestVersionOrder checks semver 2.0.0's precedence example, §11.
func TestVersionOrder(t *testing.T) {
	t.Parallel()
	ordered := []string{"v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v1.0.0-beta", "v1.0.0-beta.2",
		"v1.0.0-beta.11", "v1.0.0-rc.1", "v1.0.0", "v1.0.1", "v1.1.0", "v2.0.0", "v10.0.0"}
	var vs []Version
	for _, s := range ordered {
		v, err := ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	for i := range vs {
		for j := range vs {
			if got, want := vs[i].Compare(vs[j]), cmpInt(i, j); got != want {
				t.Errorf("%s.Compare(%s) = %d, want %d", vs[i], vs[j], got, want)
			}
		}
	}
	shuffled := slices.Clone(vs)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, Version.Compare)
	if diff := cmp.Diff(vs, shuffled); diff != "" {
		t.Errorf("sorting (-want +got):\n%s", diff)
	}
	a, _ := ParseVersion("v1.0.0+a")
	b, _ := ParseVersion("v1.0.0+b")
	if a.Compare(b) != 0 {
		t.Error("build metadata must not take part in precedence")
	}
	if !vs[0].IsPrerelease() || vs[7].IsPrerelease() {
		t.Error("IsPrerelease is wrong")
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestPathPrefixAndNames(t *testing.T) {
	t.Parallel()
	v3rc, _ := ParseVersion("v3.0.0-rc.2")
	v12, _ := ParseVersion("v12.4.0")
	for _, tc := range []struct {
		template string
		v        Version
		want     string
		wantErr  string
	}{
		{"", v12, "/v12", ""},
		{"/v{major}", v12, "/v12", ""},
		{"/orders/v{major}", v12, "/orders/v12", ""},
		{"/v{major}-{pre}", v3rc, "/v3-rc", ""},
		{"/v{major}-{pre}", v12, "", "is not a prerelease"},
		{"/v1", v12, "", "must hold {major}"},
		{"v{major}", v12, "", "must start with /"},
		{"/v{major}/", v12, "", "must not end with /"},
		{"/a//v{major}", v12, "", "must not contain //"},
		{"/v{major}/{x}", v12, "", "must not hold parameters"},
		{"/v {major}", v12, "", "contains ' '"},
	} {
		got, err := PathPrefix(tc.template, tc.v)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("PathPrefix(%q, %s) error = %v, want %q", tc.template, tc.v, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("PathPrefix(%q, %s) = %q, %v; want %q", tc.template, tc.v, got, err, tc.want)
		}
	}
	for p, ok := range map[string]bool{"/": true, "/v1": true, "/test/20191122": true, "/a$-_.+!*'(),%;:@&=": true,
		"": false, "/" + strings.Repeat("a", 255): false, "/" + strings.Repeat("a", 254): true, "/é": false} {
		if err := ValidatePathPrefix(p); (err == nil) != ok {
			t.Errorf("ValidatePathPrefix(%q) = %v, want ok=%v", p, err, ok)
		}
	}
	if got := DisplayName("orders", 2); got != "orders-v2" {
		t.Errorf("DisplayName = %q", got)
	}
	for api, ok := range map[string]bool{"orders": true, "a1-b": true, "": false, "Orders": false, "1a": false, "a-": false,
		"a_b": false, strings.Repeat("a", 64): false} {
		if err := ValidateAPIName(api); (err == nil) != ok {
			t.Errorf("ValidateAPIName(%q) = %v, want ok=%v", api, err, ok)
		}
	}
	if ValidateDisplayName("a\nb") == nil || ValidateDisplayName(strings.Repeat("x", 256)) == nil || ValidateDisplayName("") != nil {
		t.Error("ValidateDisplayName is wrong")
	}
}
