package gateway

// This file holds the enumerations of the specification. Each is a string
// type whose constants are OCI's values; the loaders accept any case and
// store the canonical spelling, as the service does.

// enum is implemented by every enumeration type; Validate reports values
// outside the list.
type enum interface {
	enumValues() []string
}

// AuthenticationType selects the kind of an [Authentication] policy.
type AuthenticationType string

// Authentication policy types.
const (
	JWTAuthentication    AuthenticationType = "JWT_AUTHENTICATION"
	TokenAuthentication  AuthenticationType = "TOKEN_AUTHENTICATION"
	CustomAuthentication AuthenticationType = "CUSTOM_AUTHENTICATION"
)

func (AuthenticationType) enumValues() []string {
	return []string{"JWT_AUTHENTICATION", "TOKEN_AUTHENTICATION", "CUSTOM_AUTHENTICATION"}
}

// PublicKeysType selects where a JWT_AUTHENTICATION policy finds its keys.
type PublicKeysType string

// Public key set types.
const (
	RemoteJWKS PublicKeysType = "REMOTE_JWKS"
	StaticKeys PublicKeysType = "STATIC_KEYS"
)

func (PublicKeysType) enumValues() []string { return []string{"REMOTE_JWKS", "STATIC_KEYS"} }

// KeyFormat is the format of a static public key.
type KeyFormat string

// Static key formats.
const (
	JSONWebKey KeyFormat = "JSON_WEB_KEY"
	PEMKey     KeyFormat = "PEM"
)

func (KeyFormat) enumValues() []string { return []string{"JSON_WEB_KEY", "PEM"} }

// KeyType is a JSON Web Key's kty; OCI accepts only RSA.
type KeyType string

// KeyTypeRSA is the only key type OCI accepts.
const KeyTypeRSA KeyType = "RSA"

func (KeyType) enumValues() []string { return []string{"RSA"} }

// KeyUse is a JSON Web Key's use; OCI accepts only sig.
type KeyUse string

// KeyUseSig is the only key use OCI accepts.
const KeyUseSig KeyUse = "sig"

func (KeyUse) enumValues() []string { return []string{"sig"} }

// KeyOp is one of a JSON Web Key's key_ops; OCI accepts only verify.
type KeyOp string

// KeyOpVerify is the only key operation OCI accepts.
const KeyOpVerify KeyOp = "verify"

func (KeyOp) enumValues() []string { return []string{"verify"} }

// TokenValidationType selects how a TOKEN_AUTHENTICATION policy validates
// tokens.
type TokenValidationType string

// Token validation policy types.
const (
	TokenStaticKeys      TokenValidationType = "STATIC_KEYS"
	TokenRemoteJWKS      TokenValidationType = "REMOTE_JWKS" //nolint:gosec // an enumeration value, not a credential
	TokenRemoteDiscovery TokenValidationType = "REMOTE_DISCOVERY"
)

func (TokenValidationType) enumValues() []string {
	return []string{"STATIC_KEYS", "REMOTE_JWKS", "REMOTE_DISCOVERY"}
}

// ValidationFailureType selects what the gateway does when a token or an
// authorizer rejects a request.
type ValidationFailureType string

// Validation failure policy types.
const (
	ModifyResponse ValidationFailureType = "MODIFY_RESPONSE"
	OAuth2Failure  ValidationFailureType = "OAUTH2"
)

func (ValidationFailureType) enumValues() []string { return []string{"MODIFY_RESPONSE", "OAUTH2"} }

// OAuth2ResponseType is the OAuth2 response type; OCI accepts only CODE.
type OAuth2ResponseType string

// OAuth2Code is the authorization-code flow, the only one OCI offers.
const OAuth2Code OAuth2ResponseType = "CODE"

func (OAuth2ResponseType) enumValues() []string { return []string{"CODE"} }

// ClientDetailsType selects where OAuth2 client credentials come from.
type ClientDetailsType string

// Client details types.
const (
	CustomClient          ClientDetailsType = "CUSTOM"
	ValidationBlockClient ClientDetailsType = "VALIDATION_BLOCK"
)

func (ClientDetailsType) enumValues() []string { return []string{"CUSTOM", "VALIDATION_BLOCK"} }

// SourceURIType selects where an OAuth2 discovery URI comes from.
type SourceURIType string

// Source URI details types.
const (
	DiscoveryURI          SourceURIType = "DISCOVERY_URI"
	ValidationBlockSource SourceURIType = "VALIDATION_BLOCK"
)

func (SourceURIType) enumValues() []string { return []string{"DISCOVERY_URI", "VALIDATION_BLOCK"} }

// BackendType selects the kind of a route's [Backend].
type BackendType string

// Backend types.
const (
	HTTPBackend          BackendType = "HTTP_BACKEND"
	FunctionsBackend     BackendType = "ORACLE_FUNCTIONS_BACKEND"
	StockResponseBackend BackendType = "STOCK_RESPONSE_BACKEND"
	DynamicRouting       BackendType = "DYNAMIC_ROUTING_BACKEND"
	OAuth2LoginBackend   BackendType = "OAUTH2_LOGIN_BACKEND"
	OAuth2LogoutBackend  BackendType = "OAUTH2_LOGOUT_BACKEND"
)

func (BackendType) enumValues() []string {
	return []string{"HTTP_BACKEND", "ORACLE_FUNCTIONS_BACKEND", "STOCK_RESPONSE_BACKEND",
		"DYNAMIC_ROUTING_BACKEND", "OAUTH2_LOGIN_BACKEND", "OAUTH2_LOGOUT_BACKEND"}
}

// SelectionSourceType selects how dynamic routing and dynamic
// authentication pick a branch; OCI offers only SINGLE.
type SelectionSourceType string

// SingleSelection picks a branch from one context variable.
const SingleSelection SelectionSourceType = "SINGLE"

func (SelectionSourceType) enumValues() []string { return []string{"SINGLE"} }

// SelectionKeyType selects how a branch of dynamic routing or dynamic
// authentication matches the selector's value.
type SelectionKeyType string

// Selection key types.
const (
	AnyOfKey    SelectionKeyType = "ANY_OF"
	WildcardKey SelectionKeyType = "WILDCARD"
)

func (SelectionKeyType) enumValues() []string { return []string{"ANY_OF", "WILDCARD"} }

// AuthorizationType selects a route's authorization policy.
type AuthorizationType string

// Route authorization types.
const (
	AnyOfAuthorization AuthorizationType = "ANY_OF"
	Anonymous          AuthorizationType = "ANONYMOUS"
	AuthenticationOnly AuthorizationType = "AUTHENTICATION_ONLY"
)

func (AuthorizationType) enumValues() []string {
	return []string{"ANY_OF", "ANONYMOUS", "AUTHENTICATION_ONLY"}
}

// ContentValidationType is how a body of one media type is validated; OCI
// offers only NONE (the media type alone is checked).
type ContentValidationType string

// NoContentValidation checks the media type only.
const NoContentValidation ContentValidationType = "NONE"

func (ContentValidationType) enumValues() []string { return []string{"NONE"} }

// CacheLookupType is the kind of a response cache lookup policy.
type CacheLookupType string

// SimpleLookup is the only response cache lookup policy.
const SimpleLookup CacheLookupType = "SIMPLE_LOOKUP_POLICY"

func (CacheLookupType) enumValues() []string { return []string{"SIMPLE_LOOKUP_POLICY"} }

// CacheStoreType is the kind of a response cache store policy.
type CacheStoreType string

// FixedTTLStore is the only response cache store policy.
const FixedTTLStore CacheStoreType = "FIXED_TTL_STORE_POLICY"

func (CacheStoreType) enumValues() []string { return []string{"FIXED_TTL_STORE_POLICY"} }

// RateKey is what a rate limit counts requests by.
type RateKey string

// Rate limiting keys.
const (
	RateKeyClientIP RateKey = "CLIENT_IP"
	RateKeyTotal    RateKey = "TOTAL"
)

func (RateKey) enumValues() []string { return []string{"CLIENT_IP", "TOTAL"} }

// ValidationMode is how strictly a request validation policy applies.
type ValidationMode string

// Validation modes.
const (
	Enforcing  ValidationMode = "ENFORCING"
	Permissive ValidationMode = "PERMISSIVE"
	Disabled   ValidationMode = "DISABLED"
)

func (ValidationMode) enumValues() []string { return []string{"ENFORCING", "PERMISSIVE", "DISABLED"} }

// IfExists is what a set transformation does when the header or query
// parameter is already present.
type IfExists string

// IfExists behaviours.
const (
	Overwrite IfExists = "OVERWRITE"
	Append    IfExists = "APPEND"
	Skip      IfExists = "SKIP"
)

func (IfExists) enumValues() []string { return []string{"OVERWRITE", "APPEND", "SKIP"} }

// FilterType says whether a filter transformation lists what to keep or
// what to remove.
type FilterType string

// Filter types.
const (
	Allow FilterType = "ALLOW"
	Block FilterType = "BLOCK"
)

func (FilterType) enumValues() []string { return []string{"ALLOW", "BLOCK"} }

// LogLevel is an execution log level.
type LogLevel string

// Execution log levels.
const (
	LogInfo  LogLevel = "INFO"
	LogWarn  LogLevel = "WARN"
	LogError LogLevel = "ERROR"
)

func (LogLevel) enumValues() []string { return []string{"INFO", "WARN", "ERROR"} }

// Method is an HTTP method a route accepts; ANY accepts all of them.
type Method string

// Route methods.
const (
	MethodAny     Method = "ANY"
	MethodHead    Method = "HEAD"
	MethodGet     Method = "GET"
	MethodPost    Method = "POST"
	MethodPut     Method = "PUT"
	MethodPatch   Method = "PATCH"
	MethodDelete  Method = "DELETE"
	MethodOptions Method = "OPTIONS"
)

func (Method) enumValues() []string {
	return []string{"ANY", "HEAD", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
}
