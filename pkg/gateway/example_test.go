package gateway_test

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"

	"github.com/oci-serverless/oci-serverless-api/pkg/gateway"
)

const exampleYAML = `request_policies:
  rate_limiting: {rate_in_requests_per_second: 100, rate_key: CLIENT_IP}
routes:
  - path: /orders/{id}
    methods: [GET]
    backend:
      type: HTTP_BACKEND
      url: https://${env:ORDERS_HOST}/orders/${request.path[id]}
`

func env(vars map[string]string) gateway.LoadOption {
	return gateway.WithLookupEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
}

func ExampleLoadYAML() {
	spec, findings, err := gateway.LoadYAML("spec.yaml", []byte(exampleYAML),
		env(map[string]string{"ORDERS_HOST": "orders.example.com"}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(findings), "findings")
	fmt.Println(spec.Routes[0].Backend.URL)
	// Output:
	// 0 findings
	// https://orders.example.com/orders/${request.path[id]}
}

func ExampleLoadYAML_errors() {
	_, _, err := gateway.LoadYAML("spec.yaml", []byte(exampleYAML), env(nil))
	var invalid *gateway.InvalidSpecError
	if errors.As(err, &invalid) {
		for _, f := range invalid.Findings {
			fmt.Println(f)
		}
	}
	// Output:
	// spec.yaml:8:12: error: routes[0].backend.url: environment variable ORDERS_HOST is not set (fix: set ORDERS_HOST, or give a default: ${env:ORDERS_HOST:-value})
}

func ExampleLoadJSON() {
	doc := `{"routes": [{"path": "/health", "methods": ["GET"],
  "backend": {"type": "STOCK_RESPONSE_BACKEND", "status": 200, "body": "ok"}}],
 "requestPolicies": {"cors": {"allowedOrigins": ["https://app.example.com/"]}}}`
	_, findings, err := gateway.LoadJSON("spec.json", []byte(doc))
	fmt.Println(err != nil)
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// true
	// spec.json:3:50: error: requestPolicies.cors.allowedOrigins[0]: origin "https://app.example.com/" is not scheme://host[:port] (fix: write scheme://host[:port] with no path, or * or null)
}

func ExampleValidate() {
	spec := gateway.Spec{Routes: []gateway.Route{{
		Path:    "/orders",
		Methods: []gateway.Method{gateway.MethodPost},
		Backend: gateway.Backend{Type: gateway.FunctionsBackend, Function: "order-validator"},
		ResponsePolicies: gateway.ResponsePolicies{HeaderTransformations: gateway.HeaderTransformations{
			SetHeaders: gateway.SetPolicy{Items: []gateway.SetItem{{Name: "Retry-After", Values: []string{"5"}}}}}},
	}}}
	for _, f := range gateway.Validate(spec) {
		fmt.Println(f)
	}
	// Output:
	// warning: routes[0].response_policies.header_transformations.set_headers.items[0].name: Retry-After is a protected response header: OCI accepts the deployment, but API Gateway does not apply this item, so it has no effect on the responses clients receive (fix: remove this item: header transformation policies cannot change Retry-After)
}

func ExampleSource_Position() {
	spec, _, _ := gateway.LoadYAML("spec.yaml", []byte(exampleYAML), env(map[string]string{"ORDERS_HOST": "h"}))
	line, col := spec.Source.Position("routes[0].backend.url")
	fmt.Printf("%d:%d\n", line, col)
	// Output: 8:12
}

func resolve(name string) (string, error) {
	if name == "order-validator" {
		return "ocid1.fnfunc.oc1.iad.example", nil
	}
	return "", fmt.Errorf("no function %q", name)
}

func ExampleToSDK() {
	spec := gateway.Spec{Routes: []gateway.Route{{Path: "/orders", Methods: []gateway.Method{gateway.MethodPost},
		Backend: gateway.Backend{Type: gateway.FunctionsBackend, Function: "order-validator"}}}}
	sdk, err := gateway.ToSDK(spec, resolve)
	if err != nil {
		fmt.Println(err)
		return
	}
	backend := sdk.Routes[0].Backend.(apigateway.OracleFunctionBackend)
	fmt.Println(*sdk.Routes[0].Path, *backend.FunctionId)
	// Output: /orders ocid1.fnfunc.oc1.iad.example
}

func ExampleFromSDK() {
	path, url := "/weather/{region}", "https://api.weather.gov/${request.path[region]}"
	spec, err := gateway.FromSDK(apigateway.ApiSpecification{Routes: []apigateway.ApiSpecificationRoute{
		{Path: &path, Backend: apigateway.HttpBackend{Url: &url}},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Routes[0].Backend.Type, spec.Routes[0].Backend.URL)
	// Output: HTTP_BACKEND https://api.weather.gov/${request.path[region]}
}

func ExampleCreateDeploymentDetails() {
	v, _ := gateway.ParseVersion("v1.4.2")
	prefix, _ := gateway.PathPrefix(gateway.DefaultPathPrefixTemplate, v)
	tags, _ := gateway.Tags{Managed: true, Release: v.String(), ActiveSlot: gateway.Blue}.Apply(map[string]string{"team": "orders"})
	details, err := gateway.CreateDeploymentDetails(gateway.Deployment{
		GatewayID: "ocid1.apigateway.oc1.iad.example", CompartmentID: "ocid1.compartment.oc1..example",
		PathPrefix: prefix, DisplayName: gateway.DisplayName("orders", v.Major), FreeformTags: tags,
		Spec: gateway.Spec{Routes: []gateway.Route{{Path: "/orders", Methods: []gateway.Method{gateway.MethodPost},
			Backend: gateway.Backend{Type: gateway.FunctionsBackend, Function: "order-validator"}}}},
	}, resolve)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*details.PathPrefix, *details.DisplayName, details.FreeformTags)
	// Output: /v1 orders-v1 map[osa-active-slot:blue osa-managed:true osa-release:v1.4.2 team:orders]
}

func ExampleUpdateDeploymentDetails() {
	details, err := gateway.UpdateDeploymentDetails(gateway.Deployment{
		DisplayName: "orders-v1",
		Spec: gateway.Spec{Routes: []gateway.Route{{Path: "/orders", Methods: []gateway.Method{gateway.MethodPost},
			Backend: gateway.Backend{Type: gateway.FunctionsBackend, FunctionID: "ocid1.fnfunc.oc1.iad.green"}}}},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*details.DisplayName, len(details.Specification.Routes), details.FreeformTags == nil)
	// Output: orders-v1 1 true
}

func ExampleParseVersion() {
	for _, tag := range []string{"v2.3.1", "v3.0.0-rc.1+build.7", "2.3.1"} {
		v, err := gateway.ParseVersion(tag)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(v.Major, v.Prerelease, v.Build, v.IsPrerelease())
	}
	// Output:
	// 2 [] [] false
	// 3 [rc 1] [build 7] true
	// version "2.3.1": release tags start with v, as in v2.3.1
}

func ExampleVersion_Compare() {
	var vs []gateway.Version
	for _, tag := range []string{"v1.10.0", "v1.2.0", "v1.2.0-rc.1", "v0.9.0"} {
		v, _ := gateway.ParseVersion(tag)
		vs = append(vs, v)
	}
	slices.SortFunc(vs, gateway.Version.Compare)
	fmt.Println(vs)
	// Output: [v0.9.0 v1.2.0-rc.1 v1.2.0 v1.10.0]
}

func ExamplePathPrefix() {
	rc, _ := gateway.ParseVersion("v3.0.0-rc.1")
	release, _ := gateway.ParseVersion("v3.0.0")
	p1, _ := gateway.PathPrefix("", release)
	p2, _ := gateway.PathPrefix("/v{major}-{pre}", rc)
	fmt.Println(p1, p2)
	// Output: /v3 /v3-rc
}

func ExampleValidatePathPrefix() {
	fmt.Println(gateway.ValidatePathPrefix("/v1"))
	fmt.Println(gateway.ValidatePathPrefix("/v1/"))
	// Output:
	// <nil>
	// path prefix "/v1/" must not end with /
}

func ExampleDisplayName() {
	fmt.Println(gateway.DisplayName("orders", 2), gateway.ValidateAPIName("Orders"))
	// Output: orders-v2 API name "Orders" must start with a lower-case letter
}

func ExampleValidateDisplayName() {
	fmt.Println(gateway.ValidateDisplayName("orders-v1"))
	// Output: <nil>
}

func ExampleTags_Apply() {
	lease := gateway.Lease{Holder: "ci run 42", Expires: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	tags, err := gateway.Tags{Managed: true, Release: "v1.4.3", ActiveSlot: gateway.Green, Lease: lease}.
		Apply(map[string]string{"team": "orders", "osa-release": "v1.4.2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tags)
	// Output: map[osa-active-slot:green osa-lease:ci run 42 until 2026-01-02T03:04:05Z osa-managed:true osa-release:v1.4.3 team:orders]
}

func ExampleParseTags() {
	tags, err := gateway.ParseTags(map[string]string{"team": "orders", "osa-managed": "true",
		"osa-release": "v1.4.2", "osa-active-slot": "blue"})
	fmt.Println(tags.Managed, tags.Release, tags.ActiveSlot, tags.ActiveSlot.Other(), err)
	// Output: true v1.4.2 blue green <nil>
}

func ExampleDeprecate() {
	spec := gateway.Spec{Routes: []gateway.Route{{Path: "/orders", Methods: []gateway.Method{gateway.MethodGet},
		Backend: gateway.Backend{Type: gateway.StockResponseBackend, Status: 200}}}}
	deprecated := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	spec, err := gateway.Deprecate(spec, gateway.Deprecation{
		Successor:  "https://api.example.com/v2",
		Deprecated: deprecated,
		Sunset:     deprecated.AddDate(0, 0, 90),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range spec.Routes[0].ResponsePolicies.HeaderTransformations.SetHeaders.Items {
		fmt.Printf("%s: %s (%s)\n", h.Name, h.Values[0], h.IfExists)
	}
	// Output:
	// Deprecation: @1777593600 (OVERWRITE)
	// Sunset: Thu, 30 Jul 2026 00:00:00 GMT (OVERWRITE)
	// Link: <https://api.example.com/v2>; rel="successor-version" (APPEND)
}

func ExampleDeprecation_Headers() {
	_, err := gateway.Deprecation{Successor: "/v2", Deprecated: time.Unix(2000, 0), Sunset: time.Unix(1000, 0)}.Headers()
	fmt.Println(err)
	// Output: sunset 1970-01-01T00:16:40Z is earlier than deprecation 1970-01-01T00:33:20Z
}

func ExampleParsePathTemplate() {
	t, err := gateway.ParsePathTemplate("/files/{bucket}/{path*}")
	fmt.Println(t.Params(), t.Pattern(), err)
	_, err = gateway.ParsePathTemplate("/files/x{y}")
	fmt.Println(err)
	// Output:
	// [bucket path] /files/{}/{*} <nil>
	// segment "x{y}": a parameter must be a whole segment, {name}
}

func ExampleParseTemplate() {
	t, _ := gateway.ParseTemplate("https://h/${request.path[id]}?lang=${request.headers[accept-language]}")
	fmt.Println(t.Variables())
	fmt.Println(t.Expand(func(v gateway.ContextVariable) string { return "<" + v.Key + ">" }))
	// Output:
	// [request.path[id] request.headers[accept-language]]
	// https://h/<id>?lang=<accept-language>
}

func ExampleParseContextVariable() {
	v, err := gateway.ParseContextVariable("request.auth[realm_access.roles]")
	fmt.Println(v.Table, v.Key, err)
	// Output: request.auth realm_access.roles <nil>
}

func ExampleHasErrors() {
	_, findings, _ := gateway.LoadYAML("s.yaml", []byte("routes:\n  - {path: /a, backend: {type: STOCK_RESPONSE_BACKEND, status: 200}}\n"))
	fmt.Println(gateway.HasErrors(findings), len(findings))
	// Output: false 1
}
