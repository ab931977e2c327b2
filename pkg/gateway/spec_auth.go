package gateway

// Authentication is an authentication policy. Type says which fields
// apply:
//   - JWT_AUTHENTICATION: Issuers, Audiences, PublicKeys, VerifyClaims,
//     the token location fields and MaxClockSkewInSeconds;
//   - TOKEN_AUTHENTICATION: ValidationPolicy, ValidationFailurePolicy, the
//     token location fields and MaxClockSkewInSeconds;
//   - CUSTOM_AUTHENTICATION: Function or FunctionID (the authorizer),
//     TokenHeader or TokenQueryParam, Parameters, CacheKey and
//     ValidationFailurePolicy.
//
// All three take IsAnonymousAccessAllowed, which must be true for a route
// to use ANONYMOUS authorization.
type Authentication struct {
	// Type is the policy type; "" means no authentication.
	Type AuthenticationType `yaml:"type" json:"type,omitempty"`
	// IsAnonymousAccessAllowed lets ANONYMOUS routes be called without a
	// token.
	IsAnonymousAccessAllowed bool `yaml:"is_anonymous_access_allowed" json:"isAnonymousAccessAllowed,omitempty"`
	// TokenHeader is the header that carries the token, such as
	// Authorization. Exactly one of TokenHeader and TokenQueryParam.
	TokenHeader string `yaml:"token_header" json:"tokenHeader,omitempty"`
	// TokenQueryParam is the query parameter that carries the token.
	TokenQueryParam string `yaml:"token_query_param" json:"tokenQueryParam,omitempty"`
	// TokenAuthScheme is the scheme before the token in TokenHeader, such
	// as Bearer; required with TokenHeader (JWT and TOKEN).
	TokenAuthScheme string `yaml:"token_auth_scheme" json:"tokenAuthScheme,omitempty"`
	// MaxClockSkewInSeconds is 0 to 120 (JWT and TOKEN).
	MaxClockSkewInSeconds float32 `yaml:"max_clock_skew_in_seconds" json:"maxClockSkewInSeconds,omitempty"`
	// Issuers are the accepted iss values, 1 to 5 (JWT).
	Issuers []string `yaml:"issuers" json:"issuers,omitempty"`
	// Audiences are the accepted aud values, 1 to 5 (JWT).
	Audiences []string `yaml:"audiences" json:"audiences,omitempty"`
	// PublicKeys verify token signatures (JWT).
	PublicKeys PublicKeys `yaml:"public_keys" json:"publicKeys,omitzero"`
	// VerifyClaims are further claim checks, at most 10 (JWT).
	VerifyClaims []Claim `yaml:"verify_claims" json:"verifyClaims,omitempty"`
	// ValidationPolicy validates tokens (TOKEN).
	ValidationPolicy TokenValidation `yaml:"validation_policy" json:"validationPolicy,omitzero"`
	// ValidationFailurePolicy answers requests that fail (TOKEN, CUSTOM).
	// Zero: OCI's default (401).
	ValidationFailurePolicy ValidationFailure `yaml:"validation_failure_policy" json:"validationFailurePolicy,omitzero"`
	// FunctionID is the authorizer function's OCID (CUSTOM).
	FunctionID string `yaml:"function_id" json:"functionId,omitempty"`
	// Function names the authorizer function (an osa extension); [ToSDK]
	// resolves it.
	Function string `yaml:"function" json:"function,omitempty"`
	// Parameters map argument names to context variables passed to the
	// authorizer, such as request.headers[x-api-key] (CUSTOM); at most 10.
	Parameters map[string]string `yaml:"parameters" json:"parameters,omitempty"`
	// CacheKey lists the Parameters keys that make up the authorizer's
	// cache key (CUSTOM). Nil: all of them.
	CacheKey []string `yaml:"cache_key" json:"cacheKey,omitempty"`
}

// PublicKeys is the key set of a JWT_AUTHENTICATION policy: REMOTE_JWKS
// uses URI, IsSSLVerifyDisabled and MaxCacheDurationInHours; STATIC_KEYS
// uses Keys.
type PublicKeys struct {
	// Type is REMOTE_JWKS or STATIC_KEYS; required.
	Type PublicKeysType `yaml:"type" json:"type,omitempty"`
	// URI is the JWKS URL, reachable without authentication.
	URI string `yaml:"uri" json:"uri,omitempty"`
	// IsSSLVerifyDisabled skips TLS verification of URI.
	IsSSLVerifyDisabled bool `yaml:"is_ssl_verify_disabled" json:"isSslVerifyDisabled,omitempty"`
	// MaxCacheDurationInHours is how long the JWKS is cached; 0: OCI's
	// default.
	MaxCacheDurationInHours int `yaml:"max_cache_duration_in_hours" json:"maxCacheDurationInHours,omitempty"`
	// Keys are the static keys.
	Keys []StaticKey `yaml:"keys" json:"keys,omitempty"`
}

// StaticKey is one static public key: JSON_WEB_KEY uses Kty, N, E, Alg,
// Use and KeyOps; PEM uses Key. Both need Kid. Keys are RSA, 2048 to 4096
// bits.
type StaticKey struct {
	// Format is JSON_WEB_KEY or PEM; required.
	Format KeyFormat `yaml:"format" json:"format,omitempty"`
	// Kid is the key id tokens name in their header; required.
	Kid string `yaml:"kid" json:"kid,omitempty"`
	// Kty is RSA, the only key type (JSON_WEB_KEY).
	Kty KeyType `yaml:"kty" json:"kty,omitempty"`
	// N is the base64url modulus (JSON_WEB_KEY).
	N string `yaml:"n" json:"n,omitempty"`
	// E is the base64url exponent (JSON_WEB_KEY).
	E string `yaml:"e" json:"e,omitempty"`
	// Alg is RS256, RS384 or RS512 (JSON_WEB_KEY). "": any of them.
	Alg string `yaml:"alg" json:"alg,omitempty"`
	// Use is sig (JSON_WEB_KEY). "": not stated.
	Use KeyUse `yaml:"use" json:"use,omitempty"`
	// KeyOps is [verify] (JSON_WEB_KEY). Nil: not stated.
	KeyOps []KeyOp `yaml:"key_ops" json:"key_ops,omitempty"`
	// Key is the PEM-encoded public key (PEM).
	Key string `yaml:"key" json:"key,omitempty"`
}

// Claim is one JWT claim check.
type Claim struct {
	// Key is the claim name; required.
	Key string `yaml:"key" json:"key,omitempty"`
	// Values are accepted values, matched exactly. Nil: any value.
	Values []string `yaml:"values" json:"values,omitempty"`
	// IsRequired rejects tokens without the claim; when false, the values
	// are checked only if the claim is present.
	IsRequired bool `yaml:"is_required" json:"isRequired,omitempty"`
}

// TokenValidation is how a TOKEN_AUTHENTICATION policy validates tokens:
// STATIC_KEYS uses Keys; REMOTE_JWKS uses URI; REMOTE_DISCOVERY uses
// ClientDetails and SourceURIDetails. REMOTE_* also use
// IsSSLVerifyDisabled and MaxCacheDurationInHours; all use
// AdditionalValidationPolicy.
type TokenValidation struct {
	// Type is STATIC_KEYS, REMOTE_JWKS or REMOTE_DISCOVERY; required.
	Type TokenValidationType `yaml:"type" json:"type,omitempty"`
	// Keys are the static keys (STATIC_KEYS).
	Keys []StaticKey `yaml:"keys" json:"keys,omitempty"`
	// URI is the JWKS URL (REMOTE_JWKS).
	URI string `yaml:"uri" json:"uri,omitempty"`
	// IsSSLVerifyDisabled skips TLS verification of remote calls.
	IsSSLVerifyDisabled bool `yaml:"is_ssl_verify_disabled" json:"isSslVerifyDisabled,omitempty"`
	// MaxCacheDurationInHours is how long keys or introspection results
	// are cached; 0: OCI's default.
	MaxCacheDurationInHours int `yaml:"max_cache_duration_in_hours" json:"maxCacheDurationInHours,omitempty"`
	// ClientDetails are the OAuth2 client credentials (REMOTE_DISCOVERY).
	ClientDetails ClientDetails `yaml:"client_details" json:"clientDetails,omitzero"`
	// SourceURIDetails locate the discovery document (REMOTE_DISCOVERY).
	SourceURIDetails SourceURIDetails `yaml:"source_uri_details" json:"sourceUriDetails,omitzero"`
	// AdditionalValidationPolicy adds issuer, audience and claim checks.
	AdditionalValidationPolicy AdditionalValidation `yaml:"additional_validation_policy" json:"additionalValidationPolicy,omitzero"`
}

// AdditionalValidation adds checks to token validation.
type AdditionalValidation struct {
	// Issuers are the accepted iss values.
	Issuers []string `yaml:"issuers" json:"issuers,omitempty"`
	// Audiences are the accepted aud values.
	Audiences []string `yaml:"audiences" json:"audiences,omitempty"`
	// VerifyClaims are further claim checks.
	VerifyClaims []Claim `yaml:"verify_claims" json:"verifyClaims,omitempty"`
}

// ClientDetails are OAuth2 client credentials: CUSTOM gives them (the
// secret lives in OCI Vault), VALIDATION_BLOCK reuses the validation
// policy's.
type ClientDetails struct {
	// Type is CUSTOM or VALIDATION_BLOCK; required.
	Type ClientDetailsType `yaml:"type" json:"type,omitempty"`
	// ClientID is the OAuth2 client id (CUSTOM).
	ClientID string `yaml:"client_id" json:"clientId,omitempty"`
	// ClientSecretID is the OCID of the Vault secret (CUSTOM).
	ClientSecretID string `yaml:"client_secret_id" json:"clientSecretId,omitempty"`
	// ClientSecretVersionNumber is the secret's version (CUSTOM).
	ClientSecretVersionNumber int64 `yaml:"client_secret_version_number" json:"clientSecretVersionNumber,omitempty"`
}

// SourceURIDetails locate an OAuth2 discovery document: DISCOVERY_URI
// gives URI, VALIDATION_BLOCK reuses the validation policy's.
type SourceURIDetails struct {
	// Type is DISCOVERY_URI or VALIDATION_BLOCK; required.
	Type SourceURIType `yaml:"type" json:"type,omitempty"`
	// URI is the discovery URL (DISCOVERY_URI).
	URI string `yaml:"uri" json:"uri,omitempty"`
}

// ValidationFailure answers requests whose token or authorizer fails.
// MODIFY_RESPONSE uses ResponseCode, ResponseMessage and
// ResponseHeaderTransformations; OAUTH2 (with REMOTE_DISCOVERY only) uses
// the rest.
type ValidationFailure struct {
	// Type is MODIFY_RESPONSE or OAUTH2; required.
	Type ValidationFailureType `yaml:"type" json:"type,omitempty"`
	// ResponseCode is the status to answer with, such as 401; it may be a
	// context variable.
	ResponseCode string `yaml:"response_code" json:"responseCode,omitempty"`
	// ResponseMessage is the body to answer with; it may use context
	// variables.
	ResponseMessage string `yaml:"response_message" json:"responseMessage,omitempty"`
	// ResponseHeaderTransformations change the failure response's headers.
	ResponseHeaderTransformations HeaderTransformations `yaml:"response_header_transformations" json:"responseHeaderTransformations,omitzero"`
	// ClientDetails are the OAuth2 client credentials (OAUTH2).
	ClientDetails ClientDetails `yaml:"client_details" json:"clientDetails,omitzero"`
	// SourceURIDetails locate the discovery document (OAUTH2).
	SourceURIDetails SourceURIDetails `yaml:"source_uri_details" json:"sourceUriDetails,omitzero"`
	// Scopes are requested from the authorization server (OAUTH2).
	Scopes []string `yaml:"scopes" json:"scopes,omitempty"`
	// ResponseType is CODE (OAUTH2).
	ResponseType OAuth2ResponseType `yaml:"response_type" json:"responseType,omitempty"`
	// MaxExpiryDurationInHours caps how long a session token is cached
	// (OAUTH2); 0: OCI's default.
	MaxExpiryDurationInHours int `yaml:"max_expiry_duration_in_hours" json:"maxExpiryDurationInHours,omitempty"`
	// UseCookiesForSession keeps the session in a cookie (OAUTH2). Nil:
	// OCI's default.
	UseCookiesForSession *bool `yaml:"use_cookies_for_session" json:"useCookiesForSession,omitempty"`
	// UseCookiesForIntermediateSteps uses cookies during the flow (OAUTH2).
	// Nil: OCI's default.
	UseCookiesForIntermediateSteps *bool `yaml:"use_cookies_for_intermediate_steps" json:"useCookiesForIntermediateSteps,omitempty"`
	// UsePKCE uses PKCE (OAUTH2). Nil: OCI's default.
	UsePKCE *bool `yaml:"use_pkce" json:"usePkce,omitempty"`
	// FallbackRedirectPath is where non-GET requests go after login (OAUTH2).
	FallbackRedirectPath string `yaml:"fallback_redirect_path" json:"fallbackRedirectPath,omitempty"`
	// LogoutPath is the deployment's logout path (OAUTH2).
	LogoutPath string `yaml:"logout_path" json:"logoutPath,omitempty"`
	// LoginPath is where the identity provider redirects after login; it
	// must be the path of a route with an OAUTH2_LOGIN_BACKEND (OAUTH2).
	LoginPath string `yaml:"login_path" json:"loginPath,omitempty"`
}
