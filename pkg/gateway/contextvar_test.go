package gateway

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseContextVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    ContextVariable
		wantErr string
	}{
		{in: "request.headers[x-api-key]", want: ContextVariable{TableHeaders, "x-api-key"}},
		{in: "request.path[id]", want: ContextVariable{TablePath, "id"}},
		{in: "request.auth[realm_access.roles]", want: ContextVariable{TableAuth, "realm_access.roles"}},
		{in: "request.subdomain[example.com]", want: ContextVariable{TableSubdomain, "example.com"}},
		{in: "request.body", want: ContextVariable{Table: TableBody}},
		{in: "request.body[x]", wantErr: "request.body takes no key"},
		{in: "request.headers", wantErr: "request.headers needs a key"},
		{in: "request.headers[]", wantErr: "has an empty key"},
		{in: "request.headers[a[b]", wantErr: "contains a bracket"},
		{in: "request.nope[x]", wantErr: `unknown context table "request.nope"`},
		{in: "x", wantErr: `"x" is not a context variable`},
		{in: "", wantErr: `"" is not a context variable`},
	} {
		got, err := ParseContextVariable(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseContextVariable(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != tc.in {
			t.Errorf("ParseContextVariable(%q) = %+v (%s), %v", tc.in, got, got, err)
		}
	}
}

func TestParseTemplate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		vars    []ContextVariable
		wantErr string
	}{
		{in: "plain"},
		{in: ""},
		{in: "$5 and $x"},
		{in: "https://h/${request.path[a]}/x/${request.path[b]}", vars: []ContextVariable{{TablePath, "a"}, {TablePath, "b"}}},
		{in: "${request.headers[x-request-id]}", vars: []ContextVariable{{TableHeaders, "x-request-id"}}},
		{in: "a ${request.query[q]", wantErr: "unterminated ${"},
		{in: "${env:HOME}", wantErr: "environment reference"},
		{in: "${request.cookie[a]}", wantErr: `unknown context table "request.cookie"`},
		{in: "${}", wantErr: "is not a context variable"},
	} {
		got, err := ParseTemplate(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseTemplate(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.vars, got.Variables()); diff != "" {
			t.Errorf("ParseTemplate(%q).Variables() (-want +got):\n%s", tc.in, diff)
		}
		if got.String() != tc.in {
			t.Errorf("ParseTemplate(%q).String() = %q", tc.in, got.String())
		}
	}
	tmpl, _ := ParseTemplate("/items/${request.path[id]}?q=${request.query[q]}")
	got := tmpl.Expand(func(v ContextVariable) string { return map[string]string{"id": "42"}[v.Key] })
	if got != "/items/42?q=" {
		t.Errorf("Expand = %q, want /items/42?q= (missing records are empty)", got)
	}
}

func TestParsePathTemplate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, pattern string
		params      []string
		wantErr     string
	}{
		{in: "/", pattern: "/"},
		{in: "/orders/validate", pattern: "/orders/validate"},
		{in: "/orders/validate/", pattern: "/orders/validate/"},
		{in: "/hello/{region}/index.html", pattern: "/hello/{}/index.html", params: []string{"region"}},
		{in: "/{path*}", pattern: "/{*}", params: []string{"path"}},
		{in: "/a/{x}/{Y_2*}", pattern: "/a/{}/{*}", params: []string{"x", "Y_2"}},
		{in: "/$-_.+!*'(),%;:@&=", pattern: "/$-_.+!*'(),%;:@&="},
		{in: "", wantErr: "must start with /"},
		{in: "a/b", wantErr: "must start with /"},
		{in: "//", wantErr: "must not contain //"},
		{in: "/a//b", wantErr: "must not contain //"},
		{in: "/{}", wantErr: "names are letters"},
		{in: "/{*}", wantErr: "names are letters"},
		{in: "/{a}{b}", wantErr: "names are letters"},
		{in: "/x{a}", wantErr: "a parameter must be a whole segment"},
		{in: "/a?b", wantErr: `contains '?'`},
		{in: "/{a}/{a*}", wantErr: "parameter a appears twice"},
	} {
		got, err := ParsePathTemplate(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParsePathTemplate(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParsePathTemplate(%q): %v", tc.in, err)
			continue
		}
		if got.String() != tc.in || got.Pattern() != tc.pattern || !cmp.Equal(got.Params(), tc.params) {
			t.Errorf("ParsePathTemplate(%q) = %q, pattern %q, params %v", tc.in, got.String(), got.Pattern(), got.Params())
		}
	}
}
