package gateway

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
)

// FunctionResolver returns the OCID of the function a spec names
// (function: order-validator). The caller decides what a name means: in
// osa, the function of the release's slot in the major's application.
type FunctionResolver func(name string) (ocid string, err error)

// ToSDK converts spec to the oci-go-sdk's ApiSpecification, resolving
// function names with resolve (which may be nil when every function is
// given by OCID). Unset optional fields become nil pointers, which the SDK
// leaves out of the request; required fields are always set. ToSDK does
// not validate: call [Validate] first.
func ToSDK(spec Spec, resolve FunctionResolver) (apigateway.ApiSpecification, error) {
	c := &toSDK{resolve: resolve}
	out := apigateway.ApiSpecification{
		RequestPolicies: c.requestPolicies(spec.RequestPolicies),
		LoggingPolicies: logging(spec.LoggingPolicies),
	}
	for i, r := range spec.Routes {
		out.Routes = append(out.Routes, c.route(r, fmt.Sprintf("routes[%d]", i)))
	}
	return out, errors.Join(c.errs...)
}

type toSDK struct {
	resolve FunctionResolver
	errs    []error
}

func (c *toSDK) fail(path, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// function returns the OCID of a function named or given by OCID.
func (c *toSDK) function(name, id, path string) *string {
	switch {
	case id != "":
		return ptr(id)
	case name == "":
		return ptr("")
	case c.resolve == nil:
		c.fail(path, "function %q has no OCID and no resolver was given", name)
		return ptr("")
	}
	ocid, err := c.resolve(name)
	if err != nil {
		c.errs = append(c.errs, fmt.Errorf("%s: resolving function %q: %w", path, name, err))
	}
	return ptr(ocid)
}

func (c *toSDK) requestPolicies(rp RequestPolicies) *apigateway.ApiSpecificationRequestPolicies {
	if isZero(rp) {
		return nil
	}
	out := &apigateway.ApiSpecificationRequestPolicies{
		Authentication: c.authentication(rp.Authentication, "request_policies.authentication"),
		Cors:           cors(rp.CORS),
	}
	if r := rp.RateLimiting; !isZero(r) {
		out.RateLimiting = &apigateway.RateLimitingPolicy{RateInRequestsPerSecond: ptr(r.RateInRequestsPerSecond),
			RateKey: apigateway.RateLimitingPolicyRateKeyEnum(r.RateKey)}
	}
	if m := rp.MutualTLS; !isZero(m) {
		out.MutualTls = &apigateway.MutualTlsDetails{IsVerifiedCertificateRequired: optBool(m.IsVerifiedCertificateRequired),
			AllowedSans: optSlice(m.AllowedSANs)}
	}
	if u := rp.UsagePlans; !isZero(u) {
		out.UsagePlans = &apigateway.UsagePlansPolicy{TokenLocations: reqSlice(u.TokenLocations)}
	}
	if d := rp.DynamicAuthentication; !isZero(d) {
		da := &apigateway.DynamicAuthenticationPolicy{SelectionSource: selectionSource(d.SelectionSource),
			AuthenticationServers: []apigateway.AuthenticationServerPolicy{}}
		for i, s := range d.AuthenticationServers {
			p := fmt.Sprintf("request_policies.dynamic_authentication.authentication_servers[%d].authentication_server_detail", i)
			da.AuthenticationServers = append(da.AuthenticationServers, apigateway.AuthenticationServerPolicy{
				Key: selectionKey(s.Key), AuthenticationServerDetail: c.authentication(s.AuthenticationServerDetail, p)})
		}
		out.DynamicAuthentication = da
	}
	return out
}

func (c *toSDK) authentication(a Authentication, path string) apigateway.AuthenticationPolicy {
	switch a.Type {
	case "":
		return nil
	case JWTAuthentication:
		return apigateway.JwtAuthenticationPolicy{
			Issuers: reqSlice(a.Issuers), Audiences: reqSlice(a.Audiences), PublicKeys: publicKeys(a.PublicKeys),
			IsAnonymousAccessAllowed: optBool(a.IsAnonymousAccessAllowed), TokenHeader: optStr(a.TokenHeader),
			TokenQueryParam: optStr(a.TokenQueryParam), TokenAuthScheme: optStr(a.TokenAuthScheme),
			MaxClockSkewInSeconds: optNum(a.MaxClockSkewInSeconds), VerifyClaims: claims(a.VerifyClaims)}
	case TokenAuthentication:
		return apigateway.TokenAuthenticationPolicy{
			ValidationPolicy: tokenValidation(a.ValidationPolicy), IsAnonymousAccessAllowed: optBool(a.IsAnonymousAccessAllowed),
			TokenHeader: optStr(a.TokenHeader), TokenQueryParam: optStr(a.TokenQueryParam), TokenAuthScheme: optStr(a.TokenAuthScheme),
			MaxClockSkewInSeconds: optNum(a.MaxClockSkewInSeconds), ValidationFailurePolicy: validationFailure(a.ValidationFailurePolicy)}
	case CustomAuthentication:
		out := apigateway.CustomAuthenticationPolicy{
			FunctionId: c.function(a.Function, a.FunctionID, path), IsAnonymousAccessAllowed: optBool(a.IsAnonymousAccessAllowed),
			TokenHeader: optStr(a.TokenHeader), TokenQueryParam: optStr(a.TokenQueryParam), CacheKey: optSlice(a.CacheKey),
			ValidationFailurePolicy: validationFailure(a.ValidationFailurePolicy)}
		if len(a.Parameters) > 0 {
			out.Parameters = maps.Clone(a.Parameters)
		}
		return out
	}
	c.fail(path, "unknown authentication type %q", a.Type)
	return nil
}

func publicKeys(k PublicKeys) apigateway.PublicKeySet {
	switch k.Type {
	case RemoteJWKS:
		return apigateway.RemoteJsonWebKeySet{Uri: ptr(k.URI), IsSslVerifyDisabled: optBool(k.IsSSLVerifyDisabled),
			MaxCacheDurationInHours: optNum(k.MaxCacheDurationInHours)}
	case StaticKeys:
		return apigateway.StaticPublicKeySet{Keys: staticKeys(k.Keys)}
	}
	return nil
}

func staticKeys(keys []StaticKey) []apigateway.StaticPublicKey {
	if len(keys) == 0 {
		return nil
	}
	out := make([]apigateway.StaticPublicKey, 0, len(keys))
	for _, k := range keys {
		switch k.Format {
		case PEMKey:
			out = append(out, apigateway.PemEncodedPublicKey{Kid: ptr(k.Kid), Key: ptr(k.Key)})
		default:
			jwk := apigateway.JsonWebKey{Kid: ptr(k.Kid), N: ptr(k.N), E: ptr(k.E), Alg: optStr(k.Alg),
				Kty: apigateway.JsonWebKeyKtyEnum(k.Kty), Use: apigateway.JsonWebKeyUseEnum(k.Use)}
			for _, op := range k.KeyOps {
				jwk.KeyOps = append(jwk.KeyOps, apigateway.JsonWebKeyKeyOpsEnum(op))
			}
			out = append(out, jwk)
		}
	}
	return out
}

func claims(cs []Claim) []apigateway.JsonWebTokenClaim {
	if len(cs) == 0 {
		return nil
	}
	out := make([]apigateway.JsonWebTokenClaim, len(cs))
	for i, c := range cs {
		out[i] = apigateway.JsonWebTokenClaim{Key: ptr(c.Key), Values: optSlice(c.Values), IsRequired: optBool(c.IsRequired)}
	}
	return out
}

func tokenValidation(t TokenValidation) apigateway.TokenAuthenticationValidationPolicy {
	var add *apigateway.AdditionalValidationPolicy
	if a := t.AdditionalValidationPolicy; !isZero(a) {
		add = &apigateway.AdditionalValidationPolicy{Issuers: optSlice(a.Issuers), Audiences: optSlice(a.Audiences),
			VerifyClaims: claims(a.VerifyClaims)}
	}
	switch t.Type {
	case TokenStaticKeys:
		return apigateway.TokenAuthenticationStaticKeysValidationPolicy{AdditionalValidationPolicy: add, Keys: staticKeys(t.Keys)}
	case TokenRemoteJWKS:
		return apigateway.TokenAuthenticationRemoteJwksValidationPolicy{Uri: ptr(t.URI), AdditionalValidationPolicy: add,
			IsSslVerifyDisabled: optBool(t.IsSSLVerifyDisabled), MaxCacheDurationInHours: optNum(t.MaxCacheDurationInHours)}
	case TokenRemoteDiscovery:
		return apigateway.TokenAuthenticationRemoteDiscoveryValidationPolicy{ClientDetails: clientDetails(t.ClientDetails),
			SourceUriDetails: sourceURI(t.SourceURIDetails), AdditionalValidationPolicy: add,
			IsSslVerifyDisabled: optBool(t.IsSSLVerifyDisabled), MaxCacheDurationInHours: optNum(t.MaxCacheDurationInHours)}
	}
	return nil
}

func clientDetails(d ClientDetails) apigateway.ClientAppDetails {
	switch d.Type {
	case CustomClient:
		return apigateway.CustomClientAppDetails{ClientId: ptr(d.ClientID), ClientSecretId: ptr(d.ClientSecretID),
			ClientSecretVersionNumber: ptr(d.ClientSecretVersionNumber)}
	case ValidationBlockClient:
		return apigateway.ValidationBlockClientAppDetails{}
	}
	return nil
}

func sourceURI(d SourceURIDetails) apigateway.SourceUriDetails {
	switch d.Type {
	case DiscoveryURI:
		return apigateway.DiscoveryUriSourceUriDetails{Uri: ptr(d.URI)}
	case ValidationBlockSource:
		return apigateway.ValidationBlockSourceUriDetails{}
	}
	return nil
}

func validationFailure(f ValidationFailure) apigateway.ValidationFailurePolicy {
	switch f.Type {
	case ModifyResponse:
		return apigateway.ModifyResponseValidationFailurePolicy{ResponseCode: optStr(f.ResponseCode),
			ResponseMessage: optStr(f.ResponseMessage), ResponseHeaderTransformations: headerTransformations(f.ResponseHeaderTransformations)}
	case OAuth2Failure:
		return apigateway.OAuth2ResponseValidationFailurePolicy{ClientDetails: clientDetails(f.ClientDetails),
			SourceUriDetails: sourceURI(f.SourceURIDetails), Scopes: reqSlice(f.Scopes),
			MaxExpiryDurationInHours: optNum(f.MaxExpiryDurationInHours), UseCookiesForSession: clonePtr(f.UseCookiesForSession),
			UseCookiesForIntermediateSteps: clonePtr(f.UseCookiesForIntermediateSteps), UsePkce: clonePtr(f.UsePKCE),
			FallbackRedirectPath: optStr(f.FallbackRedirectPath), LogoutPath: optStr(f.LogoutPath), LoginPath: optStr(f.LoginPath),
			ResponseType: apigateway.OAuth2ResponseValidationFailurePolicyResponseTypeEnum(f.ResponseType)}
	}
	return nil
}

func cors(c CORSPolicy) *apigateway.CorsPolicy {
	if isZero(c) {
		return nil
	}
	return &apigateway.CorsPolicy{AllowedOrigins: reqSlice(c.AllowedOrigins), AllowedMethods: optSlice(c.AllowedMethods),
		AllowedHeaders: optSlice(c.AllowedHeaders), ExposedHeaders: optSlice(c.ExposedHeaders),
		IsAllowCredentialsEnabled: optBool(c.IsAllowCredentialsEnabled), MaxAgeInSeconds: optNum(c.MaxAgeInSeconds)}
}

func selectionSource(s SelectionSource) apigateway.SelectionSourcePolicy {
	if s.Type == SingleSelection {
		return apigateway.SingleSelectionSourcePolicy{Selector: ptr(s.Selector)}
	}
	return nil
}

func selectionKey(k SelectionKey) apigateway.DynamicSelectionKey {
	switch k.Type {
	case AnyOfKey:
		return apigateway.AnyOfSelectionKey{Name: ptr(k.Name), IsDefault: optBool(k.IsDefault), Values: optSlice(k.Values)}
	case WildcardKey:
		return apigateway.WildcardSelectionKey{Name: ptr(k.Name), Expression: ptr(k.Expression), IsDefault: optBool(k.IsDefault)}
	}
	return nil
}

func logging(l LoggingPolicies) *apigateway.ApiSpecificationLoggingPolicies {
	if isZero(l) {
		return nil
	}
	out := &apigateway.ApiSpecificationLoggingPolicies{}
	if !isZero(l.AccessLog) {
		out.AccessLog = &apigateway.AccessLogPolicy{IsEnabled: optBool(l.AccessLog.IsEnabled)}
	}
	if e := l.ExecutionLog; !isZero(e) {
		out.ExecutionLog = &apigateway.ExecutionLogPolicy{IsEnabled: optBool(e.IsEnabled),
			LogLevel: apigateway.ExecutionLogPolicyLogLevelEnum(e.LogLevel)}
	}
	return out
}

func (c *toSDK) route(r Route, path string) apigateway.ApiSpecificationRoute {
	out := apigateway.ApiSpecificationRoute{Path: ptr(r.Path), Backend: c.backend(r.Backend, join(path, "backend")),
		LoggingPolicies: logging(r.LoggingPolicies)}
	for _, m := range r.Methods {
		out.Methods = append(out.Methods, apigateway.ApiSpecificationRouteMethodsEnum(m))
	}
	if rp := r.RequestPolicies; !isZero(rp) {
		q := &apigateway.ApiSpecificationRouteRequestPolicies{Authorization: authorization(rp.Authorization),
			Cors: cors(rp.CORS), HeaderTransformations: headerTransformations(rp.HeaderTransformations),
			QueryParameterTransformations: queryTransformations(rp.QueryParameterTransformations)}
		if h := rp.HeaderValidations; !isZero(h) {
			q.HeaderValidations = &apigateway.HeaderValidationRequestPolicy{
				ValidationMode: apigateway.HeaderValidationRequestPolicyValidationModeEnum(h.ValidationMode)}
			for _, it := range h.Headers {
				q.HeaderValidations.Headers = append(q.HeaderValidations.Headers,
					apigateway.HeaderValidationItem{Name: ptr(it.Name), Required: optBool(it.Required)})
			}
		}
		if qv := rp.QueryParameterValidations; !isZero(qv) {
			q.QueryParameterValidations = &apigateway.QueryParameterValidationRequestPolicy{
				ValidationMode: apigateway.QueryParameterValidationRequestPolicyValidationModeEnum(qv.ValidationMode)}
			for _, it := range qv.Parameters {
				q.QueryParameterValidations.Parameters = append(q.QueryParameterValidations.Parameters,
					apigateway.QueryParameterValidationItem{Name: ptr(it.Name), Required: optBool(it.Required)})
			}
		}
		if b := rp.BodyValidation; !isZero(b) {
			q.BodyValidation = &apigateway.BodyValidationRequestPolicy{Required: optBool(b.Required),
				ValidationMode: apigateway.BodyValidationRequestPolicyValidationModeEnum(b.ValidationMode),
				Content:        map[string]apigateway.ContentValidation{}}
			for _, k := range sortedKeys(b.Content) {
				var cv apigateway.ContentValidation
				if b.Content[k].ValidationType == NoContentValidation {
					cv = apigateway.NoContentValidation{}
				}
				q.BodyValidation.Content[k] = cv
			}
		}
		if l := rp.ResponseCacheLookup; l.Type == SimpleLookup {
			q.ResponseCacheLookup = apigateway.SimpleLookupPolicy{IsEnabled: clonePtr(l.IsEnabled),
				IsPrivateCachingEnabled: optBool(l.IsPrivateCachingEnabled), CacheKeyAdditions: optSlice(l.CacheKeyAdditions)}
		}
		out.RequestPolicies = q
	}
	if rp := r.ResponsePolicies; !isZero(rp) {
		q := &apigateway.ApiSpecificationRouteResponsePolicies{HeaderTransformations: headerTransformations(rp.HeaderTransformations)}
		if s := rp.ResponseCacheStore; s.Type == FixedTTLStore {
			q.ResponseCacheStore = apigateway.FixedTtlResponseCacheStorePolicy{TimeToLiveInSeconds: ptr(s.TimeToLiveInSeconds)}
		}
		out.ResponsePolicies = q
	}
	return out
}

func authorization(a Authorization) apigateway.RouteAuthorizationPolicy {
	switch a.Type {
	case AnyOfAuthorization:
		return apigateway.AnyOfRouteAuthorizationPolicy{AllowedScope: reqSlice(a.AllowedScope)}
	case Anonymous:
		return apigateway.AnonymousRouteAuthorizationPolicy{}
	case AuthenticationOnly:
		return apigateway.AuthenticationOnlyRouteAuthorizationPolicy{}
	}
	return nil
}

func (c *toSDK) backend(b Backend, path string) apigateway.ApiSpecificationRouteBackend {
	switch b.Type {
	case HTTPBackend:
		return apigateway.HttpBackend{Url: ptr(b.URL), ConnectTimeoutInSeconds: optNum(b.ConnectTimeoutInSeconds),
			ReadTimeoutInSeconds: optNum(b.ReadTimeoutInSeconds), SendTimeoutInSeconds: optNum(b.SendTimeoutInSeconds),
			IsSslVerifyDisabled: optBool(b.IsSSLVerifyDisabled)}
	case FunctionsBackend:
		return apigateway.OracleFunctionBackend{FunctionId: c.function(b.Function, b.FunctionID, path)}
	case StockResponseBackend:
		out := apigateway.StockResponseBackend{Status: ptr(b.Status), Body: optStr(b.Body)}
		for _, h := range b.Headers {
			out.Headers = append(out.Headers, apigateway.HeaderFieldSpecification{Name: optStr(h.Name), Value: optStr(h.Value)})
		}
		return out
	case DynamicRouting:
		out := apigateway.DynamicRoutingBackend{SelectionSource: selectionSource(b.SelectionSource),
			RoutingBackends: []apigateway.DynamicRoutingTypeRoutingBackend{}}
		for i, rb := range b.RoutingBackends {
			out.RoutingBackends = append(out.RoutingBackends, apigateway.DynamicRoutingTypeRoutingBackend{
				Key: selectionKey(rb.Key), Backend: c.backend(rb.Backend, fmt.Sprintf("%s.routing_backends[%d].backend", path, i))})
		}
		return out
	case OAuth2LoginBackend:
		return apigateway.OAuth2LoginBackend{}
	case OAuth2LogoutBackend:
		return apigateway.OAuth2LogoutBackend{AllowedPostLogoutUris: optSlice(b.AllowedPostLogoutURIs),
			PostLogoutState: optStr(b.PostLogoutState)}
	}
	c.fail(path, "unknown backend type %q", b.Type)
	return nil
}

func headerTransformations(h HeaderTransformations) *apigateway.HeaderTransformationPolicy {
	if isZero(h) {
		return nil
	}
	out := &apigateway.HeaderTransformationPolicy{}
	if !isZero(h.SetHeaders) {
		out.SetHeaders = &apigateway.SetHeaderPolicy{Items: []apigateway.SetHeaderPolicyItem{}}
		for _, it := range h.SetHeaders.Items {
			out.SetHeaders.Items = append(out.SetHeaders.Items, apigateway.SetHeaderPolicyItem{Name: ptr(it.Name),
				Values: reqSlice(it.Values), IfExists: apigateway.SetHeaderPolicyItemIfExistsEnum(it.IfExists)})
		}
	}
	if !isZero(h.RenameHeaders) {
		out.RenameHeaders = &apigateway.RenameHeaderPolicy{Items: []apigateway.RenameHeaderPolicyItem{}}
		for _, it := range h.RenameHeaders.Items {
			out.RenameHeaders.Items = append(out.RenameHeaders.Items, apigateway.RenameHeaderPolicyItem{From: ptr(it.From), To: ptr(it.To)})
		}
	}
	if f := h.FilterHeaders; !isZero(f) {
		out.FilterHeaders = &apigateway.FilterHeaderPolicy{Type: apigateway.FilterHeaderPolicyTypeEnum(f.Type),
			Items: []apigateway.FilterHeaderPolicyItem{}}
		for _, it := range f.Items {
			out.FilterHeaders.Items = append(out.FilterHeaders.Items, apigateway.FilterHeaderPolicyItem{Name: ptr(it.Name)})
		}
	}
	return out
}

func queryTransformations(q QueryParameterTransformations) *apigateway.QueryParameterTransformationPolicy {
	if isZero(q) {
		return nil
	}
	out := &apigateway.QueryParameterTransformationPolicy{}
	if !isZero(q.SetQueryParameters) {
		out.SetQueryParameters = &apigateway.SetQueryParameterPolicy{Items: []apigateway.SetQueryParameterPolicyItem{}}
		for _, it := range q.SetQueryParameters.Items {
			out.SetQueryParameters.Items = append(out.SetQueryParameters.Items, apigateway.SetQueryParameterPolicyItem{
				Name: ptr(it.Name), Values: reqSlice(it.Values), IfExists: apigateway.SetQueryParameterPolicyItemIfExistsEnum(it.IfExists)})
		}
	}
	if !isZero(q.RenameQueryParameters) {
		out.RenameQueryParameters = &apigateway.RenameQueryParameterPolicy{Items: []apigateway.RenameQueryParameterPolicyItem{}}
		for _, it := range q.RenameQueryParameters.Items {
			out.RenameQueryParameters.Items = append(out.RenameQueryParameters.Items,
				apigateway.RenameQueryParameterPolicyItem{From: ptr(it.From), To: ptr(it.To)})
		}
	}
	if f := q.FilterQueryParameters; !isZero(f) {
		out.FilterQueryParameters = &apigateway.FilterQueryParameterPolicy{Type: apigateway.FilterQueryParameterPolicyTypeEnum(f.Type),
			Items: []apigateway.FilterQueryParameterPolicyItem{}}
		for _, it := range f.Items {
			out.FilterQueryParameters.Items = append(out.FilterQueryParameters.Items, apigateway.FilterQueryParameterPolicyItem{Name: ptr(it.Name)})
		}
	}
	return out
}

// ptr returns a pointer to a copy of x: for required fields.
func ptr[T any](x T) *T { return &x }

// optStr, optBool and optNum return nil for the zero value: for optional
// fields, which the SDK then leaves out.
func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optBool(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

func optNum[T int | int64 | float32](x T) *T {
	if x == 0 {
		return nil
	}
	return &x
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	x := *p
	return &x
}

// optSlice returns nil for an empty optional list; reqSlice returns [] for
// an empty required one, so that the SDK sends [] rather than null.
func optSlice[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func reqSlice[T any](s []T) []T {
	if len(s) == 0 {
		return []T{}
	}
	return slices.Clone(s)
}
