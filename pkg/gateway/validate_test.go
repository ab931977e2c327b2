package gateway

import (
	"fmt"
	"strings"
	"testing"
)

// A 1024-bit RSA public key, as a JWK modulus and in PEM: too small for
// API Gateway.
const (
	smallN   = "vW_RpsvP_8WiiDDzlZPzAPUQ-1W9vT9XOn51mgeh6U7w4V7KFxgSfWwOsXLbHfB7URILMAjLHjA2gKF3IPFrVai2ftU7HLlVwNmt8Nq5UsHD-beJ55ZHV0KKCoPhfKXX1UnKQCQnRBcS5c0UJIrAZ3WiJAxLnCqOjS5ylJqOcVs"
	smallPEM = "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC9b9Gmy8//xaKIMPOVk/MA9RD7\nVb29P1c6fnWaB6HpTvDhXsoXGBJ9bA6xctsd8HtREgswCMseMDaAoXcg8WtVqLZ+\n1TscuVXA2a3w2rlSwcP5t4nnlkdXQooKg+F8pdfVScpAJCdEFxLlzRQkisBndaIk\nDEucKo6NLnKUmo5xWwIDAQAB\n-----END PUBLIC KEY-----\n"
)

// base is a small valid specification that the cases below break.
func base() Spec {
	return Spec{
		RequestPolicies: RequestPolicies{Authentication: Authentication{Type: JWTAuthentication,
			TokenHeader: "Authorization", TokenAuthScheme: "Bearer", Issuers: []string{"https://idp.example.com"},
			Audiences: []string{"api"}, PublicKeys: PublicKeys{Type: RemoteJWKS, URI: "https://idp.example.com/jwks"}}},
		Routes: []Route{{Path: "/items/{id}", Methods: []Method{MethodGet},
			Backend: Backend{Type: HTTPBackend, URL: "https://backend.example.com/items/${request.path[id]}"}}},
	}
}

func TestValidateBase(t *testing.T) {
	t.Parallel()
	if fs := Validate(base()); len(fs) > 0 {
		t.Fatalf("the base spec has findings:\n%s", findingLines(fs))
	}
	if fs := Validate(withIDs(t, loadEveryField(t))); len(fs) > 0 {
		t.Fatalf("every_field has findings:\n%s", findingLines(fs))
	}
}

func route(s *Spec) *Route { return &s.Routes[0] }

func setHeader(name string, values ...string) SetPolicy {
	return SetPolicy{Items: []SetItem{{Name: name, Values: values}}}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	auth := func(s *Spec) *Authentication { return &s.RequestPolicies.Authentication }
	for _, tc := range []struct {
		name   string
		mutate func(*Spec)
		want   []string // substrings of Finding.String(), one per expected finding
	}{
		// Routes and paths.
		{"no routes", func(s *Spec) { s.Routes = nil }, []string{"error: routes: the specification has no routes"}},
		{"51 routes", func(s *Spec) {
			for i := range 50 {
				s.Routes = append(s.Routes, Route{Path: fmt.Sprintf("/r%d", i), Methods: []Method{MethodGet},
					Backend: Backend{Type: StockResponseBackend, Status: 200}})
			}
		}, []string{"error: routes[50]: 51 routes, OCI allows at most 50"}},
		{"relative path", func(s *Spec) { route(s).Path = "items" }, []string{`error: routes[0].path: path "items": a path must start with /`}},
		{"double slash", func(s *Spec) { route(s).Path = "/a//b" }, []string{"a path must not contain //"}},
		{"partial parameter", func(s *Spec) { route(s).Path = "/a{id}" }, []string{`segment "a{id}": a parameter must be a whole segment`}},
		{"repeated parameter", func(s *Spec) { route(s).Path = "/{id}/{id}" }, []string{"parameter id appears twice"}},
		{"bad parameter name", func(s *Spec) { route(s).Path = "/{a-b}" }, []string{"parameter {a-b}: names are letters, digits and _"}},
		{"space", func(s *Spec) { route(s).Path = "/a b" }, []string{`segment "a b" contains ' '`}},
		{"long path", func(s *Spec) { route(s).Path = "/{id}/" + strings.Repeat("a", 1995) }, []string{"the path is 2001 characters; OCI allows at most 2000"}},
		{"wildcard not last", func(s *Spec) { route(s).Path = "/{p*}/x" }, []string{"warning: routes[0].path: wildcard parameter {p*} is not the last segment",
			`routes[0].backend.url: request.path[id]: the route's path has no parameter "id"`}},
		{"duplicate route", func(s *Spec) {
			s.Routes = append(s.Routes, Route{Path: "/items/{other}", Methods: []Method{MethodPost, MethodGet},
				Backend: Backend{Type: StockResponseBackend, Status: 200}})
		}, []string{"error: routes[1]: route GET /items/{other} duplicates routes[0] (GET /items/{id})"}},
		{"ANY overlaps", func(s *Spec) {
			s.Routes = append(s.Routes, Route{Path: "/items/{x}", Methods: []Method{MethodAny}, Backend: Backend{Type: StockResponseBackend, Status: 200}})
		}, []string{"warning: routes[0]: routes[0] (GET /items/{id}) overlaps routes[1], which accepts every method"}},
		{"no methods", func(s *Spec) { route(s).Methods = nil }, []string{"warning: routes[0].methods: methods is not set"}},
		{"repeated method", func(s *Spec) { route(s).Methods = []Method{MethodGet, MethodGet} }, []string{"warning: routes[0].methods[1]: method GET is listed twice"}},
		{"unknown method", func(s *Spec) { route(s).Methods = []Method{"FETCH"} }, []string{`error: routes[0].methods[0]: unknown method "FETCH"`}},

		// Backends.
		{"no backend type", func(s *Spec) { route(s).Backend.Type = "" }, []string{"error: routes[0].backend.type: type is required"}},
		{"field of another variant", func(s *Spec) { route(s).Backend.Status = 200 }, []string{
			"error: routes[0].backend.status: status does not apply to type HTTP_BACKEND (fix: remove it, or set type to STOCK_RESPONSE_BACKEND)"}},
		{"relative URL", func(s *Spec) { route(s).Backend.URL = "/items" }, []string{`routes[0].backend.url: "/items" is not an http(s) URL`}},
		{"unknown path parameter", func(s *Spec) { route(s).Backend.URL = "https://b/${request.path[nope]}" },
			[]string{`error: routes[0].backend.url: request.path[nope]: the route's path has no parameter "nope" (fix: use a parameter of the route's path, or add {nope} to it)`}},
		{"variable in query", func(s *Spec) { route(s).Backend.URL = "https://b/x?id=${request.path[id]}" },
			[]string{"context variables are allowed in the URL's path only, not in its query"}},
		{"variable in host", func(s *Spec) { route(s).Backend.URL = "https://${request.headers[h]}/x" },
			[]string{"warning: routes[0].backend.url: context variables in the URL's host are not documented by OCI"}},
		{"bad expression", func(s *Spec) { route(s).Backend.URL = "https://b/${foo}" }, []string{`${foo}: "foo" is not a context variable`}},
		{"unknown table", func(s *Spec) { route(s).Backend.URL = "https://b/${request.nope[x]}" }, []string{`unknown context table "request.nope"`}},
		{"unterminated expression", func(s *Spec) { route(s).Backend.URL = "https://b/${request.path[id]" }, []string{"unterminated ${"}},
		{"timeouts", func(s *Spec) {
			b := &route(s).Backend
			b.ConnectTimeoutInSeconds, b.ReadTimeoutInSeconds, b.SendTimeoutInSeconds = 76, 0.5, 301
		}, []string{"connect_timeout_in_seconds is 76; OCI allows 1 to 75", "read_timeout_in_seconds is 0.5", "send_timeout_in_seconds is 301"}},
		{"function name and id", func(s *Spec) {
			route(s).Backend = Backend{Type: FunctionsBackend, Function: "f", FunctionID: "ocid1.fnfunc.oc1..f"}
		}, []string{"error: routes[0].backend.function_id: the function is given twice"}},
		{"function id", func(s *Spec) { route(s).Backend = Backend{Type: FunctionsBackend, FunctionID: "ocid1.instance.oc1..x"} },
			[]string{`"ocid1.instance.oc1..x" is not a function OCID`}},
		{"no function", func(s *Spec) { route(s).Backend = Backend{Type: FunctionsBackend} }, []string{"error: routes[0].backend.function: the function is required"}},
		{"function name", func(s *Spec) { route(s).Backend = Backend{Type: FunctionsBackend, Function: "a b"} }, []string{`"a b" is not a function name`}},
		{"stock response", func(s *Spec) {
			b := Backend{Type: StockResponseBackend, Status: 99, Body: strings.Repeat("x", 4097), Headers: []StockHeader{{Name: "a b", Value: "v"}}}
			for range 50 {
				b.Headers = append(b.Headers, StockHeader{Name: "X", Value: "v"})
			}
			route(s).Backend = b
		}, []string{"status 99 is not an HTTP status", "the body is 4097 bytes; OCI allows at most 4096",
			"routes[0].backend.headers[50]: 51 headers, OCI allows at most 50", `routes[0].backend.headers[0].name: "a b" is not a header name`}},
		{"dynamic routing", func(s *Spec) {
			route(s).Backend = Backend{Type: DynamicRouting, SelectionSource: SelectionSource{Type: SingleSelection, Selector: "${request.headers[t]}"},
				RoutingBackends: []RoutingBackend{
					{Key: SelectionKey{Type: AnyOfKey, Name: "a", IsDefault: true}, Backend: Backend{Type: StockResponseBackend, Status: 200}},
					{Key: SelectionKey{Type: WildcardKey, Name: "a", IsDefault: true, Expression: "*a*"}, Backend: Backend{Type: DynamicRouting}},
				}}
		}, []string{`routes[0].backend.selection_source.selector: "${request.headers[t]}": context variables here are written without ${ }`,
			`routes[0].backend.routing_backends[1].key.name: name "a" is also used by routes[0].backend.routing_backends[0]`,
			"routes[0].backend.routing_backends[1].key.is_default: more than one branch is the default",
			`routes[0].backend.routing_backends[1].key.expression: expression "*a*": it has 2 wildcards`,
			"routes[0].backend.routing_backends[1].backend.type: a routing backend cannot be DYNAMIC_ROUTING_BACKEND"}},
		{"no routing backends", func(s *Spec) {
			route(s).Backend = Backend{Type: DynamicRouting, SelectionSource: SelectionSource{Type: SingleSelection, Selector: "request.headers[t]"}}
		}, []string{"routes[0].backend.routing_backends: routing_backends is required"}},
		{"logout URIs", func(s *Spec) {
			route(s).Backend = Backend{Type: OAuth2LogoutBackend, AllowedPostLogoutURIs: []string{"bye"}}
		},
			[]string{`routes[0].backend.allowed_post_logout_uris[0]: "bye" is not an http(s) URL`}},

		// Authentication.
		{"no issuers", func(s *Spec) { auth(s).Issuers = nil }, []string{
			"error: request_policies.authentication.issuers: issuers is required (fix: add issuers: [...] (or a verify_claims entry for iss with values, which osa reads))"}},
		{"too many audiences", func(s *Spec) { auth(s).Audiences = []string{"1", "2", "3", "4", "5", "6"} },
			[]string{"request_policies.authentication.audiences[5]: 6 audiences, OCI allows at most 5"}},
		{"no public keys", func(s *Spec) { auth(s).PublicKeys = PublicKeys{} }, []string{"request_policies.authentication.public_keys.type: type is required"}},
		{"header and query", func(s *Spec) { auth(s).TokenQueryParam = "t" }, []string{"the token is read from one place"}},
		{"no token location", func(s *Spec) { auth(s).TokenHeader, auth(s).TokenAuthScheme = "", "" }, []string{"say where the token is"}},
		{"no scheme", func(s *Spec) { auth(s).TokenAuthScheme = "" }, []string{"token_auth_scheme: token_auth_scheme is required with token_header"}},
		{"clock skew", func(s *Spec) { auth(s).MaxClockSkewInSeconds = 121 }, []string{"max_clock_skew_in_seconds is 121; OCI allows 0 to 120"}},
		{"claims", func(s *Spec) {
			for i := range 11 {
				auth(s).VerifyClaims = append(auth(s).VerifyClaims, Claim{Key: fmt.Sprint("k", i%10)})
			}
		}, []string{"verify_claims[10]: 11 verify_claims, OCI allows at most 10", `warning: request_policies.authentication.verify_claims[10].key: claim "k0" is also checked by request_policies.authentication.verify_claims[0]`}},
		{"small JWK", func(s *Spec) {
			auth(s).PublicKeys = PublicKeys{Type: StaticKeys, Keys: []StaticKey{{Format: JSONWebKey, Kid: "a", Kty: KeyTypeRSA, N: smallN, E: "AQAB", Alg: "HS256"}}}
		}, []string{"error: request_policies.authentication.public_keys.keys[0]: the key has 1024 bits; API Gateway needs 2048 to 4096",
			`keys[0].alg: alg "HS256": API Gateway verifies RS256, RS384 and RS512 only`}},
		{"small PEM", func(s *Spec) {
			auth(s).PublicKeys = PublicKeys{Type: StaticKeys, Keys: []StaticKey{{Format: PEMKey, Kid: "a", Key: smallPEM}, {Format: PEMKey, Kid: "a", Key: "junk"}}}
		}, []string{"keys[0]: the key has 1024 bits", "keys[1].key: the key is not usable: it is not PEM", `keys[1].kid: kid "a" is also used by`}},
		{"bad JWK", func(s *Spec) {
			auth(s).PublicKeys = PublicKeys{Type: StaticKeys, Keys: []StaticKey{{Format: JSONWebKey, Kid: "a", Kty: KeyTypeRSA, N: "!!", E: "AQAB"}, {Format: JSONWebKey, Kid: "b"}}}
		}, []string{"keys[0].n: the key is not usable: n is not base64url", "keys[1].kty: kty is required"}},
		{"anonymous route", func(s *Spec) { route(s).RequestPolicies.Authorization = Authorization{Type: Anonymous} },
			[]string{"error: routes[0].request_policies.authorization: route /items/{id} is ANONYMOUS, but the authentication policy does not allow anonymous access"}},
		{"authorization without authentication", func(s *Spec) {
			s.RequestPolicies.Authentication = Authentication{}
			route(s).RequestPolicies.Authorization = Authorization{Type: AnyOfAuthorization, AllowedScope: []string{"a"}}
		}, []string{"warning: routes[0].request_policies.authorization: authorization ANY_OF has no effect"}},
		{"ANY_OF without scopes", func(s *Spec) { route(s).RequestPolicies.Authorization = Authorization{Type: AnyOfAuthorization} },
			[]string{"routes[0].request_policies.authorization.allowed_scope: allowed_scope is required"}},
		{"token discovery", func(s *Spec) {
			*auth(s) = Authentication{Type: TokenAuthentication, TokenHeader: "Authorization", TokenAuthScheme: "Bearer",
				ValidationPolicy: TokenValidation{Type: TokenRemoteDiscovery, ClientDetails: ClientDetails{Type: CustomClient, ClientID: "c", ClientSecretID: "s"}},
				ValidationFailurePolicy: ValidationFailure{Type: OAuth2Failure, LoginPath: "/login", ResponseType: OAuth2Code, Scopes: []string{"openid"},
					ClientDetails: ClientDetails{Type: ValidationBlockClient}, SourceURIDetails: SourceURIDetails{Type: ValidationBlockSource}}}
		}, []string{"validation_policy.source_uri_details.type: type is required",
			`validation_policy.client_details.client_secret_id: "s" is not a Vault secret OCID`,
			"validation_policy.client_details.client_secret_version_number: client_secret_version_number is required",
			`validation_failure_policy.login_path: login_path "/login" is not the path of a route with an OAUTH2_LOGIN_BACKEND`}},
		{"OAUTH2 without discovery", func(s *Spec) {
			*auth(s) = Authentication{Type: TokenAuthentication, TokenQueryParam: "t",
				ValidationPolicy:        TokenValidation{Type: TokenRemoteJWKS, URI: "https://idp/jwks"},
				ValidationFailurePolicy: ValidationFailure{Type: OAuth2Failure}}
		}, []string{"validation_failure_policy.type: OAUTH2 failure policies work with REMOTE_DISCOVERY validation only",
			"validation_failure_policy.scopes: scopes is required", "validation_failure_policy.client_details.type: type is required",
			"validation_failure_policy.source_uri_details.type: type is required", "validation_failure_policy.response_type: response_type is required"}},
		{"modify response", func(s *Spec) {
			*auth(s) = Authentication{Type: TokenAuthentication, TokenQueryParam: "t",
				ValidationPolicy:        TokenValidation{Type: TokenStaticKeys},
				ValidationFailurePolicy: ValidationFailure{Type: ModifyResponse, ResponseCode: "4000", ResponseMessage: "${request.body}"}}
		}, []string{"validation_policy.keys: keys is required", `response_code "4000" is not an HTTP status`,
			"response_message: request.body is available to authorizer functions only"}},
		{"custom authentication", func(s *Spec) {
			a := Authentication{Type: CustomAuthentication, Function: "authz", Parameters: map[string]string{}, CacheKey: []string{"nope"}}
			for i := range 11 {
				a.Parameters[fmt.Sprint("p", i)] = "request.headers[h]"
			}
			a.Parameters["p0"] = "request.nope[x]"
			a.TokenAuthScheme = "Bearer"
			*auth(s) = a
		}, []string{"request_policies.authentication.parameters[10]: 11 parameters, OCI allows at most 10",
			`parameters[p0]: unknown context table "request.nope"`, `cache_key[0]: cache_key "nope" is not a key of parameters`,
			"token_auth_scheme: token_auth_scheme does not apply to type CUSTOM_AUTHENTICATION"}},
		{"custom with nothing to send", func(s *Spec) {
			*auth(s) = Authentication{Type: CustomAuthentication, FunctionID: "ocid1.fnfunc.oc1..a"}
		},
			[]string{"the authorizer gets nothing from the request"}},

		// Deployment policies.
		{"rate limiting", func(s *Spec) {
			s.RequestPolicies.RateLimiting = RateLimiting{RateInRequestsPerSecond: 0, RateKey: "PER_USER"}
		},
			[]string{"rate_in_requests_per_second must be at least 1, found 0", `rate_limiting.rate_key: unknown rate key "PER_USER"`}},
		{"cors", func(s *Spec) {
			s.RequestPolicies.CORS = CORSPolicy{AllowedOrigins: []string{"https://a.example.com/app", "example.com"},
				AllowedHeaders: []string{"bad header"}, MaxAgeInSeconds: -1}
		}, []string{`allowed_origins[0]: origin "https://a.example.com/app" is not scheme://host[:port]`, `allowed_origins[1]: origin "example.com"`,
			`allowed_headers[0]: "bad header" is not a header name`, "max_age_in_seconds is negative"}},
		{"cors without origins", func(s *Spec) { s.RequestPolicies.CORS = CORSPolicy{AllowedMethods: []string{"GET"}} },
			[]string{"request_policies.cors.allowed_origins: allowed_origins is required"}},
		{"mutual TLS", func(s *Spec) { s.RequestPolicies.MutualTLS = MutualTLS{AllowedSANs: []string{"a"}} },
			[]string{"warning: request_policies.mutual_tls.allowed_sans: allowed_sans has no effect"}},
		{"usage plans", func(s *Spec) {
			s.RequestPolicies.UsagePlans = UsagePlans{TokenLocations: []string{"request.host[x]", "headers[x]"}}
		},
			[]string{"token_locations[0]: tokens cannot be read from request.host", `token_locations[1]: unknown context table "headers"`}},
		{"dynamic authentication", func(s *Spec) {
			s.RequestPolicies.DynamicAuthentication = DynamicAuthentication{SelectionSource: SelectionSource{Type: SingleSelection, Selector: "request.headers[t]"},
				AuthenticationServers: []AuthenticationServer{{Key: SelectionKey{Type: AnyOfKey, Name: "a"}}}}
		}, []string{"authentication_servers[0].key.values: values is required", "authentication_servers[0].authentication_server_detail.type: type is required"}},

		// Route policies.
		{"protected headers", func(s *Spec) {
			route(s).RequestPolicies.HeaderTransformations = HeaderTransformations{SetHeaders: setHeader("Cookie", "a=b")}
			route(s).ResponsePolicies.HeaderTransformations = HeaderTransformations{SetHeaders: setHeader("X-Frame-Options", "DENY")}
		}, []string{"warning: routes[0].request_policies.header_transformations.set_headers.items[0].name: Cookie is a protected request header: OCI accepts the deployment, but API Gateway does not apply this item, so it has no effect on the requests the backend receives",
			"warning: routes[0].response_policies.header_transformations.set_headers.items[0].name: X-Frame-Options is a protected response header"}},
		{"header in two policies", func(s *Spec) {
			route(s).ResponsePolicies.HeaderTransformations = HeaderTransformations{SetHeaders: setHeader("X-A", "1"),
				RenameHeaders: RenamePolicy{Items: []RenameItem{{From: "x-a", To: "X-B"}}},
				FilterHeaders: FilterPolicy{Type: Block, Items: []FilterItem{{Name: "X-B"}}}}
		}, []string{`rename_headers.items[0].from: header "x-a" is also transformed at routes[0].response_policies.header_transformations.set_headers.items[0].name`,
			`filter_headers.items[0].name: header "X-B" is also transformed at routes[0].response_policies.header_transformations.rename_headers.items[0].to`}},
		{"allow filter exempt", func(s *Spec) {
			route(s).ResponsePolicies.HeaderTransformations = HeaderTransformations{SetHeaders: setHeader("X-A", "1"),
				FilterHeaders: FilterPolicy{Type: Allow, Items: []FilterItem{{Name: "X-A"}}}}
		}, nil},
		{"set without values", func(s *Spec) {
			route(s).RequestPolicies.HeaderTransformations = HeaderTransformations{SetHeaders: SetPolicy{Items: []SetItem{{Name: "X-A"}}},
				FilterHeaders: FilterPolicy{Items: []FilterItem{{Name: "X"}}}}
		}, []string{"set_headers.items[0].values: values is required", "filter_headers.type: type is required"}},
		{"bad header value", func(s *Spec) {
			route(s).RequestPolicies.HeaderTransformations = HeaderTransformations{SetHeaders: setHeader("X-A", "a\r\nb")}
		}, []string{`values[0]: value "a\r\nb" cannot be sent in a header`}},
		{"query names", func(s *Spec) {
			route(s).RequestPolicies.QueryParameterTransformations = QueryParameterTransformations{SetQueryParameters: setHeader("q", "1"),
				RenameQueryParameters: RenamePolicy{Items: []RenameItem{{From: "Q", To: "a&b"}}},
				FilterQueryParameters: FilterPolicy{Type: Block, Items: []FilterItem{{Name: "q"}}}}
		}, []string{`rename_query_parameters.items[0].to: "a&b" is not a query parameter name`,
			`filter_query_parameters.items[0].name: query parameter "q" is also transformed`}},
		{"validations", func(s *Spec) {
			route(s).RequestPolicies.HeaderValidations = HeaderValidations{Headers: []ValidationItem{{Name: "X-A"}, {Name: "x-a"}, {}}}
			route(s).RequestPolicies.QueryParameterValidations = QueryParameterValidations{Parameters: []ValidationItem{{Name: "a"}, {Name: "A"}}}
		}, []string{`header_validations.headers[1].name: "x-a" is also listed`, "header_validations.headers[2].name: name is required"}},
		{"body validation", func(s *Spec) {
			route(s).RequestPolicies.BodyValidation = BodyValidation{Required: true, Content: map[string]ContentValidation{"json": {ValidationType: NoContentValidation}, "a/b": {}}}
		}, []string{`body_validation.content[json]: "json" is not a media range`, "body_validation.content[a/b].validation_type: validation_type is required"}},
		{"response cache", func(s *Spec) {
			route(s).Methods = []Method{MethodPost}
			route(s).RequestPolicies.ResponseCacheLookup = ResponseCacheLookup{Type: SimpleLookup, CacheKeyAdditions: []string{"tenant"}}
			route(s).ResponsePolicies.ResponseCacheStore = ResponseCacheStore{Type: FixedTTLStore}
		}, []string{`cache_key_additions[0]: cache key addition "tenant" has no context variable`,
			"warning: routes[0].request_policies.response_cache_lookup: API Gateway caches GET, HEAD and OPTIONS responses only",
			"response_cache_store.time_to_live_in_seconds: time_to_live_in_seconds must be at least 1, found 0"}},
		{"options beside route CORS", func(s *Spec) {
			route(s).Methods = []Method{MethodGet, MethodOptions}
			route(s).RequestPolicies.CORS = CORSPolicy{AllowedOrigins: []string{"*"}}
		}, []string{"warning: routes[0].methods[1]: OPTIONS /items/{id} sits beside this route's CORS policy: API Gateway answers CORS preflight requests from the policy, so this route serves only OPTIONS requests that are not preflights (fix: remove OPTIONS from methods"}},
		{"context tables", func(s *Spec) {
			route(s).RequestPolicies.Authorization = Authorization{Type: Anonymous}
			s.RequestPolicies.Authentication.IsAnonymousAccessAllowed = true
			route(s).RequestPolicies.HeaderTransformations = HeaderTransformations{SetHeaders: SetPolicy{Items: []SetItem{
				{Name: "A", Values: []string{"${request.cert[client_base64]}"}}, {Name: "B", Values: []string{"${request.cert[pem]}"}},
				{Name: "C", Values: []string{"${request.auth[sub]}"}}, {Name: "D", Values: []string{"${request.usage_plan[id]}"}},
				{Name: "E", Values: []string{"${request.path}"}}}}}
		}, []string{"items[0].values[0]: request.cert[client_base64] is empty without mutual TLS",
			`items[1].values[0]: request.cert has one key, client_base64, not "pem"`, "items[2].values[0]: request.auth[sub] is empty on ANONYMOUS routes",
			"items[3].values[0]: request.usage_plan[id] is empty: the deployment has no usage plans", "items[4].values[0]: ${request.path}: request.path needs a key"}},
		{"logging level", func(s *Spec) { s.LoggingPolicies.ExecutionLog = ExecutionLog{IsEnabled: true, LogLevel: "DEBUG"} },
			[]string{`logging_policies.execution_log.log_level: unknown log level "DEBUG" (fix: use INFO, WARN or ERROR)`}},
		{"size", func(s *Spec) {
			values := make([]string, 200)
			for i := range values {
				values[i] = strings.Repeat("v", 15000)
			}
			route(s).ResponsePolicies.HeaderTransformations = HeaderTransformations{SetHeaders: setHeader("X-Big", values...)}
		}, []string{"error: the specification is 30"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := base()
			tc.mutate(&s)
			fs := Validate(s)
			got := findingLines(fs)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("findings\n%s\ndo not contain\n%s", got, w)
				}
			}
			if len(fs) != len(tc.want) {
				t.Errorf("got %d findings, want %d:\n%s", len(fs), len(tc.want), got)
			}
			for _, f := range fs {
				if f.IsError() && f.Fix == "" {
					t.Errorf("error without a fix: %s", f)
				}
			}
		})
	}
}
