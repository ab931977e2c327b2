package gateway

// Spec is an API deployment specification: what one OCI API Gateway
// deployment serves. It mirrors OCI's ApiSpecification as plain values:
// an unset field is its zero value, a polymorphic object is one struct
// whose Type says which of its fields apply (as Terraform writes it), and
// a function backend may name its function instead of giving its OCID.
//
// The zero value of an optional scalar means "not set" and is left out of
// the request; OCI applies its default. Where OCI's default for a boolean
// is not false, the field is a *bool.
//
// Specs loaded by [LoadYAML] or [LoadJSON] carry their [Source], so that
// [Validate] reports positions.
type Spec struct {
	// RequestPolicies apply to every route: authentication, rate limiting,
	// CORS, mutual TLS, usage plans. Zero: none.
	RequestPolicies RequestPolicies `yaml:"request_policies" json:"requestPolicies,omitzero"`
	// LoggingPolicies are the deployment's legacy (Object Storage) log
	// settings. Zero: none.
	LoggingPolicies LoggingPolicies `yaml:"logging_policies" json:"loggingPolicies,omitzero"`
	// Routes are matched against the request path below the deployment's
	// path prefix; at least one and at most 50.
	Routes []Route `yaml:"routes" json:"routes,omitempty"`
	// Source says where the spec was read from. It is not part of the
	// specification: two specs that differ only in Source are equal.
	Source Source `yaml:"-" json:"-"`
}

// RequestPolicies are the deployment-wide request policies.
type RequestPolicies struct {
	// Authentication verifies callers. Zero (Type ""): no authentication.
	Authentication Authentication `yaml:"authentication" json:"authentication,omitzero"`
	// RateLimiting limits requests per second. Zero: no limit.
	RateLimiting RateLimiting `yaml:"rate_limiting" json:"rateLimiting,omitzero"`
	// CORS answers cross-origin requests. Zero: no CORS headers.
	CORS CORSPolicy `yaml:"cors" json:"cors,omitzero"`
	// MutualTLS asks clients for certificates. Zero: no mutual TLS.
	MutualTLS MutualTLS `yaml:"mutual_tls" json:"mutualTls,omitzero"`
	// UsagePlans says where subscriber tokens are found. Zero: none.
	UsagePlans UsagePlans `yaml:"usage_plans" json:"usagePlans,omitzero"`
	// DynamicAuthentication picks an authentication server per request.
	// Zero: none.
	DynamicAuthentication DynamicAuthentication `yaml:"dynamic_authentication" json:"dynamicAuthentication,omitzero"`
}

// RateLimiting is OCI's per-deployment rate limit.
type RateLimiting struct {
	// RateInRequestsPerSecond is the limit; required, above zero.
	RateInRequestsPerSecond int `yaml:"rate_in_requests_per_second" json:"rateInRequestsPerSecond,omitempty"`
	// RateKey counts per client address (CLIENT_IP) or in total (TOTAL);
	// required.
	RateKey RateKey `yaml:"rate_key" json:"rateKey,omitempty"`
}

// CORSPolicy is a CORS policy, for the deployment or one route.
type CORSPolicy struct {
	// AllowedOrigins are origins with scheme, host and port, "*" or
	// "null"; required.
	AllowedOrigins []string `yaml:"allowed_origins" json:"allowedOrigins,omitempty"`
	// AllowedMethods answer preflights; "*" allows all. Nil: simple methods.
	AllowedMethods []string `yaml:"allowed_methods" json:"allowedMethods,omitempty"`
	// AllowedHeaders answer preflights; "*" allows all. Nil: none.
	AllowedHeaders []string `yaml:"allowed_headers" json:"allowedHeaders,omitempty"`
	// ExposedHeaders are shown to the browser; "*" exposes all. Nil: none.
	ExposedHeaders []string `yaml:"exposed_headers" json:"exposedHeaders,omitempty"`
	// IsAllowCredentialsEnabled sends Access-Control-Allow-Credentials.
	IsAllowCredentialsEnabled bool `yaml:"is_allow_credentials_enabled" json:"isAllowCredentialsEnabled,omitempty"`
	// MaxAgeInSeconds is sent as Access-Control-Max-Age; 0: not sent.
	MaxAgeInSeconds int `yaml:"max_age_in_seconds" json:"maxAgeInSeconds,omitempty"`
}

// MutualTLS is the deployment's client certificate policy.
type MutualTLS struct {
	// IsVerifiedCertificateRequired makes the gateway demand a verified
	// client certificate.
	IsVerifiedCertificateRequired bool `yaml:"is_verified_certificate_required" json:"isVerifiedCertificateRequired,omitempty"`
	// AllowedSANs are the certificate CNs or SANs accepted. Nil: any.
	AllowedSANs []string `yaml:"allowed_sans" json:"allowedSans,omitempty"`
}

// UsagePlans says where usage-plan subscriber tokens are found.
type UsagePlans struct {
	// TokenLocations are context variables such as request.headers[token];
	// required.
	TokenLocations []string `yaml:"token_locations" json:"tokenLocations,omitempty"`
}

// DynamicAuthentication chooses an authentication server per request.
type DynamicAuthentication struct {
	// SelectionSource names the context variable that selects a server.
	SelectionSource SelectionSource `yaml:"selection_source" json:"selectionSource,omitzero"`
	// AuthenticationServers are the candidates; at least one.
	AuthenticationServers []AuthenticationServer `yaml:"authentication_servers" json:"authenticationServers,omitempty"`
}

// AuthenticationServer is one branch of dynamic authentication.
type AuthenticationServer struct {
	// Key says which selector values choose this server.
	Key SelectionKey `yaml:"key" json:"key,omitzero"`
	// AuthenticationServerDetail is the authentication policy applied.
	AuthenticationServerDetail Authentication `yaml:"authentication_server_detail" json:"authenticationServerDetail,omitzero"`
}

// SelectionSource is where dynamic routing or authentication reads the
// value that selects a branch.
type SelectionSource struct {
	// Type is SINGLE, the only kind.
	Type SelectionSourceType `yaml:"type" json:"type,omitempty"`
	// Selector is a context variable such as request.headers[x-tenant]
	// (without ${}); required.
	Selector string `yaml:"selector" json:"selector,omitempty"`
}

// SelectionKey matches the selector's value for one branch. Type ANY_OF
// uses Values, WILDCARD uses Expression.
type SelectionKey struct {
	// Type is ANY_OF or WILDCARD; required.
	Type SelectionKeyType `yaml:"type" json:"type,omitempty"`
	// Name names the branch; required, unique among its siblings.
	Name string `yaml:"name" json:"name,omitempty"`
	// IsDefault makes this branch the one taken when no other matches.
	IsDefault bool `yaml:"is_default" json:"isDefault,omitempty"`
	// Values are matched exactly (ANY_OF).
	Values []string `yaml:"values" json:"values,omitempty"`
	// Expression holds one wildcard, * or +, at its start or end (WILDCARD).
	Expression string `yaml:"expression" json:"expression,omitempty"`
}

// LoggingPolicies are the legacy logging settings of a deployment or
// route. OCI recommends OCI Logging logs instead; these archive to Object
// Storage.
type LoggingPolicies struct {
	// AccessLog enables access logs. Zero: off.
	AccessLog AccessLog `yaml:"access_log" json:"accessLog,omitzero"`
	// ExecutionLog enables execution logs and sets their level. Zero: off.
	ExecutionLog ExecutionLog `yaml:"execution_log" json:"executionLog,omitzero"`
}

// AccessLog is the legacy access log switch.
type AccessLog struct {
	// IsEnabled turns access logs on.
	IsEnabled bool `yaml:"is_enabled" json:"isEnabled,omitempty"`
}

// ExecutionLog is the legacy execution log setting.
type ExecutionLog struct {
	// IsEnabled turns execution logs on.
	IsEnabled bool `yaml:"is_enabled" json:"isEnabled,omitempty"`
	// LogLevel is INFO, WARN or ERROR; "": OCI's default.
	LogLevel LogLevel `yaml:"log_level" json:"logLevel,omitempty"`
}

// Route is one route of a deployment.
type Route struct {
	// Path is the route's path template below the path prefix, such as
	// /orders/{id} or /files/{path*}; required. See [ParsePathTemplate].
	Path string `yaml:"path" json:"path"`
	// Methods the route accepts; ANY accepts all. Nil: OCI's default.
	Methods []Method `yaml:"methods" json:"methods,omitempty"`
	// Backend serves the route; required.
	Backend Backend `yaml:"backend" json:"backend"`
	// RequestPolicies apply to this route's requests. Zero: none.
	RequestPolicies RouteRequestPolicies `yaml:"request_policies" json:"requestPolicies,omitzero"`
	// ResponsePolicies apply to this route's responses. Zero: none.
	ResponsePolicies ResponsePolicies `yaml:"response_policies" json:"responsePolicies,omitzero"`
	// LoggingPolicies override the deployment's for this route. Zero: none.
	LoggingPolicies LoggingPolicies `yaml:"logging_policies" json:"loggingPolicies,omitzero"`
}

// Backend serves a route. Type says which fields apply:
//   - HTTP_BACKEND: URL, the timeouts, IsSSLVerifyDisabled;
//   - ORACLE_FUNCTIONS_BACKEND: Function (a name, resolved by the caller
//     of [ToSDK]) or FunctionID (an OCID);
//   - STOCK_RESPONSE_BACKEND: Status, Body, Headers;
//   - DYNAMIC_ROUTING_BACKEND: SelectionSource, RoutingBackends;
//   - OAUTH2_LOGIN_BACKEND: nothing;
//   - OAUTH2_LOGOUT_BACKEND: AllowedPostLogoutURIs, PostLogoutState.
type Backend struct {
	// Type is the backend type; required.
	Type BackendType `yaml:"type" json:"type"`
	// URL is the HTTP backend's URL; it may use context variables in its
	// path, such as https://h/${request.path[id]}.
	URL string `yaml:"url" json:"url,omitempty"`
	// ConnectTimeoutInSeconds is 1 to 75; 0: OCI's default (60).
	ConnectTimeoutInSeconds float32 `yaml:"connect_timeout_in_seconds" json:"connectTimeoutInSeconds,omitempty"`
	// ReadTimeoutInSeconds is 1 to 300; 0: OCI's default (10).
	ReadTimeoutInSeconds float32 `yaml:"read_timeout_in_seconds" json:"readTimeoutInSeconds,omitempty"`
	// SendTimeoutInSeconds is 1 to 300; 0: OCI's default (10).
	SendTimeoutInSeconds float32 `yaml:"send_timeout_in_seconds" json:"sendTimeoutInSeconds,omitempty"`
	// IsSSLVerifyDisabled skips TLS verification of the HTTP backend.
	IsSSLVerifyDisabled bool `yaml:"is_ssl_verify_disabled" json:"isSslVerifyDisabled,omitempty"`
	// FunctionID is the OCID of the function backend.
	FunctionID string `yaml:"function_id" json:"functionId,omitempty"`
	// Function names the function backend (an osa extension: OCI knows only
	// FunctionID); [ToSDK] resolves it.
	Function string `yaml:"function" json:"function,omitempty"`
	// Status is the stock response's HTTP status; required for stock
	// responses.
	Status int `yaml:"status" json:"status,omitempty"`
	// Body is the stock response's body. "": empty.
	Body string `yaml:"body" json:"body,omitempty"`
	// Headers are the stock response's headers.
	Headers []StockHeader `yaml:"headers" json:"headers,omitempty"`
	// SelectionSource names the context variable that picks a routing
	// backend (dynamic routing).
	SelectionSource SelectionSource `yaml:"selection_source" json:"selectionSource,omitzero"`
	// RoutingBackends are the branches of dynamic routing.
	RoutingBackends []RoutingBackend `yaml:"routing_backends" json:"routingBackends,omitempty"`
	// AllowedPostLogoutURIs are where an OAuth2 logout may redirect.
	AllowedPostLogoutURIs []string `yaml:"allowed_post_logout_uris" json:"allowedPostLogoutUris,omitempty"`
	// PostLogoutState is passed back after an OAuth2 logout.
	PostLogoutState string `yaml:"post_logout_state" json:"postLogoutState,omitempty"`
}

// StockHeader is one header of a stock response.
type StockHeader struct {
	// Name is the header name.
	Name string `yaml:"name" json:"name,omitempty"`
	// Value is the header value.
	Value string `yaml:"value" json:"value,omitempty"`
}

// RoutingBackend is one branch of dynamic routing.
type RoutingBackend struct {
	// Key says which selector values choose this backend.
	Key SelectionKey `yaml:"key" json:"key,omitzero"`
	// Backend serves the branch (HTTP, functions or stock response).
	Backend Backend `yaml:"backend" json:"backend"`
}

// RouteRequestPolicies are the request policies of one route.
type RouteRequestPolicies struct {
	// Authorization says who may call the route. Zero: OCI's default
	// (AUTHENTICATION_ONLY when the deployment authenticates).
	Authorization Authorization `yaml:"authorization" json:"authorization,omitzero"`
	// CORS overrides the deployment's CORS policy. Zero: none.
	CORS CORSPolicy `yaml:"cors" json:"cors,omitzero"`
	// QueryParameterValidations checks query parameters. Zero: none.
	QueryParameterValidations QueryParameterValidations `yaml:"query_parameter_validations" json:"queryParameterValidations,omitzero"`
	// HeaderValidations checks request headers. Zero: none.
	HeaderValidations HeaderValidations `yaml:"header_validations" json:"headerValidations,omitzero"`
	// BodyValidation checks the request body's media type. Zero: none.
	BodyValidation BodyValidation `yaml:"body_validation" json:"bodyValidation,omitzero"`
	// HeaderTransformations change request headers. Zero: none.
	HeaderTransformations HeaderTransformations `yaml:"header_transformations" json:"headerTransformations,omitzero"`
	// QueryParameterTransformations change query parameters. Zero: none.
	QueryParameterTransformations QueryParameterTransformations `yaml:"query_parameter_transformations" json:"queryParameterTransformations,omitzero"`
	// ResponseCacheLookup looks responses up in the gateway's cache.
	// Zero: none.
	ResponseCacheLookup ResponseCacheLookup `yaml:"response_cache_lookup" json:"responseCacheLookup,omitzero"`
}

// Authorization is a route's authorization policy.
type Authorization struct {
	// Type is ANY_OF, ANONYMOUS or AUTHENTICATION_ONLY; required.
	Type AuthorizationType `yaml:"type" json:"type,omitempty"`
	// AllowedScope lists scopes, any of which grants access (ANY_OF).
	AllowedScope []string `yaml:"allowed_scope" json:"allowedScope,omitempty"`
}

// HeaderValidations validates request headers.
type HeaderValidations struct {
	// ValidationMode is ENFORCING, PERMISSIVE or DISABLED; "": OCI's
	// default (ENFORCING).
	ValidationMode ValidationMode `yaml:"validation_mode" json:"validationMode,omitempty"`
	// Headers lists the headers checked.
	Headers []ValidationItem `yaml:"headers" json:"headers,omitempty"`
}

// QueryParameterValidations validates query parameters.
type QueryParameterValidations struct {
	// ValidationMode is ENFORCING, PERMISSIVE or DISABLED; "": OCI's
	// default (ENFORCING).
	ValidationMode ValidationMode `yaml:"validation_mode" json:"validationMode,omitempty"`
	// Parameters lists the parameters checked.
	Parameters []ValidationItem `yaml:"parameters" json:"parameters,omitempty"`
}

// ValidationItem is one header or query parameter to validate.
type ValidationItem struct {
	// Name is the header or parameter name; required.
	Name string `yaml:"name" json:"name,omitempty"`
	// Required rejects requests without it.
	Required bool `yaml:"required" json:"required,omitempty"`
}

// BodyValidation validates the request body's media type.
type BodyValidation struct {
	// Required rejects requests without a body.
	Required bool `yaml:"required" json:"required,omitempty"`
	// ValidationMode is ENFORCING, PERMISSIVE or DISABLED; "": OCI's
	// default (ENFORCING).
	ValidationMode ValidationMode `yaml:"validation_mode" json:"validationMode,omitempty"`
	// Content maps media ranges (*/*, type/*, type/subtype) to their
	// validation; at least one. YAML may also write it as Terraform does,
	// a list of {media_type, validation_type}.
	Content map[string]ContentValidation `yaml:"content" json:"content,omitempty"`
}

// ContentValidation is the validation of one media range.
type ContentValidation struct {
	// ValidationType is NONE, the only kind (media type check only).
	ValidationType ContentValidationType `yaml:"validation_type" json:"validationType,omitempty"`
}

// HeaderTransformations change headers. A header name may appear in only
// one of the three policies (except names an ALLOW filter keeps).
type HeaderTransformations struct {
	// SetHeaders adds or replaces headers.
	SetHeaders SetPolicy `yaml:"set_headers" json:"setHeaders,omitzero"`
	// RenameHeaders renames headers.
	RenameHeaders RenamePolicy `yaml:"rename_headers" json:"renameHeaders,omitzero"`
	// FilterHeaders keeps or removes headers.
	FilterHeaders FilterPolicy `yaml:"filter_headers" json:"filterHeaders,omitzero"`
}

// QueryParameterTransformations change query parameters (names are case
// sensitive).
type QueryParameterTransformations struct {
	// SetQueryParameters adds or replaces parameters.
	SetQueryParameters SetPolicy `yaml:"set_query_parameters" json:"setQueryParameters,omitzero"`
	// RenameQueryParameters renames parameters.
	RenameQueryParameters RenamePolicy `yaml:"rename_query_parameters" json:"renameQueryParameters,omitzero"`
	// FilterQueryParameters keeps or removes parameters.
	FilterQueryParameters FilterPolicy `yaml:"filter_query_parameters" json:"filterQueryParameters,omitzero"`
}

// SetPolicy sets headers or query parameters.
type SetPolicy struct {
	// Items are the names and values to set; at least one.
	Items []SetItem `yaml:"items" json:"items,omitempty"`
}

// SetItem sets one header or query parameter.
type SetItem struct {
	// Name is the header or parameter; required.
	Name string `yaml:"name" json:"name,omitempty"`
	// Values are constants or ${request...} expressions; at least one.
	Values []string `yaml:"values" json:"values,omitempty"`
	// IfExists is OVERWRITE, APPEND or SKIP; "": OCI's default (OVERWRITE).
	IfExists IfExists `yaml:"if_exists" json:"ifExists,omitempty"`
}

// RenamePolicy renames headers or query parameters.
type RenamePolicy struct {
	// Items are the renames; at least one.
	Items []RenameItem `yaml:"items" json:"items,omitempty"`
}

// RenameItem renames one header or query parameter.
type RenameItem struct {
	// From is the current name; required.
	From string `yaml:"from" json:"from,omitempty"`
	// To is the new name; required.
	To string `yaml:"to" json:"to,omitempty"`
}

// FilterPolicy keeps (ALLOW) or removes (BLOCK) headers or query
// parameters.
type FilterPolicy struct {
	// Type is ALLOW or BLOCK; required.
	Type FilterType `yaml:"type" json:"type,omitempty"`
	// Items are the names; at least one.
	Items []FilterItem `yaml:"items" json:"items,omitempty"`
}

// FilterItem names one header or query parameter of a filter.
type FilterItem struct {
	// Name is the header or parameter; required.
	Name string `yaml:"name" json:"name,omitempty"`
}

// ResponseCacheLookup looks responses up in the gateway's response cache.
type ResponseCacheLookup struct {
	// Type is SIMPLE_LOOKUP_POLICY, the only kind; required.
	Type CacheLookupType `yaml:"type" json:"type,omitempty"`
	// IsEnabled turns the lookup on or off. Nil: OCI's default (on).
	IsEnabled *bool `yaml:"is_enabled" json:"isEnabled,omitempty"`
	// IsPrivateCachingEnabled caches requests that carry credentials.
	IsPrivateCachingEnabled bool `yaml:"is_private_caching_enabled" json:"isPrivateCachingEnabled,omitempty"`
	// CacheKeyAdditions are ${request...} expressions added to the key.
	CacheKeyAdditions []string `yaml:"cache_key_additions" json:"cacheKeyAdditions,omitempty"`
}

// ResponsePolicies are the response policies of one route.
type ResponsePolicies struct {
	// HeaderTransformations change response headers. Zero: none.
	HeaderTransformations HeaderTransformations `yaml:"header_transformations" json:"headerTransformations,omitzero"`
	// ResponseCacheStore stores responses in the gateway's cache. Zero: none.
	ResponseCacheStore ResponseCacheStore `yaml:"response_cache_store" json:"responseCacheStore,omitzero"`
}

// ResponseCacheStore stores responses in the gateway's response cache.
type ResponseCacheStore struct {
	// Type is FIXED_TTL_STORE_POLICY, the only kind; required.
	Type CacheStoreType `yaml:"type" json:"type,omitempty"`
	// TimeToLiveInSeconds is how long a response is kept; required.
	TimeToLiveInSeconds int `yaml:"time_to_live_in_seconds" json:"timeToLiveInSeconds,omitempty"`
}
