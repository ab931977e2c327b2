package gateway

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
)

// FromSDK converts the oci-go-sdk's ApiSpecification (as GetDeployment
// returns it) to a Spec. Function backends get FunctionID, never a name.
// Empty lists become nil and false or zero pointers become zero values, so
// that FromSDK(ToSDK(s)) == s for every spec s whose functions are given by
// OCID. An object of a type this package does not know (the SDK decodes
// those to an opaque value) is an error.
func FromSDK(s apigateway.ApiSpecification) (Spec, error) {
	c := &fromSDK{}
	out := Spec{LoggingPolicies: loggingFrom(s.LoggingPolicies)}
	if rp := s.RequestPolicies; rp != nil {
		out.RequestPolicies = c.requestPolicies(*rp)
	}
	for i, r := range s.Routes {
		out.Routes = append(out.Routes, c.route(r, fmt.Sprintf("routes[%d]", i)))
	}
	return out, errors.Join(c.errs...)
}

type fromSDK struct{ errs []error }

func (c *fromSDK) unknown(path string, x any) {
	c.errs = append(c.errs, fmt.Errorf("%s: unsupported object %T", path, x))
}

// deref returns the value a pointer points to, so that type switches see
// values whether the SDK (values) or a caller (pointers) built the object.
func deref(x any) any {
	rv := reflect.ValueOf(x)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return rv.Elem().Interface()
	}
	return x
}

func (c *fromSDK) requestPolicies(rp apigateway.ApiSpecificationRequestPolicies) RequestPolicies {
	out := RequestPolicies{Authentication: c.authentication(rp.Authentication, "request_policies.authentication"),
		CORS: corsFrom(rp.Cors)}
	if r := rp.RateLimiting; r != nil {
		out.RateLimiting = RateLimiting{RateInRequestsPerSecond: val(r.RateInRequestsPerSecond), RateKey: RateKey(r.RateKey)}
	}
	if m := rp.MutualTls; m != nil {
		out.MutualTLS = MutualTLS{IsVerifiedCertificateRequired: val(m.IsVerifiedCertificateRequired), AllowedSANs: list(m.AllowedSans)}
	}
	if u := rp.UsagePlans; u != nil {
		out.UsagePlans = UsagePlans{TokenLocations: list(u.TokenLocations)}
	}
	if d := rp.DynamicAuthentication; d != nil {
		out.DynamicAuthentication.SelectionSource = c.selectionSource(d.SelectionSource, "request_policies.dynamic_authentication.selection_source")
		for i, s := range d.AuthenticationServers {
			p := fmt.Sprintf("request_policies.dynamic_authentication.authentication_servers[%d]", i)
			out.DynamicAuthentication.AuthenticationServers = append(out.DynamicAuthentication.AuthenticationServers, AuthenticationServer{
				Key: c.selectionKey(s.Key, join(p, "key")), AuthenticationServerDetail: c.authentication(s.AuthenticationServerDetail, join(p, "authentication_server_detail"))})
		}
	}
	return out
}

func (c *fromSDK) authentication(a apigateway.AuthenticationPolicy, path string) Authentication {
	switch t := deref(a).(type) {
	case nil:
		return Authentication{}
	case apigateway.JwtAuthenticationPolicy:
		return Authentication{Type: JWTAuthentication, Issuers: list(t.Issuers), Audiences: list(t.Audiences),
			PublicKeys: c.publicKeys(t.PublicKeys, join(path, "public_keys")), IsAnonymousAccessAllowed: val(t.IsAnonymousAccessAllowed),
			TokenHeader: val(t.TokenHeader), TokenQueryParam: val(t.TokenQueryParam), TokenAuthScheme: val(t.TokenAuthScheme),
			MaxClockSkewInSeconds: val(t.MaxClockSkewInSeconds), VerifyClaims: claimsFrom(t.VerifyClaims)}
	case apigateway.TokenAuthenticationPolicy:
		return Authentication{Type: TokenAuthentication, ValidationPolicy: c.tokenValidation(t.ValidationPolicy, join(path, "validation_policy")),
			IsAnonymousAccessAllowed: val(t.IsAnonymousAccessAllowed), TokenHeader: val(t.TokenHeader),
			TokenQueryParam: val(t.TokenQueryParam), TokenAuthScheme: val(t.TokenAuthScheme),
			MaxClockSkewInSeconds:   val(t.MaxClockSkewInSeconds),
			ValidationFailurePolicy: c.validationFailure(t.ValidationFailurePolicy, join(path, "validation_failure_policy"))}
	case apigateway.CustomAuthenticationPolicy:
		out := Authentication{Type: CustomAuthentication, FunctionID: val(t.FunctionId),
			IsAnonymousAccessAllowed: val(t.IsAnonymousAccessAllowed), TokenHeader: val(t.TokenHeader),
			TokenQueryParam: val(t.TokenQueryParam), CacheKey: list(t.CacheKey),
			ValidationFailurePolicy: c.validationFailure(t.ValidationFailurePolicy, join(path, "validation_failure_policy"))}
		if len(t.Parameters) > 0 {
			out.Parameters = maps.Clone(t.Parameters)
		}
		return out
	default:
		c.unknown(path, a)
		return Authentication{}
	}
}

func (c *fromSDK) publicKeys(k apigateway.PublicKeySet, path string) PublicKeys {
	switch t := deref(k).(type) {
	case nil:
		return PublicKeys{}
	case apigateway.RemoteJsonWebKeySet:
		return PublicKeys{Type: RemoteJWKS, URI: val(t.Uri), IsSSLVerifyDisabled: val(t.IsSslVerifyDisabled),
			MaxCacheDurationInHours: val(t.MaxCacheDurationInHours)}
	case apigateway.StaticPublicKeySet:
		return PublicKeys{Type: StaticKeys, Keys: c.staticKeys(t.Keys, join(path, "keys"))}
	default:
		c.unknown(path, k)
		return PublicKeys{}
	}
}

func (c *fromSDK) staticKeys(keys []apigateway.StaticPublicKey, path string) []StaticKey {
	var out []StaticKey
	for i, k := range keys {
		switch t := deref(k).(type) {
		case apigateway.JsonWebKey:
			sk := StaticKey{Format: JSONWebKey, Kid: val(t.Kid), Kty: KeyType(t.Kty), N: val(t.N), E: val(t.E),
				Alg: val(t.Alg), Use: KeyUse(t.Use)}
			for _, op := range t.KeyOps {
				sk.KeyOps = append(sk.KeyOps, KeyOp(op))
			}
			out = append(out, sk)
		case apigateway.PemEncodedPublicKey:
			out = append(out, StaticKey{Format: PEMKey, Kid: val(t.Kid), Key: val(t.Key)})
		default:
			c.unknown(fmt.Sprintf("%s[%d]", path, i), k)
		}
	}
	return out
}

func claimsFrom(cs []apigateway.JsonWebTokenClaim) []Claim {
	var out []Claim
	for _, c := range cs {
		out = append(out, Claim{Key: val(c.Key), Values: list(c.Values), IsRequired: val(c.IsRequired)})
	}
	return out
}

func (c *fromSDK) tokenValidation(v apigateway.TokenAuthenticationValidationPolicy, path string) TokenValidation {
	add := func(a *apigateway.AdditionalValidationPolicy) AdditionalValidation {
		if a == nil {
			return AdditionalValidation{}
		}
		return AdditionalValidation{Issuers: list(a.Issuers), Audiences: list(a.Audiences), VerifyClaims: claimsFrom(a.VerifyClaims)}
	}
	switch t := deref(v).(type) {
	case nil:
		return TokenValidation{}
	case apigateway.TokenAuthenticationStaticKeysValidationPolicy:
		return TokenValidation{Type: TokenStaticKeys, Keys: c.staticKeys(t.Keys, join(path, "keys")),
			AdditionalValidationPolicy: add(t.AdditionalValidationPolicy)}
	case apigateway.TokenAuthenticationRemoteJwksValidationPolicy:
		return TokenValidation{Type: TokenRemoteJWKS, URI: val(t.Uri), IsSSLVerifyDisabled: val(t.IsSslVerifyDisabled),
			MaxCacheDurationInHours: val(t.MaxCacheDurationInHours), AdditionalValidationPolicy: add(t.AdditionalValidationPolicy)}
	case apigateway.TokenAuthenticationRemoteDiscoveryValidationPolicy:
		return TokenValidation{Type: TokenRemoteDiscovery, ClientDetails: c.clientDetails(t.ClientDetails, join(path, "client_details")),
			SourceURIDetails:    c.sourceURI(t.SourceUriDetails, join(path, "source_uri_details")),
			IsSSLVerifyDisabled: val(t.IsSslVerifyDisabled), MaxCacheDurationInHours: val(t.MaxCacheDurationInHours),
			AdditionalValidationPolicy: add(t.AdditionalValidationPolicy)}
	default:
		c.unknown(path, v)
		return TokenValidation{}
	}
}

func (c *fromSDK) clientDetails(d apigateway.ClientAppDetails, path string) ClientDetails {
	switch t := deref(d).(type) {
	case nil:
		return ClientDetails{}
	case apigateway.CustomClientAppDetails:
		return ClientDetails{Type: CustomClient, ClientID: val(t.ClientId), ClientSecretID: val(t.ClientSecretId),
			ClientSecretVersionNumber: val(t.ClientSecretVersionNumber)}
	case apigateway.ValidationBlockClientAppDetails:
		return ClientDetails{Type: ValidationBlockClient}
	default:
		c.unknown(path, d)
		return ClientDetails{}
	}
}

func (c *fromSDK) sourceURI(d apigateway.SourceUriDetails, path string) SourceURIDetails {
	switch t := deref(d).(type) {
	case nil:
		return SourceURIDetails{}
	case apigateway.DiscoveryUriSourceUriDetails:
		return SourceURIDetails{Type: DiscoveryURI, URI: val(t.Uri)}
	case apigateway.ValidationBlockSourceUriDetails:
		return SourceURIDetails{Type: ValidationBlockSource}
	default:
		c.unknown(path, d)
		return SourceURIDetails{}
	}
}

func (c *fromSDK) validationFailure(f apigateway.ValidationFailurePolicy, path string) ValidationFailure {
	switch t := deref(f).(type) {
	case nil:
		return ValidationFailure{}
	case apigateway.ModifyResponseValidationFailurePolicy:
		return ValidationFailure{Type: ModifyResponse, ResponseCode: val(t.ResponseCode), ResponseMessage: val(t.ResponseMessage),
			ResponseHeaderTransformations: headerTransformationsFrom(t.ResponseHeaderTransformations)}
	case apigateway.OAuth2ResponseValidationFailurePolicy:
		return ValidationFailure{Type: OAuth2Failure, ClientDetails: c.clientDetails(t.ClientDetails, join(path, "client_details")),
			SourceURIDetails: c.sourceURI(t.SourceUriDetails, join(path, "source_uri_details")), Scopes: list(t.Scopes),
			ResponseType: OAuth2ResponseType(t.ResponseType), MaxExpiryDurationInHours: val(t.MaxExpiryDurationInHours),
			UseCookiesForSession: clonePtr(t.UseCookiesForSession), UseCookiesForIntermediateSteps: clonePtr(t.UseCookiesForIntermediateSteps),
			UsePKCE: clonePtr(t.UsePkce), FallbackRedirectPath: val(t.FallbackRedirectPath), LogoutPath: val(t.LogoutPath),
			LoginPath: val(t.LoginPath)}
	default:
		c.unknown(path, f)
		return ValidationFailure{}
	}
}

func corsFrom(c *apigateway.CorsPolicy) CORSPolicy {
	if c == nil {
		return CORSPolicy{}
	}
	return CORSPolicy{AllowedOrigins: list(c.AllowedOrigins), AllowedMethods: list(c.AllowedMethods),
		AllowedHeaders: list(c.AllowedHeaders), ExposedHeaders: list(c.ExposedHeaders),
		IsAllowCredentialsEnabled: val(c.IsAllowCredentialsEnabled), MaxAgeInSeconds: val(c.MaxAgeInSeconds)}
}

func (c *fromSDK) selectionSource(s apigateway.SelectionSourcePolicy, path string) SelectionSource {
	switch t := deref(s).(type) {
	case nil:
		return SelectionSource{}
	case apigateway.SingleSelectionSourcePolicy:
		return SelectionSource{Type: SingleSelection, Selector: val(t.Selector)}
	default:
		c.unknown(path, s)
		return SelectionSource{}
	}
}

func (c *fromSDK) selectionKey(k apigateway.DynamicSelectionKey, path string) SelectionKey {
	switch t := deref(k).(type) {
	case nil:
		return SelectionKey{}
	case apigateway.AnyOfSelectionKey:
		return SelectionKey{Type: AnyOfKey, Name: val(t.Name), IsDefault: val(t.IsDefault), Values: list(t.Values)}
	case apigateway.WildcardSelectionKey:
		return SelectionKey{Type: WildcardKey, Name: val(t.Name), IsDefault: val(t.IsDefault), Expression: val(t.Expression)}
	default:
		c.unknown(path, k)
		return SelectionKey{}
	}
}

func loggingFrom(l *apigateway.ApiSpecificationLoggingPolicies) LoggingPolicies {
	var out LoggingPolicies
	if l == nil {
		return out
	}
	if l.AccessLog != nil {
		out.AccessLog.IsEnabled = val(l.AccessLog.IsEnabled)
	}
	if e := l.ExecutionLog; e != nil {
		out.ExecutionLog = ExecutionLog{IsEnabled: val(e.IsEnabled), LogLevel: LogLevel(e.LogLevel)}
	}
	return out
}

func (c *fromSDK) route(r apigateway.ApiSpecificationRoute, path string) Route {
	out := Route{Path: val(r.Path), Backend: c.backend(r.Backend, join(path, "backend")), LoggingPolicies: loggingFrom(r.LoggingPolicies)}
	for _, m := range r.Methods {
		out.Methods = append(out.Methods, Method(m))
	}
	if rp := r.RequestPolicies; rp != nil {
		pp := join(path, "request_policies")
		q := &out.RequestPolicies
		q.Authorization = c.authorization(rp.Authorization, join(pp, "authorization"))
		q.CORS = corsFrom(rp.Cors)
		q.HeaderTransformations = headerTransformationsFrom(rp.HeaderTransformations)
		q.QueryParameterTransformations = queryTransformationsFrom(rp.QueryParameterTransformations)
		if h := rp.HeaderValidations; h != nil {
			q.HeaderValidations.ValidationMode = ValidationMode(h.ValidationMode)
			for _, it := range h.Headers {
				q.HeaderValidations.Headers = append(q.HeaderValidations.Headers, ValidationItem{Name: val(it.Name), Required: val(it.Required)})
			}
		}
		if qv := rp.QueryParameterValidations; qv != nil {
			q.QueryParameterValidations.ValidationMode = ValidationMode(qv.ValidationMode)
			for _, it := range qv.Parameters {
				q.QueryParameterValidations.Parameters = append(q.QueryParameterValidations.Parameters,
					ValidationItem{Name: val(it.Name), Required: val(it.Required)})
			}
		}
		if b := rp.BodyValidation; b != nil {
			q.BodyValidation = BodyValidation{Required: val(b.Required), ValidationMode: ValidationMode(b.ValidationMode)}
			for _, k := range sortedKeys(b.Content) {
				if q.BodyValidation.Content == nil {
					q.BodyValidation.Content = map[string]ContentValidation{}
				}
				switch cv := deref(b.Content[k]).(type) {
				case nil:
					q.BodyValidation.Content[k] = ContentValidation{}
				case apigateway.NoContentValidation:
					q.BodyValidation.Content[k] = ContentValidation{ValidationType: NoContentValidation}
				default:
					c.unknown(join(pp, "body_validation.content")+"["+k+"]", cv)
				}
			}
		}
		switch l := deref(rp.ResponseCacheLookup).(type) {
		case nil:
		case apigateway.SimpleLookupPolicy:
			q.ResponseCacheLookup = ResponseCacheLookup{Type: SimpleLookup, IsEnabled: clonePtr(l.IsEnabled),
				IsPrivateCachingEnabled: val(l.IsPrivateCachingEnabled), CacheKeyAdditions: list(l.CacheKeyAdditions)}
		default:
			c.unknown(join(pp, "response_cache_lookup"), l)
		}
	}
	if rp := r.ResponsePolicies; rp != nil {
		out.ResponsePolicies.HeaderTransformations = headerTransformationsFrom(rp.HeaderTransformations)
		switch s := deref(rp.ResponseCacheStore).(type) {
		case nil:
		case apigateway.FixedTtlResponseCacheStorePolicy:
			out.ResponsePolicies.ResponseCacheStore = ResponseCacheStore{Type: FixedTTLStore, TimeToLiveInSeconds: val(s.TimeToLiveInSeconds)}
		default:
			c.unknown(join(path, "response_policies.response_cache_store"), s)
		}
	}
	return out
}

func (c *fromSDK) authorization(a apigateway.RouteAuthorizationPolicy, path string) Authorization {
	switch t := deref(a).(type) {
	case nil:
		return Authorization{}
	case apigateway.AnyOfRouteAuthorizationPolicy:
		return Authorization{Type: AnyOfAuthorization, AllowedScope: list(t.AllowedScope)}
	case apigateway.AnonymousRouteAuthorizationPolicy:
		return Authorization{Type: Anonymous}
	case apigateway.AuthenticationOnlyRouteAuthorizationPolicy:
		return Authorization{Type: AuthenticationOnly}
	default:
		c.unknown(path, a)
		return Authorization{}
	}
}

func (c *fromSDK) backend(b apigateway.ApiSpecificationRouteBackend, path string) Backend {
	switch t := deref(b).(type) {
	case nil:
		return Backend{}
	case apigateway.HttpBackend:
		return Backend{Type: HTTPBackend, URL: val(t.Url), ConnectTimeoutInSeconds: val(t.ConnectTimeoutInSeconds),
			ReadTimeoutInSeconds: val(t.ReadTimeoutInSeconds), SendTimeoutInSeconds: val(t.SendTimeoutInSeconds),
			IsSSLVerifyDisabled: val(t.IsSslVerifyDisabled)}
	case apigateway.OracleFunctionBackend:
		return Backend{Type: FunctionsBackend, FunctionID: val(t.FunctionId)}
	case apigateway.StockResponseBackend:
		out := Backend{Type: StockResponseBackend, Status: val(t.Status), Body: val(t.Body)}
		for _, h := range t.Headers {
			out.Headers = append(out.Headers, StockHeader{Name: val(h.Name), Value: val(h.Value)})
		}
		return out
	case apigateway.DynamicRoutingBackend:
		out := Backend{Type: DynamicRouting, SelectionSource: c.selectionSource(t.SelectionSource, join(path, "selection_source"))}
		for i, rb := range t.RoutingBackends {
			p := fmt.Sprintf("%s.routing_backends[%d]", path, i)
			out.RoutingBackends = append(out.RoutingBackends, RoutingBackend{Key: c.selectionKey(rb.Key, join(p, "key")),
				Backend: c.backend(rb.Backend, join(p, "backend"))})
		}
		return out
	case apigateway.OAuth2LoginBackend:
		return Backend{Type: OAuth2LoginBackend}
	case apigateway.OAuth2LogoutBackend:
		return Backend{Type: OAuth2LogoutBackend, AllowedPostLogoutURIs: list(t.AllowedPostLogoutUris), PostLogoutState: val(t.PostLogoutState)}
	default:
		c.unknown(path, b)
		return Backend{}
	}
}

func headerTransformationsFrom(h *apigateway.HeaderTransformationPolicy) HeaderTransformations {
	var out HeaderTransformations
	if h == nil {
		return out
	}
	if h.SetHeaders != nil {
		for _, it := range h.SetHeaders.Items {
			out.SetHeaders.Items = append(out.SetHeaders.Items, SetItem{Name: val(it.Name), Values: list(it.Values), IfExists: IfExists(it.IfExists)})
		}
	}
	if h.RenameHeaders != nil {
		for _, it := range h.RenameHeaders.Items {
			out.RenameHeaders.Items = append(out.RenameHeaders.Items, RenameItem{From: val(it.From), To: val(it.To)})
		}
	}
	if f := h.FilterHeaders; f != nil {
		out.FilterHeaders.Type = FilterType(f.Type)
		for _, it := range f.Items {
			out.FilterHeaders.Items = append(out.FilterHeaders.Items, FilterItem{Name: val(it.Name)})
		}
	}
	return out
}

func queryTransformationsFrom(q *apigateway.QueryParameterTransformationPolicy) QueryParameterTransformations {
	var out QueryParameterTransformations
	if q == nil {
		return out
	}
	if q.SetQueryParameters != nil {
		for _, it := range q.SetQueryParameters.Items {
			out.SetQueryParameters.Items = append(out.SetQueryParameters.Items, SetItem{Name: val(it.Name), Values: list(it.Values),
				IfExists: IfExists(it.IfExists)})
		}
	}
	if q.RenameQueryParameters != nil {
		for _, it := range q.RenameQueryParameters.Items {
			out.RenameQueryParameters.Items = append(out.RenameQueryParameters.Items, RenameItem{From: val(it.From), To: val(it.To)})
		}
	}
	if f := q.FilterQueryParameters; f != nil {
		out.FilterQueryParameters.Type = FilterType(f.Type)
		for _, it := range f.Items {
			out.FilterQueryParameters.Items = append(out.FilterQueryParameters.Items, FilterItem{Name: val(it.Name)})
		}
	}
	return out
}

// val returns what p points to, or the zero value.
func val[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// list returns a copy of s, nil when empty.
func list[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}
