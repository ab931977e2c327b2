package emulator

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"
)

// apigwOddAuth and apigwOddKey are polymorphic values of a type the SDK
// does not know; they marshal as the maps they are.
type (
	apigwOddAuth map[string]any
	apigwOddKey  map[string]any
)

func (apigwOddAuth) GetIsAnonymousAccessAllowed() *bool { return nil }
func (apigwOddKey) GetKid() *string                     { return nil }

// TestAPIGatewayCreateRules is the table of every documented limit and
// rule on a new deployment, each with the exact OCI error it gets, sent
// through the real DeploymentClient (polymorphic values the SDK has no type
// for are plain maps: the SDK marshals them as they are).
func TestAPIGatewayCreateRules(t *testing.T) {
	t.Parallel()
	c, _ := startAPIGW(t)
	route := func(d *apigateway.CreateDeploymentDetails, r apigateway.ApiSpecificationRoute) {
		d.Specification.Routes = []apigateway.ApiSpecificationRoute{r}
	}
	backend := func(b any) func(d *apigateway.CreateDeploymentDetails) {
		return func(d *apigateway.CreateDeploymentDetails) {
			route(d, apigateway.ApiSpecificationRoute{Path: common.String("/x"), Backend: b})
		}
	}
	routePath := func(p string) func(d *apigateway.CreateDeploymentDetails) {
		return func(d *apigateway.CreateDeploymentDetails) { route(d, apigwStockRoute(p)) }
	}
	auth := func(a apigateway.AuthenticationPolicy) func(d *apigateway.CreateDeploymentDetails) {
		return func(d *apigateway.CreateDeploymentDetails) {
			d.Specification.RequestPolicies = &apigateway.ApiSpecificationRequestPolicies{Authentication: a}
		}
	}
	jwt := func(mut func(j *apigateway.JwtAuthenticationPolicy)) apigateway.JwtAuthenticationPolicy {
		j := apigateway.JwtAuthenticationPolicy{Issuers: []string{"i"}, Audiences: []string{"a"},
			PublicKeys: apigateway.RemoteJsonWebKeySet{Uri: common.String("https://idp.example.com/jwks")}}
		mut(&j)
		return j
	}
	manyRoutes := func(n int) func(d *apigateway.CreateDeploymentDetails) {
		return func(d *apigateway.CreateDeploymentDetails) {
			d.Specification.Routes = nil
			for i := range n {
				d.Specification.Routes = append(d.Specification.Routes, apigwStockRoute("/r"+strconv.Itoa(i)))
			}
		}
	}
	const (
		bad      = http.StatusBadRequest
		invalid  = "InvalidParameter"
		missing  = "MissingParameter"
		limitErr = "LimitExceeded"
	)
	for _, tc := range []struct {
		name     string
		mutate   func(d *apigateway.CreateDeploymentDetails)
		status   int    // 0: accepted
		code     string // OCI error code
		fragment string // in the message
	}{
		// Mandatory fields (CreateDeploymentDetails, oci-api.md §1.2).
		{"no compartmentId", func(d *apigateway.CreateDeploymentDetails) { d.CompartmentId = nil }, bad, missing, "compartmentId is required"},
		{"no gatewayId", func(d *apigateway.CreateDeploymentDetails) { d.GatewayId = nil }, bad, missing, "gatewayId is required"},
		{"no pathPrefix", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = nil }, bad, missing, "pathPrefix is required"},
		{"no specification", func(d *apigateway.CreateDeploymentDetails) { d.Specification = nil }, bad, missing, "specification is required"},
		{"route without path", func(d *apigateway.CreateDeploymentDetails) { d.Specification.Routes[0].Path = nil }, bad, missing, "specification.routes[0].path is required"},
		{"route without backend", func(d *apigateway.CreateDeploymentDetails) { d.Specification.Routes[0].Backend = nil }, bad, missing, "specification.routes[0].backend is required"},
		{"backend without type", backend(map[string]any{"url": "https://x"}), bad, missing, "specification.routes[0].backend.type is required"},
		{"http backend without url", backend(apigateway.HttpBackend{}), bad, missing, "specification.routes[0].backend.url is required"},
		{"function backend without functionId", backend(apigateway.OracleFunctionBackend{}), bad, missing, "specification.routes[0].backend.functionId is required"},
		{"jwt without issuers", auth(jwt(func(j *apigateway.JwtAuthenticationPolicy) { j.Issuers = []string{} })), bad, missing, "specification.requestPolicies.authentication.issuers is required"},
		{"lock without type", func(d *apigateway.CreateDeploymentDetails) {
			d.Locks = []apigateway.AddResourceLockDetails{{Message: common.String("m")}}
		}, bad, missing, "locks[0].type is required"},

		// Referenced resources.
		{"unknown compartment", func(d *apigateway.CreateDeploymentDetails) {
			d.CompartmentId = common.String("ocid1.compartment.oc1..nope")
		}, http.StatusNotFound, "NotAuthorizedOrNotFound", "compartment ocid1.compartment.oc1..nope"},
		{"unknown gateway", func(d *apigateway.CreateDeploymentDetails) {
			d.GatewayId = common.String("ocid1.apigateway.oc1.iad.nope")
		}, http.StatusNotFound, "NotAuthorizedOrNotFound", "gateway ocid1.apigateway.oc1.iad.nope"},
		{"gateway id with odd bytes", func(d *apigateway.CreateDeploymentDetails) { d.GatewayId = common.String("../../etc/passwd") }, http.StatusNotFound, "NotAuthorizedOrNotFound", "gateway ../../etc/passwd"},
		{"tenancy as compartment", func(d *apigateway.CreateDeploymentDetails) { d.CompartmentId = common.String(c.s.Info().TenancyID) }, 0, "", ""},

		// Path prefix (oci-api.md §2.1).
		{"prefix /", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("/") }, 0, "", ""},
		{"prefix with segments", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("/test/20191122") }, 0, "", ""},
		{"prefix with every allowed character", func(d *apigateway.CreateDeploymentDetails) {
			d.PathPrefix = common.String("/aZ09$-_.+!*'(),%;:@&=")
		}, 0, "", ""},
		{"prefix of 255 characters", func(d *apigateway.CreateDeploymentDetails) {
			d.PathPrefix = common.String("/" + strings.Repeat("p", 254))
		}, 0, "", ""},
		{"prefix of 256 characters", func(d *apigateway.CreateDeploymentDetails) {
			d.PathPrefix = common.String("/" + strings.Repeat("p", 255))
		}, bad, invalid, "the limit is 255"},
		{"prefix without leading /", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("v1") }, bad, invalid, `pathPrefix "v1": must start with "/"`},
		{"empty prefix", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("") }, bad, invalid, `pathPrefix "": must start with "/"`},
		{"prefix with trailing /", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("/v1/") }, bad, invalid, `must not end with "/"`},
		{"prefix with adjacent /", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("/a//b") }, bad, invalid, `adjacent "/"`},
		{"prefix with a parameter", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("/{version}") }, bad, invalid, `character '{' is not allowed`},
		{"prefix with a space", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("/v 1") }, bad, invalid, `character ' ' is not allowed`},
		{"prefix with a query", func(d *apigateway.CreateDeploymentDetails) { d.PathPrefix = common.String("/v1?x") }, bad, invalid, `character '?' is not allowed`},

		// Route paths (oci-api.md §2.2).
		{"route with parameters", routePath("/hello/{region}/index.html"), 0, "", ""},
		{"route with a wildcard parameter", routePath("/{path*}"), 0, "", ""},
		{"route of 2000 characters", routePath("/" + strings.Repeat("r", 1999)), 0, "", ""},
		{"route of 2001 characters", routePath("/" + strings.Repeat("r", 2000)), bad, invalid, "the limit is 2000"},
		{"route without leading /", routePath("hello"), bad, invalid, `specification.routes[0].path "hello": must start with "/"`},
		{"route parameter with a dash", routePath("/{a-b}"), bad, invalid, `segment "{a-b}" is not a path parameter`},
		{"route parameter with a space", routePath("/{a b}"), bad, invalid, `segment "{a b}"`},
		{"route parameter inside a segment", routePath("/x{y}"), bad, invalid, `segment "x{y}"`},
		{"empty route parameter", routePath("/{}"), bad, invalid, `segment "{}"`},
		{"unclosed route parameter", routePath("/{a"), bad, invalid, `segment "{a"`},

		// Limits (oci-api.md §2.3).
		{"50 routes", manyRoutes(50), 0, "", ""},
		{"51 routes", manyRoutes(51), bad, limitErr, "specification.routes has 51 routes; a deployment has at most 50"},

		// Discriminators the SDK does not know, at any depth.
		{"unknown backend type", backend(map[string]any{"type": "NOPE"}), bad, invalid, `specification.routes[0].backend.type "NOPE" is not a supported value; use one of`},
		{"unknown authentication type", auth(apigwOddAuth{"type": "NOPE"}), bad, invalid, `specification.requestPolicies.authentication.type "NOPE"`},
		{"unknown public key set type", auth(jwt(func(j *apigateway.JwtAuthenticationPolicy) { j.PublicKeys = map[string]any{"type": "NOPE"} })), bad, invalid,
			`specification.requestPolicies.authentication.publicKeys.type "NOPE"`},
		{"unknown static key format", auth(jwt(func(j *apigateway.JwtAuthenticationPolicy) {
			j.PublicKeys = apigateway.StaticPublicKeySet{Keys: []apigateway.StaticPublicKey{apigateway.PemEncodedPublicKey{Kid: common.String("k"), Key: common.String("p")}, apigwOddKey{"format": "DER", "kid": "k"}}}
		})), bad, invalid, `specification.requestPolicies.authentication.publicKeys.keys[1].format "DER"`},
		{"unknown authorization type", func(d *apigateway.CreateDeploymentDetails) {
			d.Specification.Routes[0].RequestPolicies = &apigateway.ApiSpecificationRouteRequestPolicies{Authorization: map[string]any{"type": "EVERYONE"}}
		}, bad, invalid, `specification.routes[0].requestPolicies.authorization.type "EVERYONE"`},
		{"unknown content validation", func(d *apigateway.CreateDeploymentDetails) {
			d.Specification.Routes[0].RequestPolicies = &apigateway.ApiSpecificationRouteRequestPolicies{BodyValidation: &apigateway.BodyValidationRequestPolicy{
				Content: map[string]apigateway.ContentValidation{"application/json": map[string]any{"validationType": "SCHEMA"}}}}
		}, bad, invalid, `specification.routes[0].requestPolicies.bodyValidation.content["application/json"].validationType "SCHEMA"`},
		{"unknown backend inside a dynamic backend", backend(apigateway.DynamicRoutingBackend{
			SelectionSource: apigateway.SingleSelectionSourcePolicy{Selector: common.String("request.query[v]")},
			RoutingBackends: []apigateway.DynamicRoutingTypeRoutingBackend{{Key: apigateway.AnyOfSelectionKey{Name: common.String("k")}, Backend: map[string]any{"type": "NOPE"}}},
		}), bad, invalid, `specification.routes[0].backend.routingBackends[0].backend.type "NOPE"`},

		// Enum values.
		{"unknown method", func(d *apigateway.CreateDeploymentDetails) {
			d.Specification.Routes[0].Methods = []apigateway.ApiSpecificationRouteMethodsEnum{"GET", "FETCH"}
		}, bad, invalid, `specification.routes[0].methods[1] "FETCH" is not a supported value; use one of ANY, HEAD, GET`},
		{"unknown rate key", func(d *apigateway.CreateDeploymentDetails) {
			d.Specification.RequestPolicies = &apigateway.ApiSpecificationRequestPolicies{RateLimiting: &apigateway.RateLimitingPolicy{RateInRequestsPerSecond: common.Int(1), RateKey: "NOPE"}}
		}, bad, invalid, `specification.requestPolicies.rateLimiting.rateKey "NOPE"`},
		{"rate limit without rate key", func(d *apigateway.CreateDeploymentDetails) {
			d.Specification.RequestPolicies = &apigateway.ApiSpecificationRequestPolicies{RateLimiting: &apigateway.RateLimitingPolicy{RateInRequestsPerSecond: common.Int(1)}}
		}, bad, missing, `specification.requestPolicies.rateLimiting.rateKey is required`},
		{"unknown lock type", func(d *apigateway.CreateDeploymentDetails) {
			d.Locks = []apigateway.AddResourceLockDetails{{Type: "PARTIAL"}}
		}, bad, invalid, `locks[0].type "PARTIAL"`},

		// Wrong JSON types name the field.
		{"status as a string", backend(map[string]any{"type": "STOCK_RESPONSE_BACKEND", "status": "200"}), bad, invalid, `"specification.routes.status": expected an integer, got a JSON string`},
		{"nested defined tags and a CORS policy", func(d *apigateway.CreateDeploymentDetails) {
			d.Specification = &apigateway.ApiSpecification{RequestPolicies: &apigateway.ApiSpecificationRequestPolicies{
				Cors: &apigateway.CorsPolicy{AllowedOrigins: []string{"*"}, MaxAgeInSeconds: common.Int(1)}}}
			d.FreeformTags = map[string]string{}
			d.DefinedTags = map[string]map[string]interface{}{"ns": {"k": map[string]any{"nested": true}}}
		}, 0, "", ""},

		// Rules documented on the model (oci-api.md §1.3).
		{"tokenHeader without tokenAuthScheme", auth(jwt(func(j *apigateway.JwtAuthenticationPolicy) { j.TokenHeader = common.String("Authorization") })), bad, invalid,
			"specification.requestPolicies.authentication.tokenAuthScheme is required when tokenHeader is set"},
		{"tokenHeader with tokenAuthScheme", auth(jwt(func(j *apigateway.JwtAuthenticationPolicy) {
			j.TokenHeader, j.TokenAuthScheme = common.String("Authorization"), common.String("Bearer")
		})), 0, "", ""},
		{"ANONYMOUS route of an authenticated API", func(d *apigateway.CreateDeploymentDetails) {
			auth(jwt(func(*apigateway.JwtAuthenticationPolicy) {}))(d)
			d.Specification.Routes[0].RequestPolicies = &apigateway.ApiSpecificationRouteRequestPolicies{Authorization: apigateway.AnonymousRouteAuthorizationPolicy{}}
		}, bad, invalid, "specification.routes[0].requestPolicies.authorization: ANONYMOUS needs specification.requestPolicies.authentication.isAnonymousAccessAllowed set to true"},
		{"ANONYMOUS route allowed", func(d *apigateway.CreateDeploymentDetails) {
			auth(jwt(func(j *apigateway.JwtAuthenticationPolicy) { j.IsAnonymousAccessAllowed = common.Bool(true) }))(d)
			d.Specification.Routes[0].RequestPolicies = &apigateway.ApiSpecificationRouteRequestPolicies{Authorization: apigateway.AnonymousRouteAuthorizationPolicy{}}
		}, 0, "", ""},
		{"OAUTH2 loginPath without its route", auth(apigateway.TokenAuthenticationPolicy{
			ValidationPolicy: apigateway.TokenAuthenticationRemoteJwksValidationPolicy{Uri: common.String("https://idp.example.com/jwks")},
			ValidationFailurePolicy: apigateway.OAuth2ResponseValidationFailurePolicy{ClientDetails: apigateway.ValidationBlockClientAppDetails{},
				SourceUriDetails: apigateway.ValidationBlockSourceUriDetails{}, Scopes: []string{"openid"}, ResponseType: "CODE", LoginPath: common.String("/login")},
		}), bad, invalid, `validationFailurePolicy.loginPath "/login" must be the path of a route whose backend is OAUTH2_LOGIN_BACKEND`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := c.createDetails("/rules-" + strconv.Itoa(int(time.Now().UnixNano()%1e9)) + "-" + strconv.Itoa(len(tc.name)))
			if tc.status == 0 {
				d.PathPrefix = common.String("/ok" + strings.NewReplacer(" ", "-", "/", "-").Replace(tc.name))
			}
			tc.mutate(&d)
			if tc.status == 0 && d.GatewayId != nil {
				d.GatewayId = common.String(c.addGateway()) // a gateway each: 20 deployments per gateway
			}
			resp, err := c.dep.CreateDeployment(context.Background(), apigateway.CreateDeploymentRequest{CreateDeploymentDetails: d})
			if tc.status == 0 {
				require.NoError(t, err)
				require.NotNil(t, resp.Id)
				return
			}
			requireServiceError(t, err, tc.status, tc.code, tc.fragment)
		})
	}
}

func TestAPIGatewayGatewayRules(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	create := func(prefix string) error {
		_, err := c.dep.CreateDeployment(ctx, apigateway.CreateDeploymentRequest{CreateDeploymentDetails: c.createDetails(prefix)})
		return err
	}
	require.NoError(t, create("/v1"))
	requireServiceError(t, create("/v1"), http.StatusConflict, "Conflict", `pathPrefix "/v1" is already used by deployment`)
	other := c.createDetails("/v1")
	other.GatewayId = common.String(c.addGateway())
	c.create(t, other) // the same prefix on another gateway is fine

	for i := 2; i <= 20; i++ {
		require.NoError(t, create("/v"+strconv.Itoa(i)))
	}
	requireServiceError(t, create("/v21"), http.StatusBadRequest, "LimitExceeded", "already has 20 API deployments")

	// Deleted deployments give their place back.
	clock.add(100 * time.Millisecond)
	list, err := c.dep.ListDeployments(ctx, apigateway.ListDeploymentsRequest{CompartmentId: common.String(c.s.Info().CompartmentID),
		GatewayId: common.String(c.s.Info().GatewayID), Limit: common.Int(1)})
	require.NoError(t, err)
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: list.Items[0].Id})
	require.NoError(t, err)
	requireServiceError(t, create("/v21"), http.StatusBadRequest, "LimitExceeded", "already has 20 API deployments")
	clock.add(100 * time.Millisecond)
	require.NoError(t, create("/v21"))

	// A gateway that is not ACTIVE takes no deployments.
	c.locked(func(a *apigwState) {
		a.gateways[a.seededGatewayID()].LifecycleState = apigateway.GatewayLifecycleStateUpdating
	})
	requireServiceError(t, create("/v22"), http.StatusConflict, "IncorrectState", "is UPDATING")
}

// TestAPIGatewaySpecificationSize: a body over 2 MB is refused before it
// is read (413), and a specification over 2 MB of JSON is LimitExceeded.
func TestAPIGatewaySpecificationSize(t *testing.T) {
	t.Parallel()
	c, _ := startAPIGW(t)
	d := c.createDetails("/big")
	d.Specification.Routes[0].Backend = apigateway.StockResponseBackend{Status: common.Int(200), Body: common.String(strings.Repeat("b", 2<<20))}
	_, err := c.dep.CreateDeployment(context.Background(), apigateway.CreateDeploymentRequest{CreateDeploymentDetails: d})
	requireServiceError(t, err, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "larger than 2097152 bytes")

	spec := &apigateway.ApiSpecification{}
	require.Nil(t, apigwCheckSpec(spec, make([]byte, apigwMaxSpecBytes)))
	aerr := apigwCheckSpec(spec, make([]byte, apigwMaxSpecBytes+1))
	require.Equal(t, &apiError{Status: http.StatusBadRequest, Code: "LimitExceeded",
		Message: "specification is 2097153 bytes of JSON; the limit is 2097152 bytes (2 MB)"}, aerr)
}

// TestAPIGatewayMalformedRequests covers what the SDK's typed model cannot
// send: bad JSON, wrong types, bad query parameters, odd ids and routes.
func TestAPIGatewayMalformedRequests(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	info := c.s.Info()
	live := c.createActive(t, clock, c.createDetails("/live"))
	valid := `{"compartmentId":"` + info.CompartmentID + `","gatewayId":"` + info.GatewayID + `","pathPrefix":"/raw","specification":{"routes":[{"path":"/a","backend":{"type":"HTTP_BACKEND","url":"https://x"}}]}}`
	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code, fragment           string
	}{
		{"valid raw create", "POST", "/20190501/deployments", valid, nil, 200, "", ""},
		{"empty body", "POST", "/20190501/deployments", "", nil, 400, "InvalidParameter", "the request body is empty"},
		{"bad JSON", "POST", "/20190501/deployments", `{"compartmentId":`, nil, 400, "InvalidParameter", "not valid JSON"},
		{"trailing garbage", "POST", "/20190501/deployments", valid + "x", nil, 400, "InvalidParameter", "not valid JSON"},
		{"array body", "POST", "/20190501/deployments", `[]`, nil, 400, "InvalidParameter", "the request body: expected an object, got a JSON array"},
		{"null body", "POST", "/20190501/deployments", `null`, nil, 400, "MissingParameter", "gatewayId is required"},
		{"gatewayId as a number", "POST", "/20190501/deployments", `{"gatewayId":5}`, nil, 400, "InvalidParameter", `field "gatewayId": expected a string, got a JSON number`},
		{"routes as an object", "POST", "/20190501/deployments", `{"specification":{"routes":{}}}`, nil, 400, "InvalidParameter", `"specification.routes": expected an array, got a JSON object`},
		{"tags with a number", "POST", "/20190501/deployments", `{"freeformTags":{"a":1}}`, nil, 400, "InvalidParameter", `"freeformTags": expected a string`},
		{"discriminator as a number", "POST", "/20190501/deployments", `{"specification":{"routes":[{"path":"/a","backend":{"type":5}}]}}`, nil, 400, "InvalidParameter", `"specification.routes.backend.type": expected a string`},
		{"null route", "POST", "/20190501/deployments", strings.Replace(valid, `"routes":[`, `"routes":[null,`, 1), nil, 400, "MissingParameter", "specification.routes[0].path is required"},
		{"update with bad JSON", "PUT", "/20190501/deployments/" + *live.Id, `{`, nil, 400, "InvalidParameter", "not valid JSON"},
		{"update with an unknown backend", "PUT", "/20190501/deployments/" + *live.Id, `{"specification":{"routes":[{"path":"/a","backend":{"type":"NOPE"}}]}}`, nil, 400, "InvalidParameter", `specification.routes[0].backend.type "NOPE"`},
		{"update with a bad route path", "PUT", "/20190501/deployments/" + *live.Id, `{"specification":{"routes":[{"path":"a","backend":{"type":"OAUTH2_LOGIN_BACKEND"}}]}}`, nil, 400, "InvalidParameter", `must start with "/"`},
		{"list without compartmentId", "GET", "/20190501/deployments", "", nil, 400, "MissingParameter", "compartmentId is required"},
		{"list with a bad state", "GET", "/20190501/deployments?compartmentId=" + info.CompartmentID + "&lifecycleState=active", "", nil, 400, "InvalidParameter", `lifecycleState "active" must be one of CREATING`},
		{"list with a bad sortBy", "GET", "/20190501/deployments?compartmentId=" + info.CompartmentID + "&sortBy=name", "", nil, 400, "InvalidParameter", `sortBy "name"`},
		{"list with a bad sortOrder", "GET", "/20190501/deployments?compartmentId=" + info.CompartmentID + "&sortOrder=up", "", nil, 400, "InvalidParameter", `sortOrder "up"`},
		{"list with a bad limit", "GET", "/20190501/deployments?compartmentId=" + info.CompartmentID + "&limit=0", "", nil, 400, "InvalidParameter", `limit "0"`},
		{"list with a forged page", "GET", "/20190501/deployments?compartmentId=" + info.CompartmentID + "&page=99", "", nil, 400, "InvalidParameter", `page "99"`},
		{"work requests without compartmentId", "GET", "/20190501/workRequests", "", nil, 400, "MissingParameter", "compartmentId is required"},
		{"work requests with a bad sortBy", "GET", "/20190501/workRequests?compartmentId=" + info.CompartmentID + "&sortBy=x", "", nil, 400, "InvalidParameter", `sortBy "x"`},
		{"logs of an id that is no work request", "GET", "/20190501/workRequests/" + *live.Id + "/logs?sortBy=x", "", nil, 404, "NotAuthorizedOrNotFound", "work request"},
		{"bad isLockOverride", "DELETE", "/20190501/deployments/" + *live.Id + "?isLockOverride=maybe", "", nil, 400, "InvalidParameter", `isLockOverride "maybe"`},
		{"unknown deployment", "GET", "/20190501/deployments/ocid1.apideployment.oc1.iad.nope", "", nil, 404, "NotAuthorizedOrNotFound", "deployment ocid1.apideployment.oc1.iad.nope not found"},
		{"path traversal in a deployment id", "GET", "/20190501/deployments/..%2F..%2Fetc%2Fpasswd", "", nil, 404, "NotAuthorizedOrNotFound", ""},
		{"dots in a deployment id", "DELETE", "/20190501/deployments/ocid1..x", "", nil, 404, "NotAuthorizedOrNotFound", ""},
		{"path traversal in a work request id", "GET", "/20190501/workRequests/..%2Fx/errors", "", nil, 404, "NotAuthorizedOrNotFound", ""},
		{"unknown method on deployments", "PATCH", "/20190501/deployments/" + *live.Id, "{}", nil, 404, "NotAuthorizedOrNotFound", "PATCH"},
		{"unknown action", "POST", "/20190501/deployments/" + *live.Id + "/actions/changeCompartment", "{}", nil, 404, "NotAuthorizedOrNotFound", "not an operation"},
		{"another API version", "GET", "/20180101/deployments/" + *live.Id, "", nil, 404, "NotAuthorizedOrNotFound", "not an operation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			got := c.raw(t, tc.method, tc.path, body, tc.header)
			require.Equal(t, tc.status, got.Status, "%s", got.Body)
			require.NotEmpty(t, got.Header.Get("opc-request-id"))
			if tc.status >= 400 {
				require.Equal(t, tc.code, got.Code, "%s", got.Body)
				require.Contains(t, got.Message, tc.fragment)
			}
		})
	}
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, c.get(t, *live.Id).LifecycleState, "no refused request changed it")
}
