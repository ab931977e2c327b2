package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/hashicorp/go-retryablehttp"
)

// How the issuer's key set is fetched and kept.
const (
	jwksCacheTTL      = 10 * time.Minute // a fetched key set is used this long
	jwksMinRefetch    = 10 * time.Second // an unknown key id fetches again, at most this often
	jwksMaxBody       = 1 << 20
	jwksFetchTimeout  = 30 * time.Second
	jwksMaxRetryAfter = 10 * time.Second // a longer Retry-After is cut to this
)

// trustedKeys is the issuer's signing key set: the static keys of the
// configuration, or the key set at JWKSURL (or the one the issuer's
// discovery document names), fetched with go-retryablehttp and cached.
type trustedKeys struct {
	static []jose.JSONWebKey
	issuer string
	client *retryablehttp.Client
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex // held across a fetch: one fetch at a time
	jwksURL string     // configured or discovered; "" until discovered
	keys    []jose.JSONWebKey
	fetched time.Time
}

func newTrustedKeys(cfg *TokenExchangeConfig, now func() time.Time, log *slog.Logger) *trustedKeys {
	k := &trustedKeys{issuer: cfg.Issuer, jwksURL: cfg.JWKSURL, now: now, log: log}
	kids := make([]string, 0, len(cfg.StaticKeys))
	for kid := range cfg.StaticKeys {
		kids = append(kids, kid)
	}
	sort.Strings(kids)
	for _, kid := range kids {
		k.static = append(k.static, jose.JSONWebKey{Key: cfg.StaticKeys[kid], KeyID: kid, Use: "sig"})
	}
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = 3
	c.RetryWaitMin = 200 * time.Millisecond
	c.RetryWaitMax = 2 * time.Second
	// DefaultBackoff honours Retry-After on 429 and 503; cap what it asks.
	c.Backoff = func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
		return min(retryablehttp.DefaultBackoff(lo, hi, attempt, resp), jwksMaxRetryAfter)
	}
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	if cfg.HTTPClient != nil {
		c.HTTPClient = cfg.HTTPClient
	} else {
		c.HTTPClient = &http.Client{Timeout: jwksFetchTimeout}
	}
	k.client = c
	return k
}

// candidates returns the keys that may have signed a token whose header
// names kid ("" names none: every key may have).
func (k *trustedKeys) candidates(ctx context.Context, kid string) ([]jose.JSONWebKey, *oauthError) {
	if len(k.static) > 0 {
		if found := keysWithID(k.static, kid); len(found) > 0 {
			return found, nil
		}
		return nil, unknownKeyID(kid, "the configured static keys")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if k.keys == nil || now.Sub(k.fetched) >= jwksCacheTTL {
		if oerr := k.refreshLocked(ctx, now); oerr != nil && k.keys == nil {
			return nil, oerr
		}
	}
	found := keysWithID(k.keys, kid)
	if len(found) == 0 && now.Sub(k.fetched) >= jwksMinRefetch {
		// The issuer may have rotated its keys since the last fetch.
		if oerr := k.refreshLocked(ctx, now); oerr != nil {
			return nil, oerr
		}
		found = keysWithID(k.keys, kid)
	}
	if len(found) == 0 {
		return nil, unknownKeyID(kid, "the issuer's key set ("+k.jwksURL+")")
	}
	return found, nil
}

func unknownKeyID(kid, where string) *oauthError {
	if kid == "" {
		return badTokenRequest("the subject token names no key id (kid) and %s has no key", where)
	}
	return badTokenRequest("the subject token is signed with key id %s, which is not in %s", quoteShort(kid), where)
}

func keysWithID(keys []jose.JSONWebKey, kid string) []jose.JSONWebKey {
	if kid == "" {
		return keys
	}
	var out []jose.JSONWebKey
	for _, key := range keys {
		if key.KeyID == kid {
			out = append(out, key)
		}
	}
	return out
}

// refreshLocked fetches the key set (discovering its URL first if need
// be). On failure the previous keys, if any, stay in use.
func (k *trustedKeys) refreshLocked(ctx context.Context, now time.Time) *oauthError {
	ctx, cancel := context.WithTimeout(ctx, jwksFetchTimeout)
	defer cancel()
	keys, err := k.fetch(ctx)
	if err != nil {
		k.log.Warn("token exchange: fetching the issuer's key set failed", "issuer", k.issuer, "error", err)
		return &oauthError{Status: http.StatusServiceUnavailable, Code: oauthTemporarilyFailed,
			Description: "the issuer's key set could not be fetched: " + err.Error()}
	}
	k.keys, k.fetched = keys, now
	k.log.Info("token exchange: fetched the issuer's key set", "url", k.jwksURL, "keys", len(keys))
	return nil
}

func (k *trustedKeys) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	if k.jwksURL == "" {
		u, err := k.discover(ctx)
		if err != nil {
			return nil, err
		}
		k.jwksURL = u
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := k.getJSON(ctx, k.jwksURL, &doc); err != nil {
		return nil, err
	}
	var keys []jose.JSONWebKey
	for _, raw := range doc.Keys {
		var key jose.JSONWebKey
		if json.Unmarshal(raw, &key) != nil || !key.Valid() || !key.IsPublic() ||
			(key.Use != "" && key.Use != "sig") || checkTrustedKey(key.Key) != nil {
			continue // keys for other uses or of other types: not ours to judge
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("the key set at %s has no usable signing key (RSA of 2048 bits or more, or EC P-256)", k.jwksURL)
	}
	return keys, nil
}

// discover reads the issuer's OpenID configuration for its jwks_uri.
func (k *trustedKeys) discover(ctx context.Context) (string, error) {
	u := strings.TrimSuffix(k.issuer, "/") + "/.well-known/openid-configuration"
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := k.getJSON(ctx, u, &doc); err != nil {
		return "", err
	}
	if doc.Issuer != k.issuer {
		return "", fmt.Errorf("the discovery document at %s is for issuer %s, not %q", u, quoteShort(doc.Issuer), k.issuer)
	}
	if err := checkHTTPURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("the discovery document at %s has no usable jwks_uri: %w", u, err)
	}
	return doc.JWKSURI, nil
}

// getJSON GETs a JSON document of at most jwksMaxBody bytes, retrying
// network errors, 429 and 5xx (honouring Retry-After).
func (k *trustedKeys) getJSON(ctx context.Context, u string, v any) error {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxBody+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(data) > jwksMaxBody {
		return fmt.Errorf("GET %s: the document is larger than %d bytes", u, jwksMaxBody)
	}
	if err := json.Unmarshal(data, v); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return fmt.Errorf("GET %s: not JSON (offset %d)", u, syntaxErr.Offset)
		}
		return fmt.Errorf("GET %s: unexpected JSON: %w", u, err)
	}
	return nil
}
