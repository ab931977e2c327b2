package gateway

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOrdersExample loads examples/orders/spec.yaml, the seed's API, and
// checks its warnings against a hand-written golden file.
func TestOrdersExample(t *testing.T) {
	t.Parallel()
	spec, fs, err := LoadYAML("examples/orders/spec.yaml", readFile(t, "../../examples/orders/spec.yaml"), lookup(seedEnv))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "orders_spec.warnings.golden", findingLines(fs))
	a := spec.RequestPolicies.Authentication
	if diff := cmp.Diff([]string{"https://your-identity-provider.com"}, a.Issuers); diff != "" {
		t.Errorf("derived issuers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"orders-api"}, a.Audiences); diff != "" {
		t.Errorf("derived audiences (-want +got):\n%s", diff)
	}
	if got := spec.Routes[0].Backend.Function; got != "order-validator" {
		t.Errorf("routes[0] function = %q, want order-validator", got)
	}

	// With the audience set, the default is not used.
	env := map[string]string{"ORDERS_JWT_AUDIENCE": "my-api"}
	for k, v := range seedEnv {
		env[k] = v
	}
	spec, _, err = LoadYAML("spec.yaml", readFile(t, "../../examples/orders/spec.yaml"), lookup(env))
	if err != nil || spec.RequestPolicies.Authentication.Audiences[0] != "my-api" {
		t.Errorf("audiences = %v (%v), want [my-api]", spec.RequestPolicies.Authentication.Audiences, err)
	}

	// Without an identity provider, the file does not load, and says why.
	_, _, err = LoadYAML("spec.yaml", readFile(t, "../../examples/orders/spec.yaml"), lookup(nil))
	var ise *InvalidSpecError
	if !errors.As(err, &ise) {
		t.Fatalf("error %v, want *InvalidSpecError", err)
	}
	for _, want := range []string{"spec.yaml:19:12: error: request_policies.authentication.public_keys.uri: environment variable ORDERS_JWKS_URI is not set",
		"spec.yaml:23:18: error: request_policies.authentication.verify_claims[0].values[0]: environment variable ORDERS_JWT_ISSUER is not set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error\n%s\ndoes not contain\n%s", err, want)
		}
	}
	if strings.Contains(err.Error(), "uri is required") || strings.Contains(err.Error(), "issuers is required") {
		t.Errorf("error repeats the missing variables as missing fields:\n%s", err)
	}
}

// TestEveryFieldYAMLAndJSON checks that the YAML and JSON forms of the
// every-field specification load to the same spec, without findings.
func TestEveryFieldYAMLAndJSON(t *testing.T) {
	t.Parallel()
	y := loadEveryField(t)
	j, fs, err := LoadJSON("testdata/every_field.json", readFile(t, "testdata/every_field.json"))
	if err != nil || len(fs) > 0 {
		t.Fatalf("LoadJSON: %v %v", err, fs)
	}
	if diff := cmp.Diff(y, j); diff != "" {
		t.Errorf("YAML and JSON differ (-yaml +json):\n%s", diff)
	}
	if y.Source.Syntax != SyntaxYAML || j.Source.Syntax != SyntaxJSON || j.Source.File != "testdata/every_field.json" {
		t.Errorf("sources = %+v, %+v", y.Source, j.Source)
	}
	if l, c := y.Source.Position("routes[1].backend.function"); l != 240 || c != 17 {
		t.Errorf("position of routes[1].backend.function = %d:%d, want 240:17", l, c)
	}
	if l, c := j.Source.Position("routes[3].backend.routing_backends[1].backend.function_id"); l != 234 || c != 75 {
		t.Errorf("JSON position = %d:%d, want 234:75", l, c)
	}
}

func TestLoadYAMLFindings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc string
		env       map[string]string
		want      []string
	}{{
		name: "empty",
		doc:  "",
		want: []string{"s.yaml:1:1: error: the file is empty (fix: write the specification: request_policies, routes, ...)"},
	}, {
		name: "syntax error",
		doc:  "routes:\n  - path: /a\n   bad: [\n",
		want: []string{"s.yaml:3:"},
	}, {
		name: "tab",
		doc:  "routes:\n\t- path: /a\n",
		want: []string{"error: tab character where YAML expects indentation"},
	}, {
		name: "top level list",
		doc:  "- a\n- b\n",
		want: []string{"s.yaml:1:1: error: the top level must be a mapping, found a list"},
	}, {
		name: "unknown key with a suggestion",
		doc:  "routes:\n  - path: /a\n    methods: [GET]\n    backend: {type: HTTP_BACKEND, url: https://x}\n    request_policy: {}\n",
		want: []string{`s.yaml:5:5: error: routes[0].request_policy: unknown key "request_policy" (fix: did you mean "request_policies"?)`},
	}, {
		name: "JSON name in YAML",
		doc:  "request_policies:\n  rateLimiting: {rate_in_requests_per_second: 1, rate_key: TOTAL}\nroutes: []\n",
		want: []string{`s.yaml:2:3: error: request_policies.rateLimiting: unknown key "rateLimiting" (fix: write "rate_limiting", the YAML name of this field)`,
			"s.yaml:3:9: error: routes: the specification has no routes (fix: add at least one route)"},
	}, {
		name: "wrong types",
		doc: "request_policies:\n  rate_limiting: {rate_in_requests_per_second: \"100\", rate_key: [TOTAL]}\n" +
			"routes:\n  - path: /a\n    methods: GET\n    backend: {type: HTTP_BACKEND, url: https://x, connect_timeout_in_seconds: x, is_ssl_verify_disabled: 1}\n",
		want: []string{
			`s.yaml:2:48: error: request_policies.rate_limiting.rate_in_requests_per_second: expected a whole number, found the string "100" (fix: remove the quotes)`,
			`s.yaml:2:65: error: request_policies.rate_limiting.rate_key: expected a string, found a list`,
			`s.yaml:5:14: error: routes[0].methods: expected a list, found "GET"`,
			`s.yaml:6:79: error: routes[0].backend.connect_timeout_in_seconds: expected a number, found "x" (fix: write a finite number)`,
			`s.yaml:6:106: error: routes[0].backend.is_ssl_verify_disabled: expected true or false, found the number 1 (fix: write true or false)`},
	}, {
		name: "enums in any case, canonicalised",
		doc:  "routes:\n  - path: /a\n    methods: [get, Post]\n    backend: {type: http_backend, url: https://x}\n",
	}, {
		name: "unknown enum",
		doc:  "routes:\n  - path: /a\n    methods: [FETCH]\n    backend: {type: HTTP_BACKEND, url: https://x}\n",
		want: []string{`s.yaml:3:15: error: routes[0].methods[0]: unknown method "FETCH" (fix: use ANY, HEAD, GET, POST, PUT, PATCH, DELETE or OPTIONS)`},
	}, {
		name: "duplicate key",
		doc:  "routes:\n  - path: /a\n    path: /b\n",
		want: []string{"s.yaml:3:5: error: duplicate key"},
	}, {
		name: "empty block",
		doc:  "request_policies:\n  cors:\nroutes:\n  - {path: /a, methods: [GET], backend: {type: HTTP_BACKEND, url: https://x}}\n",
		want: []string{"s.yaml:2:3: warning: request_policies.cors: cors is empty and is ignored (fix: remove the key, or fill it in)"},
	}, {
		name: "merge keys and aliases",
		doc: "x: &b {type: HTTP_BACKEND, url: https://x}\nroutes:\n  - {path: /a, methods: [GET], backend: *b}\n" +
			"  - {path: /c, methods: [GET], backend: *nope}\n  - <<: {path: /d}\n",
		want: []string{`s.yaml:1:1: error: x: unknown key "x"`, "s.yaml:4:41: error: alias *nope refers to no anchor",
			"error: YAML merge keys (<<) are not supported"},
	}, {
		name: "!!str tag",
		doc:  "routes:\n  - {path: /a, methods: [GET], backend: {type: STOCK_RESPONSE_BACKEND, status: 200, body: !!str 123}}\n",
	}, {
		name: "second document",
		doc:  "routes:\n  - {path: /a, methods: [GET], backend: {type: STOCK_RESPONSE_BACKEND, status: 200}}\n---\nroutes: []\n",
		want: []string{"s.yaml:4:1: warning: YAML document 2 is ignored: a specification is one document (fix: remove it, or merge it into the first document)"},
	}, {
		name: "content as a mapping and as a list",
		doc: "routes:\n  - path: /a\n    methods: [POST]\n    backend: {type: HTTP_BACKEND, url: https://x}\n" +
			"    request_policies: {body_validation: {content: [{media_type: a/b, validation_type: NONE}, {media_type: a/b}, {validation_type: NONE}, {media: x}]}}\n" +
			"  - path: /b\n    methods: [POST]\n    backend: {type: HTTP_BACKEND, url: https://x}\n" +
			"    request_policies: {body_validation: {content: {text/plain: {validation_type: none}}}}\n",
		want: []string{
			`s.yaml:5:107: error: routes[0].request_policies.body_validation.content[a/b]: media type "a/b" is listed twice (fix: remove one of the two entries)`,
			`s.yaml:5:113: error: routes[0].request_policies.body_validation.content[2]: media_type is required`,
			`s.yaml:5:139: error: routes[0].request_policies.body_validation.content[3].media: unknown key "media"`,
			`s.yaml:5:138: error: routes[0].request_policies.body_validation.content[3]: media_type is required`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, fs, err := LoadYAML("s.yaml", []byte(tc.doc), lookup(tc.env))
			got := findingLines(fs)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("findings\n%s\ndo not contain\n%s", got, w)
				}
			}
			if len(tc.want) == 0 && len(fs) > 0 {
				t.Errorf("unexpected findings:\n%s", got)
			}
			if HasErrors(fs) != (err != nil) {
				t.Errorf("error = %v with findings\n%s", err, got)
			}
		})
	}
}

func TestEnvInterpolation(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOST": "api.example.com", "EMPTY": "", "RATE": "25", "ON": "true", "SKEW": "2.5"}
	for _, tc := range []struct {
		name, value string
		want        string // the route's backend URL
		wantErr     string
	}{
		{name: "set", value: "https://${env:HOST}/x", want: "https://api.example.com/x"},
		{name: "default unused", value: "https://${env:HOST:-other}/x", want: "https://api.example.com/x"},
		{name: "default for unset", value: "https://${env:NOPE:-d.example.com}/x", want: "https://d.example.com/x"},
		{name: "default for empty", value: "https://${env:EMPTY:-d.example.com}/x", want: "https://d.example.com/x"},
		{name: "empty default", value: "https://h${env:NOPE:-}/x", want: "https://h/x"},
		{name: "two", value: "https://${env:HOST}/${env:RATE}", want: "https://api.example.com/25"},
		{name: "context variable kept", value: "https://${env:HOST}/${request.path[id]}", want: "https://api.example.com/${request.path[id]}"},
		{name: "value not rescanned", value: "https://x/${env:LOOP}", want: "https://x/${env:HOST}"},
		{name: "unset", value: "https://${env:NOPE}/x", wantErr: "environment variable NOPE is not set (fix: set NOPE, or give a default: ${env:NOPE:-value})"},
		{name: "bad name", value: "https://${env:1X}/x", wantErr: "${env:1X} does not name an environment variable"},
		{name: "unterminated", value: "https://${env:HOST/x", wantErr: "unterminated ${env: in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := map[string]string{"LOOP": "${env:HOST}"}
			for k, v := range env {
				e[k] = v
			}
			doc := "routes:\n  - path: /{id}\n    methods: [GET]\n    backend:\n      type: HTTP_BACKEND\n      url: \"" + tc.value + "\"\n"
			spec, fs, err := LoadYAML("e.yaml", []byte(doc), lookup(e))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), "e.yaml:6:12: error: routes[0].backend.url: "+tc.wantErr) {
					t.Errorf("error = %v, want %q at the URL", err, tc.wantErr)
				}
				if strings.Count(findingLines(fs), "\n") != 1 {
					t.Errorf("want one finding, got:\n%s", findingLines(fs))
				}
				return
			}
			if err != nil && tc.name != "value not rescanned" {
				t.Fatal(err)
			}
			if got := spec.Routes[0].Backend.URL; got != tc.want {
				t.Errorf("url = %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("typed fields", func(t *testing.T) {
		t.Parallel()
		doc := "request_policies:\n  rate_limiting: {rate_in_requests_per_second: \"${env:RATE}\", rate_key: TOTAL}\n" +
			"  authentication: {type: JWT_AUTHENTICATION, token_header: A, token_auth_scheme: B, issuers: [i], audiences: [a]," +
			" public_keys: {type: REMOTE_JWKS, uri: \"https://x\", is_ssl_verify_disabled: \"${env:ON}\"}, max_clock_skew_in_seconds: \"${env:SKEW}\"}\n" +
			"routes:\n  - {path: /a, methods: [GET], backend: {type: HTTP_BACKEND, url: \"https://x\"}}\n"
		spec, _, err := LoadYAML("e.yaml", []byte(doc), lookup(env))
		if err != nil {
			t.Fatal(err)
		}
		a := spec.RequestPolicies.Authentication
		if spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond != 25 || !a.PublicKeys.IsSSLVerifyDisabled || a.MaxClockSkewInSeconds != 2.5 {
			t.Errorf("typed values from the environment not read: %+v %+v", spec.RequestPolicies.RateLimiting, a)
		}
		// A value from the environment that is wrong says where it came from.
		env2 := map[string]string{"RATE": "-4", "ON": "true", "SKEW": "1"}
		_, fs, _ := LoadYAML("e.yaml", []byte(doc), lookup(env2))
		if want := "rate_in_requests_per_second must be at least 1, found -4 (the value comes from ${env:RATE})"; !strings.Contains(findingLines(fs), want) {
			t.Errorf("findings\n%s\ndo not contain %q", findingLines(fs), want)
		}
	})
}

func TestLoadJSONFindings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"empty", "  \n", []string{"j.json:1:1: error: the file is empty"}},
		{"syntax", "{\n  \"routes\": [\n    {\"path\": \"/a\",}\n  ]\n}\n", []string{"j.json:3:19: error: invalid JSON: invalid character '}'"}},
		{"truncated", "{\"routes\": [", []string{"error: the JSON document ends too early"}},
		{"trailing data", "{\"routes\": []} {}", []string{"j.json:1:16: error: unexpected data after the JSON document"}},
		{"duplicate key", "{\"routes\": [], \"routes\": []}", []string{`j.json:1:16: error: duplicate key "routes" (first at line 1)`}},
		{"snake name in JSON", "{\"request_policies\": {}, \"routes\": []}", []string{`j.json:1:2: error: request_policies: unknown key "request_policies" (fix: write "requestPolicies", the JSON name of this field)`}},
		{"number for a string", "{\"routes\": [{\"path\": \"/a\", \"methods\": [\"GET\"], \"backend\": {\"type\": \"STOCK_RESPONSE_BACKEND\", \"status\": \"200\", \"body\": 5}}]}",
			[]string{`j.json:1:104: error: routes[0].backend.status: expected a whole number, found the string "200"`,
				`j.json:1:119: error: routes[0].backend.body: expected a string, found the number 5 (fix: quote it: "5")`}},
		{"fraction for an int", "{\"routes\": [{\"path\": \"/a\", \"methods\": [\"GET\"], \"backend\": {\"type\": \"STOCK_RESPONSE_BACKEND\", \"status\": 200.5}}]}",
			[]string{"routes[0].backend.status: expected a whole number, found the number 200.5"}},
		{"camelCase paths in findings", "{\"routes\": [{\"path\": \"/a\", \"methods\": [\"GET\"], \"backend\": {\"type\": \"HTTP_BACKEND\", \"url\": \"ftp://x\", \"readTimeoutInSeconds\": 900}}]}",
			[]string{`routes[0].backend.readTimeoutInSeconds: read_timeout_in_seconds is 900; OCI allows 1 to 300`, `routes[0].backend.url: "ftp://x" is not an http(s) URL`}},
		{"env is not read in JSON", "{\"routes\": [{\"path\": \"/a\", \"methods\": [\"GET\"], \"backend\": {\"type\": \"HTTP_BACKEND\", \"url\": \"https://${env:HOST}/\"}}]}",
			[]string{"${env:HOST} is an environment reference; only YAML specs read the environment"}},
		{"multibyte columns", "{\"routes\": [{\"path\": \"/é\", \"methods\": [\"GET\"], \"backend\": {\"type\": \"HTTP_BACKEND\", \"url\": \"https://x\"}}]}",
			[]string{`j.json:1:22: error: routes[0].path: path "/é": segment "é" contains 'é'`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, fs, err := LoadJSON("j.json", []byte(tc.doc))
			got := findingLines(fs)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("findings\n%s\ndo not contain\n%s", got, w)
				}
			}
			if err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestInvalidSpecError(t *testing.T) {
	t.Parallel()
	doc := "routes:\n  - {path: a, methods: [OPTIONS], backend: {type: STOCK_RESPONSE_BACKEND, status: 204}}\n" +
		"request_policies: {cors: {allowed_origins: ['*']}}\n"
	_, fs, err := LoadYAML("f.yaml", []byte(doc))
	var ise *InvalidSpecError
	if !errors.As(err, &ise) {
		t.Fatalf("error %T, want *InvalidSpecError", err)
	}
	if len(ise.Findings) != len(fs) || ise.File != "f.yaml" {
		t.Errorf("the error carries %d findings of %q, want all %d", len(ise.Findings), ise.File, len(fs))
	}
	want := "f.yaml:2:12: error: routes[0].path: path \"a\": a path must start with / (fix: write a path such as /orders/{id}: letters, digits, $-_.+!*'(),%;:@&= and {param} segments)\n(and 1 warning(s))"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
}
