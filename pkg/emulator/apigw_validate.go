package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
)

// apigwDecode decodes a create or update body into the SDK's own model
// (whose UnmarshalJSON resolves the discriminators), then checks and
// normalises it as a whole: mandatory fields, discriminators the SDK does
// not know, enum values (see apigwWalk).
func apigwDecode(body []byte, v any) *apiError {
	if err := decodeJSON(body, v); err != nil {
		return err
	}
	return apigwWalkModel(v)
}

// apigwRawSpec returns the specification of a request body as sent (nil
// when absent): its size is what the 2 MB limit is about.
func apigwRawSpec(body []byte) []byte {
	var raw struct {
		Specification json.RawMessage `json:"specification"`
	}
	_ = json.Unmarshal(body, &raw) // the body has already been decoded once
	if string(raw.Specification) == "null" {
		return nil
	}
	return raw.Specification
}

// checkCreate applies the rules of a new deployment, in this order:
// compartment and gateway exist (404) and the gateway is ACTIVE (409
// IncorrectState); path prefix rules (400); specification rules (400);
// deployments per gateway (400 LimitExceeded); a path prefix unique on its
// gateway (409 Conflict).
func (a *apigwState) checkCreate(in *apigateway.CreateDeploymentDetails, body []byte) *apiError {
	comp := *in.CompartmentId
	// (Not validID: tenancy-level OCIDs have an empty region, "oc1..".)
	if !(a.st.iam != nil && a.st.iam.knownCompartment(comp)) && comp != a.st.compartmentID && comp != a.st.tenancyID { //nolint:staticcheck // reads as the rule
		return errNotFound("compartment", comp)
	}
	gid := *in.GatewayId
	g, ok := a.gateways[gid]
	if !validID(gid) || !ok {
		return errNotFound("gateway", gid)
	}
	if g.LifecycleState != apigateway.GatewayLifecycleStateActive {
		return errConflict(codeIncorrectState, "gateway %s is %s; deployments can be created only on an ACTIVE gateway", gid, g.LifecycleState)
	}
	prefix := *in.PathPrefix
	if err := apigwCheckPathPrefix(prefix); err != nil {
		return err
	}
	if err := apigwCheckSpec(in.Specification, apigwRawSpec(body)); err != nil {
		return err
	}
	alive := 0
	for _, x := range a.deployments {
		if !x.alive() || *x.d.GatewayId != gid {
			continue
		}
		alive++
		if *x.d.PathPrefix == prefix {
			return errConflict(codeConflict, "pathPrefix %q is already used by deployment %s on gateway %s; a path prefix is unique on its gateway", prefix, *x.d.Id, gid)
		}
	}
	if alive >= apigwMaxDeploymentsPerGateway {
		return &apiError{Status: http.StatusBadRequest, Code: codeLimitExceeded,
			Message: fmt.Sprintf("gatewayId: gateway %s already has %d API deployments, the limit per gateway (not adjustable); delete one first", gid, alive)}
	}
	return nil
}

// apigwCheckUpdate applies the specification rules to an update that
// replaces the specification.
func apigwCheckUpdate(in *apigateway.UpdateDeploymentDetails, body []byte) *apiError {
	if in.Specification == nil {
		return nil
	}
	return apigwCheckSpec(in.Specification, apigwRawSpec(body))
}

// apigwCheckPathPrefix applies oci-api.md §2.1: it starts with "/" (and
// may be just "/"), has no adjacent "/", does not end with "/", is made of
// letters, digits and $ - _ . + ! * ' ( ) , % ; : @ & =, and is at most 255
// characters long.
func apigwCheckPathPrefix(p string) *apiError {
	bad := func(format string, args ...any) *apiError {
		return errBadRequest("pathPrefix %q: "+format, append([]any{p}, args...)...)
	}
	switch {
	case len(p) > 255:
		return bad("is %d characters long; the limit is 255", len(p))
	case !strings.HasPrefix(p, "/"):
		return bad("must start with \"/\"")
	case p == "/":
		return nil
	case strings.Contains(p, "//"):
		return bad("must not contain adjacent \"/\"")
	case strings.HasSuffix(p, "/"):
		return bad("must not end with \"/\"")
	}
	for _, r := range p {
		if !apigwPrefixChar(r) {
			return bad("character %q is not allowed; use letters, digits and $ - _ . + ! * ' ( ) , %% ; : @ & = (no parameters or wildcards)", r)
		}
	}
	return nil
}

func apigwPrefixChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/$-_.+!*'(),%;:@&=", r)
}

// apigwCheckRoutePath applies oci-api.md §2.2: at most 2,000 characters;
// a segment with braces is one path parameter, "{name}" or "{name*}", whose
// name has only letters, digits and "_". The emulator also requires the
// leading "/" every documented example has (the path follows the prefix).
func apigwCheckRoutePath(field, p string) *apiError {
	bad := func(format string, args ...any) *apiError {
		return errBadRequest("%s %q: "+format, append([]any{field, p}, args...)...)
	}
	if len(p) > 2000 {
		return bad("is %d characters long; the limit is 2000", len(p))
	}
	if !strings.HasPrefix(p, "/") {
		return bad("must start with \"/\"")
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if !strings.ContainsAny(seg, "{}") {
			continue
		}
		name, ok := strings.CutPrefix(seg, "{")
		if ok {
			name, ok = strings.CutSuffix(name, "}")
		}
		name = strings.TrimSuffix(name, "*")
		if !ok || name == "" || strings.IndexFunc(name, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') //nolint:staticcheck // readable
		}) >= 0 {
			return bad("segment %q is not a path parameter: write {name} or {name*}, the name made of letters, digits and _", seg)
		}
	}
	return nil
}

// apigwCheckSpec applies the specification limits (oci-api.md §2.3) and
// the rules the SDK model documents (§1.3).
func apigwCheckSpec(spec *apigateway.ApiSpecification, raw []byte) *apiError {
	if len(raw) > apigwMaxSpecBytes {
		return &apiError{Status: http.StatusBadRequest, Code: codeLimitExceeded,
			Message: fmt.Sprintf("specification is %d bytes of JSON; the limit is %d bytes (2 MB)", len(raw), apigwMaxSpecBytes)}
	}
	if n := len(spec.Routes); n > apigwMaxRoutes {
		return &apiError{Status: http.StatusBadRequest, Code: codeLimitExceeded,
			Message: fmt.Sprintf("specification.routes has %d routes; a deployment has at most %d", n, apigwMaxRoutes)}
	}
	loginRoutes := map[string]bool{}
	for i, r := range spec.Routes {
		if err := apigwCheckRoutePath(fmt.Sprintf("specification.routes[%d].path", i), *r.Path); err != nil {
			return err
		}
		if _, ok := r.Backend.(apigateway.OAuth2LoginBackend); ok {
			loginRoutes[*r.Path] = true
		}
	}
	var auth apigateway.AuthenticationPolicy
	if spec.RequestPolicies != nil {
		auth = spec.RequestPolicies.Authentication
	}
	if err := apigwCheckAuthentication(auth, loginRoutes); err != nil {
		return err
	}
	for i, r := range spec.Routes {
		if r.RequestPolicies == nil {
			continue
		}
		if _, anon := r.RequestPolicies.Authorization.(apigateway.AnonymousRouteAuthorizationPolicy); anon && auth != nil {
			if allowed := auth.GetIsAnonymousAccessAllowed(); allowed == nil || !*allowed {
				return errBadRequest("specification.routes[%d].requestPolicies.authorization: ANONYMOUS needs specification.requestPolicies.authentication.isAnonymousAccessAllowed set to true", i)
			}
		}
	}
	return nil
}

// apigwCheckAuthentication applies the rules the SDK documents on the
// authentication policies: tokenAuthScheme is required with tokenHeader,
// and an OAUTH2 validation failure policy's loginPath names a route that
// uses the OAUTH2_LOGIN_BACKEND.
func apigwCheckAuthentication(auth apigateway.AuthenticationPolicy, loginRoutes map[string]bool) *apiError {
	const field = "specification.requestPolicies.authentication"
	var header, scheme *string
	var failure apigateway.ValidationFailurePolicy
	switch p := auth.(type) {
	case apigateway.JwtAuthenticationPolicy:
		header, scheme = p.TokenHeader, p.TokenAuthScheme
	case apigateway.TokenAuthenticationPolicy:
		header, scheme, failure = p.TokenHeader, p.TokenAuthScheme, p.ValidationFailurePolicy
	case apigateway.CustomAuthenticationPolicy:
		failure = p.ValidationFailurePolicy
	}
	if header != nil && *header != "" && (scheme == nil || *scheme == "") {
		return errBadRequest("%s.tokenAuthScheme is required when tokenHeader is set", field)
	}
	if o, ok := failure.(apigateway.OAuth2ResponseValidationFailurePolicy); ok && o.LoginPath != nil && !loginRoutes[*o.LoginPath] {
		return errBadRequest("%s.validationFailurePolicy.loginPath %q must be the path of a route whose backend is OAUTH2_LOGIN_BACKEND", field, *o.LoginPath)
	}
	return nil
}
