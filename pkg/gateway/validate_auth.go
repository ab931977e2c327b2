package gateway

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

func (v *validator) requestPolicies(rp RequestPolicies, p string) {
	v.authentication(rp.Authentication, join(p, "authentication"))
	if r := rp.RateLimiting; r != (RateLimiting{}) {
		rl := join(p, "rate_limiting")
		if r.RateInRequestsPerSecond < 1 {
			v.err(join(rl, "rate_in_requests_per_second"), "set the requests per second allowed, such as 100",
				"rate_in_requests_per_second must be at least 1, found %d", r.RateInRequestsPerSecond)
		}
		v.required(r.RateKey == "", join(rl, "rate_key"), "add rate_key: CLIENT_IP (per caller) or TOTAL")
	}
	v.cors(rp.CORS, join(p, "cors"))
	if m := rp.MutualTLS; len(m.AllowedSANs) > 0 && !m.IsVerifiedCertificateRequired {
		v.warn(join(p, "mutual_tls.allowed_sans"), "set is_verified_certificate_required: true",
			"allowed_sans has no effect unless is_verified_certificate_required is true")
	}
	if u := rp.UsagePlans; !isZero(u) {
		up := join(p, "usage_plans.token_locations")
		v.required(len(u.TokenLocations) == 0, up, "add where tokens are, such as request.headers[x-api-key]")
		for i, loc := range u.TokenLocations {
			lp := fmt.Sprintf("%s[%d]", up, i)
			cv, ok := v.variable(loc, lp, varContext{})
			if ok && !slices.Contains([]ContextTable{TableHeaders, TableQuery, TableAuth, TablePath}, cv.Table) {
				v.err(lp, "use request.headers, request.query, request.auth or request.path", "tokens cannot be read from %s", cv.Table)
			}
		}
	}
	v.dynamicAuthentication(rp.DynamicAuthentication, join(p, "dynamic_authentication"))
}

func (v *validator) dynamicAuthentication(d DynamicAuthentication, p string) {
	if isZero(d) {
		return
	}
	v.selectionSource(d.SelectionSource, join(p, "selection_source"), varContext{})
	sp := join(p, "authentication_servers")
	if v.required(len(d.AuthenticationServers) == 0, sp, "add at least one authentication server") {
		keys := make([]SelectionKey, len(d.AuthenticationServers))
		for i, s := range d.AuthenticationServers {
			keys[i] = s.Key
			ap := fmt.Sprintf("%s[%d].authentication_server_detail", sp, i)
			if v.required(s.AuthenticationServerDetail.Type == "", join(ap, "type"), "add the server's authentication policy") {
				v.authentication(s.AuthenticationServerDetail, ap)
			}
		}
		v.selectionKeys(keys, sp)
	}
}

func (v *validator) selectionSource(s SelectionSource, p string, c varContext) {
	if v.required(s.Type == "", join(p, "type"), "add type: SINGLE") &&
		v.required(s.Selector == "", join(p, "selector"), "name the context variable that selects, such as request.headers[x-tenant]") {
		v.variable(s.Selector, join(p, "selector"), c)
	}
}

// selectionKeys checks the keys of dynamic routing or authentication
// branches at p[i].key.
func (v *validator) selectionKeys(keys []SelectionKey, p string) {
	names := map[string]int{}
	defaults := 0
	for i, k := range keys {
		kp := fmt.Sprintf("%s[%d].key", p, i)
		if !v.required(k.Type == "", join(kp, "type"), "add type: ANY_OF or WILDCARD") {
			continue
		}
		if v.required(k.Name == "", join(kp, "name"), "name the branch") {
			if j, dup := names[k.Name]; dup {
				v.err(join(kp, "name"), "give every branch its own name", "name %q is also used by %s[%d]", k.Name, p, j)
			}
			names[k.Name] = i
		}
		if k.IsDefault {
			if defaults++; defaults == 2 {
				v.err(join(kp, "is_default"), "keep one default branch", "more than one branch is the default")
			}
		}
		switch k.Type {
		case AnyOfKey:
			if len(k.Values) == 0 && !k.IsDefault {
				v.err(join(kp, "values"), "list the selector values that choose this branch", "values is required")
			}
		case WildcardKey:
			if err := checkWildcard(k.Expression); err != nil {
				v.err(join(kp, "expression"), "write one * or + at the start or the end, such as *.example.com", "expression %q: %v", k.Expression, err)
			}
		}
	}
}

func checkWildcard(e string) error {
	if e == "" {
		return fmt.Errorf("it is required")
	}
	n := strings.Count(e, "*") + strings.Count(e, "+")
	switch {
	case n != 1:
		return fmt.Errorf("it has %d wildcards; exactly one is allowed", n)
	case !strings.ContainsAny(e[:1], "*+") && !strings.ContainsAny(e[len(e)-1:], "*+"):
		return fmt.Errorf("the wildcard must be at the start or the end")
	}
	return nil
}

func (v *validator) authentication(a Authentication, p string) {
	switch a.Type {
	case JWTAuthentication:
		v.jwt(a, p)
		v.tokenLocation(a, p, true)
	case TokenAuthentication:
		v.tokenValidation(a.ValidationPolicy, join(p, "validation_policy"))
		v.tokenLocation(a, p, true)
		v.validationFailure(a.ValidationFailurePolicy, join(p, "validation_failure_policy"), a.ValidationPolicy.Type)
	case CustomAuthentication:
		v.functionRef(a.Function, a.FunctionID, p, "the authorizer function")
		if a.TokenHeader == "" && a.TokenQueryParam == "" && len(a.Parameters) == 0 {
			v.err(join(p, "token_header"), "set token_header or token_query_param, or pass parameters",
				"the authorizer gets nothing from the request")
		}
		v.tokenLocation(a, p, false)
		v.atMost(len(a.Parameters), maxAuthorizerArgs, join(p, "parameters"), "parameters")
		for _, k := range sortedKeys(a.Parameters) {
			v.variable(a.Parameters[k], join(p, "parameters")+"["+k+"]", varContext{allowBody: true})
		}
		for i, k := range a.CacheKey {
			if _, ok := a.Parameters[k]; !ok {
				v.err(fmt.Sprintf("%s.cache_key[%d]", p, i), "list keys of parameters only", "cache_key %q is not a key of parameters", k)
			}
		}
		if a.ValidationFailurePolicy.Type == OAuth2Failure {
			v.err(join(p, "validation_failure_policy.type"), "use MODIFY_RESPONSE",
				"OAUTH2 failure policies need TOKEN_AUTHENTICATION with REMOTE_DISCOVERY")
		} else {
			v.validationFailure(a.ValidationFailurePolicy, join(p, "validation_failure_policy"), "")
		}
	}
	if a.MaxClockSkewInSeconds < 0 || a.MaxClockSkewInSeconds > maxClockSkew {
		v.err(join(p, "max_clock_skew_in_seconds"), "use 0 to 120 seconds",
			"max_clock_skew_in_seconds is %g; OCI allows 0 to %d", a.MaxClockSkewInSeconds, maxClockSkew)
	}
}

// tokenLocation checks where the token is read from.
func (v *validator) tokenLocation(a Authentication, p string, needScheme bool) {
	switch {
	case a.TokenHeader != "" && a.TokenQueryParam != "":
		v.err(join(p, "token_query_param"), "keep token_header or token_query_param, not both",
			"the token is read from one place: token_header %q or token_query_param %q", a.TokenHeader, a.TokenQueryParam)
	case needScheme && a.TokenHeader == "" && a.TokenQueryParam == "":
		v.err(join(p, "token_header"), "add token_header: Authorization and token_auth_scheme: Bearer",
			"say where the token is: token_header or token_query_param")
	case needScheme && a.TokenHeader != "" && a.TokenAuthScheme == "":
		v.err(join(p, "token_auth_scheme"), "add token_auth_scheme: Bearer",
			"token_auth_scheme is required with token_header")
	}
	if a.TokenHeader != "" && !isToken(a.TokenHeader) {
		v.err(join(p, "token_header"), "use a header name: letters, digits and -", "%q is not a header name", a.TokenHeader)
	}
}

func (v *validator) jwt(a Authentication, p string) {
	for _, f := range []struct {
		name, claim string
		vals        []string
		limit       int
	}{{"issuers", "iss", a.Issuers, maxIssuers}, {"audiences", "aud", a.Audiences, maxAudiences}} {
		fp := join(p, f.name)
		if len(f.vals) == 0 {
			fix := fmt.Sprintf("add %s: [...] (or a verify_claims entry for %s with values, which osa reads)", f.name, f.claim)
			v.err(fp, fix, "%s is required", f.name)
		}
		v.atMost(len(f.vals), f.limit, fp, f.name)
		for i, s := range f.vals {
			if s == "" {
				v.err(fmt.Sprintf("%s[%d]", fp, i), "remove the empty entry", "%s[%d] is empty", f.name, i)
			}
		}
	}
	v.claims(a.VerifyClaims, join(p, "verify_claims"))
	kp := join(p, "public_keys")
	k := a.PublicKeys
	if !v.required(k.Type == "", join(kp, "type"), "add public_keys with type REMOTE_JWKS (and uri) or STATIC_KEYS (and keys)") {
		return
	}
	switch k.Type {
	case RemoteJWKS:
		v.httpURL(k.URI, join(kp, "uri"), "the JWKS URL, such as https://idp.example.com/.well-known/jwks.json")
	case StaticKeys:
		v.staticKeys(k.Keys, join(kp, "keys"))
	}
	if k.MaxCacheDurationInHours < 0 {
		v.err(join(kp, "max_cache_duration_in_hours"), "use a positive number of hours", "max_cache_duration_in_hours is negative")
	}
}

func (v *validator) claims(cs []Claim, p string) {
	v.atMost(len(cs), maxVerifyClaims, p, "verify_claims")
	seen := map[string]int{}
	for i, c := range cs {
		cp := fmt.Sprintf("%s[%d]", p, i)
		if !v.required(c.Key == "", join(cp, "key"), "name the claim, such as scope") {
			continue
		}
		if j, dup := seen[c.Key]; dup {
			v.warn(join(cp, "key"), "merge the two entries", "claim %q is also checked by %s[%d]", c.Key, p, j)
			continue
		}
		seen[c.Key] = i
	}
}

func (v *validator) staticKeys(keys []StaticKey, p string) {
	if !v.required(len(keys) == 0, p, "add at least one key") {
		return
	}
	kids := map[string]int{}
	for i, k := range keys {
		kp := fmt.Sprintf("%s[%d]", p, i)
		if v.required(k.Kid == "", join(kp, "kid"), "add the key id that tokens name in their header") {
			if j, dup := kids[k.Kid]; dup {
				v.err(join(kp, "kid"), "give every key its own kid", "kid %q is also used by %s[%d]", k.Kid, p, j)
			}
			kids[k.Kid] = i
		}
		var bits int
		var err error
		switch k.Format {
		case "":
			continue
		case JSONWebKey:
			if !v.required(k.Kty == "", join(kp, "kty"), "add kty: RSA") ||
				!v.required(k.N == "", join(kp, "n"), "add the key's modulus, base64url") ||
				!v.required(k.E == "", join(kp, "e"), "add the key's exponent, base64url (usually AQAB)") {
				continue
			}
			if k.Alg != "" && !slices.Contains([]string{"RS256", "RS384", "RS512"}, k.Alg) {
				v.err(join(kp, "alg"), "use RS256, RS384 or RS512", "alg %q: API Gateway verifies RS256, RS384 and RS512 only", k.Alg)
			}
			bits, err = jwkBits(k.N, k.E)
			if err != nil {
				v.err(join(kp, "n"), "paste the key's n and e exactly as the JWKS gives them", "the key is not usable: %v", err)
				continue
			}
		case PEMKey:
			if !v.required(k.Key == "", join(kp, "key"), "paste the PEM public key") {
				continue
			}
			if bits, err = pemBits(k.Key); err != nil {
				v.err(join(kp, "key"), "paste an RSA public key: -----BEGIN PUBLIC KEY----- ...", "the key is not usable: %v", err)
				continue
			}
		default:
			continue
		}
		switch {
		case bits < minKeyBits:
			v.err(kp, "use an RSA key of 2048 to 4096 bits", "the key has %d bits; API Gateway needs 2048 to 4096", bits)
		case bits > maxKeyBits:
			v.err(kp, "use an RSA key of 2048 to 4096 bits", "the key has %d bits; API Gateway accepts at most 4096", bits)
		}
	}
}

func (v *validator) tokenValidation(t TokenValidation, p string) {
	if !v.required(t.Type == "", join(p, "type"), "add validation_policy with type STATIC_KEYS, REMOTE_JWKS or REMOTE_DISCOVERY") {
		return
	}
	switch t.Type {
	case TokenStaticKeys:
		v.staticKeys(t.Keys, join(p, "keys"))
	case TokenRemoteJWKS:
		v.httpURL(t.URI, join(p, "uri"), "the JWKS URL")
	case TokenRemoteDiscovery:
		v.clientDetails(t.ClientDetails, join(p, "client_details"))
		v.sourceURI(t.SourceURIDetails, join(p, "source_uri_details"))
	}
	ap := join(p, "additional_validation_policy")
	v.atMost(len(t.AdditionalValidationPolicy.Issuers), maxIssuers, join(ap, "issuers"), "issuers")
	v.atMost(len(t.AdditionalValidationPolicy.Audiences), maxAudiences, join(ap, "audiences"), "audiences")
	v.claims(t.AdditionalValidationPolicy.VerifyClaims, join(ap, "verify_claims"))
	if t.MaxCacheDurationInHours < 0 {
		v.err(join(p, "max_cache_duration_in_hours"), "use a positive number of hours", "max_cache_duration_in_hours is negative")
	}
}

func (v *validator) clientDetails(c ClientDetails, p string) {
	if !v.required(c.Type == "", join(p, "type"), "add client_details with type CUSTOM or VALIDATION_BLOCK") || c.Type != CustomClient {
		return
	}
	v.required(c.ClientID == "", join(p, "client_id"), "add the OAuth2 client id")
	if v.required(c.ClientSecretID == "", join(p, "client_secret_id"), "add the OCID of the Vault secret holding the client secret") &&
		!strings.HasPrefix(c.ClientSecretID, "ocid1.vaultsecret.") {
		v.err(join(p, "client_secret_id"), "use the OCID of an OCI Vault secret (ocid1.vaultsecret....)", "%q is not a Vault secret OCID", c.ClientSecretID)
	}
	if c.ClientSecretVersionNumber < 1 {
		v.err(join(p, "client_secret_version_number"), "give the secret's version number, 1 or more", "client_secret_version_number is required")
	}
}

func (v *validator) sourceURI(s SourceURIDetails, p string) {
	if v.required(s.Type == "", join(p, "type"), "add source_uri_details with type DISCOVERY_URI or VALIDATION_BLOCK") && s.Type == DiscoveryURI {
		v.httpURL(s.URI, join(p, "uri"), "the discovery document URL")
	}
}

func (v *validator) validationFailure(f ValidationFailure, p string, validation TokenValidationType) {
	switch f.Type {
	case ModifyResponse:
		if c := f.ResponseCode; c != "" {
			if strings.Contains(c, "${") {
				v.template(c, join(p, "response_code"), varContext{})
			} else if !isStatus(c) {
				v.err(join(p, "response_code"), "use an HTTP status such as 401", "response_code %q is not an HTTP status", c)
			}
		}
		v.template(f.ResponseMessage, join(p, "response_message"), varContext{})
		v.headerTransformations(f.ResponseHeaderTransformations, join(p, "response_header_transformations"), routeInfo{}, toClient)
	case OAuth2Failure:
		if validation != TokenRemoteDiscovery {
			v.err(join(p, "type"), "use REMOTE_DISCOVERY validation, or MODIFY_RESPONSE",
				"OAUTH2 failure policies work with REMOTE_DISCOVERY validation only")
		}
		v.clientDetails(f.ClientDetails, join(p, "client_details"))
		v.sourceURI(f.SourceURIDetails, join(p, "source_uri_details"))
		v.required(len(f.Scopes) == 0, join(p, "scopes"), "list the scopes to request, such as [openid]")
		v.required(f.ResponseType == "", join(p, "response_type"), "add response_type: CODE")
		for _, pf := range []struct{ name, val string }{{"fallback_redirect_path", f.FallbackRedirectPath},
			{"logout_path", f.LogoutPath}, {"login_path", f.LoginPath}} {
			if pf.val != "" && !strings.HasPrefix(pf.val, "/") {
				v.err(join(p, pf.name), "start it with /", "%s %q is not a path", pf.name, pf.val)
			}
		}
		if f.LoginPath != "" && !slices.ContainsFunc(v.spec.Routes, func(r Route) bool {
			return r.Path == f.LoginPath && r.Backend.Type == OAuth2LoginBackend
		}) {
			v.err(join(p, "login_path"), "add a route at "+f.LoginPath+" with an OAUTH2_LOGIN_BACKEND",
				"login_path %q is not the path of a route with an OAUTH2_LOGIN_BACKEND", f.LoginPath)
		}
		if f.MaxExpiryDurationInHours < 0 {
			v.err(join(p, "max_expiry_duration_in_hours"), "use a positive number of hours", "max_expiry_duration_in_hours is negative")
		}
	}
}

func isStatus(s string) bool {
	return len(s) == 3 && s[0] >= '1' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'
}

// functionRef checks a function named or given by OCID.
func (v *validator) functionRef(name, id, p, what string) {
	switch {
	case name == "" && id == "":
		v.err(join(p, "function"), "name the function (function: order-validator) or give its OCID (function_id)", "%s is required", what)
	case name != "" && id != "":
		v.err(join(p, "function_id"), "keep function or function_id, not both", "%s is given twice: function %q and function_id %q", what, name, id)
	case id != "" && !strings.HasPrefix(id, "ocid1.fnfunc."):
		v.err(join(p, "function_id"), "use a function OCID (ocid1.fnfunc....), or name the function with function:", "%q is not a function OCID", id)
	case name != "" && !isFunctionName(name):
		v.err(join(p, "function"), "use letters, digits, - and _", "%q is not a function name", name)
	}
}

func isFunctionName(s string) bool {
	return len(s) <= 255 && s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r != '-' && r != '_' && !isAlnum(r)
	})
}

// httpURL checks an absolute http(s) URL without context variables.
func (v *validator) httpURL(s, p, what string) {
	if !v.required(s == "", p, "give "+what) {
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.err(p, "give "+what, "%q is not an http(s) URL", s)
	}
}

// isZero reports whether x is its type's zero value.
func isZero[T any](x T) bool {
	return reflectValueOfAny(x).IsZero()
}
