package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Token exchange (issue 5, item 5): the emulator plays an OCI IAM identity
// domain's OAuth endpoint, POST /oauth2/v1/token, as the SDK's
// auth.TokenExchangeConfigurationProviderFromToken calls it. It trusts one
// OIDC issuer (GitHub Actions, say) and one confidential OAuth client, and
// exchanges a subject token from that issuer for a session token (a UPST)
// bound to the caller's public key. Control-plane requests signed with
// keyId "ST$<session token>" and the matching private key are then accepted.

// Limits of the token exchange.
const (
	maxTokenRequestBody = 64 << 10 // the form: a subject token and a public key
	defaultTokenLeeway  = time.Minute
	maxTokenLeeway      = 10 * time.Minute
	maxSessionTTL       = 60 * time.Minute // OCI: a UPST lives at most 60 minutes
	minSessionKeyBits   = 2048
	maxSessionKeyBits   = 8192
)

// OAuth and OCI token-exchange constants (RFC 8693; the SDK's
// common/auth/workload_identity_federation.go). They name kinds of grant
// and token; none is a credential.
const (
	grantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange" //nolint:gosec // G101: a grant type, not a credential
	tokenTypeUPST          = "urn:oci:token-type:oci-upst"                     //nolint:gosec // G101: a token type, not a credential
	tokenTypeRPST          = "urn:oci:token-type:oci-rpst"                     //nolint:gosec // G101: a token type, not a credential
)

// subjectTokenTypes are the subject_token_type values accepted: the SDK
// sends none unless told, GitHub-to-OCI actions send "jwt".
var subjectTokenTypes = []string{"", "jwt", "urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token"}

// TokenExchangeConfig configures the emulator's identity-domain token
// endpoint (POST /oauth2/v1/token on the control plane). Pass it to
// WithTokenExchange.
type TokenExchangeConfig struct {
	// ClientID and ClientSecret are the identity domain's confidential
	// OAuth client: callers authenticate with HTTP Basic (or the form
	// fields client_id and client_secret). Both are required.
	ClientID     string
	ClientSecret string
	// Issuer is the exact "iss" subject tokens must carry, for example
	// https://token.actions.githubusercontent.com. Required.
	Issuer string
	// Audience must be one of the subject token's "aud" values. Required.
	Audience string
	// JWKSURL is where the issuer's signing keys are fetched (an http or
	// https URL; fetched with retries that honour Retry-After, cached for
	// ten minutes, fetched again when a token names an unknown key id).
	JWKSURL string
	// StaticKeys trusts these keys instead of fetching any: key id ->
	// *rsa.PublicKey (2048 bits or more) or *ecdsa.PublicKey on P-256.
	// When both StaticKeys and JWKSURL are empty the key set's URL is
	// discovered at <Issuer>/.well-known/openid-configuration.
	StaticKeys map[string]crypto.PublicKey
	// RequiredClaims are string claims the subject token must carry with
	// these values, e.g. {"repository": "org/repo", "ref": "refs/tags/*"};
	// a value ending in "*" matches any value with that prefix.
	RequiredClaims map[string]string
	// Leeway is the clock skew allowed on exp, nbf and iat (default one
	// minute, at most ten).
	Leeway time.Duration
	// SessionTTL is how long issued session tokens live (default and
	// maximum 60 minutes, as OCI's). The SDK renews a session token that
	// has less than five minutes left, so keep it above that.
	SessionTTL time.Duration
	// UserID is the "sub" of issued session tokens: the service user the
	// identity domain maps federated callers to. The default is the
	// emulator's user (Info().UserID).
	UserID string
	// HTTPClient fetches the key set (default: a client with a 30 s timeout).
	HTTPClient *http.Client
}

// WithTokenExchange enables the identity-domain token endpoint,
// POST <control plane>/oauth2/v1/token, with the given trust. Without it the
// endpoint refuses every client and ST$ key ids are not accepted.
func WithTokenExchange(cfg TokenExchangeConfig) Option {
	return func(o *options) error {
		c, err := cfg.validated()
		if err != nil {
			return fmt.Errorf("token exchange: %w", err)
		}
		o.tokenExchange = c
		return nil
	}
}

// validated checks cfg, fills in defaults, and returns a copy that the
// caller can no longer change.
func (cfg TokenExchangeConfig) validated() (*TokenExchangeConfig, error) {
	var errs []error
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		errs = append(errs, errors.New("ClientID and ClientSecret are required"))
	}
	if strings.Contains(cfg.ClientID, ":") {
		errs = append(errs, errors.New("ClientID must not contain ':' (HTTP Basic cannot carry it)"))
	}
	if cfg.Issuer == "" {
		errs = append(errs, errors.New("issuer is required (e.g. https://token.actions.githubusercontent.com)"))
	}
	if cfg.Audience == "" {
		errs = append(errs, errors.New("audience is required"))
	}
	if cfg.JWKSURL != "" && len(cfg.StaticKeys) > 0 {
		errs = append(errs, errors.New("set JWKSURL or StaticKeys, not both"))
	}
	if cfg.JWKSURL != "" {
		if err := checkHTTPURL(cfg.JWKSURL); err != nil {
			errs = append(errs, fmt.Errorf("JWKSURL: %w", err))
		}
	}
	if cfg.JWKSURL == "" && len(cfg.StaticKeys) == 0 {
		if err := checkHTTPURL(cfg.Issuer); err != nil {
			errs = append(errs, fmt.Errorf("with neither JWKSURL nor StaticKeys the key set is discovered from the issuer, which must then be a URL: %w", err))
		}
	}
	for kid, k := range cfg.StaticKeys {
		if err := checkTrustedKey(k); err != nil {
			errs = append(errs, fmt.Errorf("StaticKeys[%q]: %w", kid, err))
		}
	}
	if cfg.Leeway < 0 || cfg.Leeway > maxTokenLeeway {
		errs = append(errs, fmt.Errorf("leeway %s must be from 0 to %s", cfg.Leeway, maxTokenLeeway))
	}
	if cfg.SessionTTL < 0 || cfg.SessionTTL > maxSessionTTL {
		errs = append(errs, fmt.Errorf("SessionTTL %s must be from 0 (the default, %s) to %s", cfg.SessionTTL, maxSessionTTL, maxSessionTTL))
	}
	for name := range cfg.RequiredClaims {
		if name == "" {
			errs = append(errs, errors.New("RequiredClaims has an empty claim name"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = defaultTokenLeeway
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = maxSessionTTL
	}
	cfg.StaticKeys = maps.Clone(cfg.StaticKeys)
	cfg.RequiredClaims = maps.Clone(cfg.RequiredClaims)
	return &cfg, nil
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", s)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http or https URL", s)
	}
	return nil
}

// checkTrustedKey accepts the key types subject tokens may be signed with:
// RSA (RS256) of 2048 bits or more, ECDSA on P-256 (ES256).
func checkTrustedKey(k crypto.PublicKey) error {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.N.BitLen() < minSessionKeyBits {
			return fmt.Errorf("an RSA key must have at least %d bits", minSessionKeyBits)
		}
	case *ecdsa.PublicKey:
		if k == nil || k.Curve != elliptic.P256() {
			return errors.New("an ECDSA key must be on P-256 (ES256)")
		}
	default:
		return fmt.Errorf("a %T is not accepted: use an *rsa.PublicKey (RS256) or a P-256 *ecdsa.PublicKey (ES256)", k)
	}
	return nil
}

// oauthError is an error answered in OAuth's shape (RFC 6749 §5.2): a
// status and {"error": ..., "error_description": ...}. Descriptions never
// contain a token, a secret or a client id.
type oauthError struct {
	Status      int
	Code        string
	Description string
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

// OAuth error codes (RFC 6749 §5.2; RFC 8693 §2.2.2 answers an invalid or
// unacceptable subject token with invalid_request).
const (
	oauthInvalidRequest    = "invalid_request"
	oauthInvalidClient     = "invalid_client"
	oauthUnsupportedGrant  = "unsupported_grant_type"
	oauthServerError       = "server_error"
	oauthTemporarilyFailed = "temporarily_unavailable"
)

func badTokenRequest(format string, args ...any) *oauthError {
	return &oauthError{Status: http.StatusBadRequest, Code: oauthInvalidRequest, Description: fmt.Sprintf(format, args...)}
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="emulator identity domain"`)
	}
	writeJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Description})
}

// quoteShort quotes a value from a request for an error message, or only
// says how long it is when it is long enough to be a token.
func quoteShort(s string) string {
	if len(s) > 64 {
		return fmt.Sprintf("(a %d-byte value)", len(s))
	}
	return fmt.Sprintf("%q", s)
}
