package emulator

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"
)

// Test values of the token exchange. They are long enough that a test can
// look for them in errors and logs without false hits.
const (
	teIssuer   = "https://token.actions.githubusercontent.com"
	teAudience = "https://cloud.oracle.com"
	teClientID = "osa-ci-client"
	teSecret   = "client-secret-7f3a9c2e4b1d8f60"
	teSubject  = "repo:org/repo:ref:refs/tags/v1.2.3"
)

// testIssuer is a tiny OIDC issuer, GitHub Actions-like: an RSA key, and
// its key set and discovery document served over HTTP.
type testIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
	kid string

	mu        sync.Mutex
	extra     []jose.JSONWebKey // more public keys in the key set (rotation)
	jwksHits  int
	failures  []int // statuses to answer the next key set requests with
	issuerURL string
}

func newTestIssuer(t testing.TB) *testIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	iss := &testIssuer{key: key, kid: "gh-key-1"}
	iss.srv = httptest.NewServer(http.HandlerFunc(iss.serve))
	t.Cleanup(iss.srv.Close)
	iss.issuerURL = iss.srv.URL
	return iss
}

func (i *testIssuer) serve(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	defer i.mu.Unlock()
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		writeJSON(w, http.StatusOK, map[string]string{"issuer": i.issuerURL, "jwks_uri": i.srv.URL + "/.well-known/jwks"})
	case "/.well-known/jwks":
		i.jwksHits++
		if len(i.failures) > 0 {
			status := i.failures[0]
			i.failures = i.failures[1:]
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			w.WriteHeader(status)
			return
		}
		keys := append([]jose.JSONWebKey{{Key: &i.key.PublicKey, KeyID: i.kid, Algorithm: "RS256", Use: "sig"}}, i.extra...)
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: keys})
	default:
		http.NotFound(w, r)
	}
}

func (i *testIssuer) hits() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.jwksHits
}

// config is the trust of an emulator in this issuer.
func (i *testIssuer) config() TokenExchangeConfig {
	return TokenExchangeConfig{ClientID: teClientID, ClientSecret: teSecret, Issuer: teIssuer, Audience: teAudience,
		JWKSURL:        i.srv.URL + "/.well-known/jwks",
		RequiredClaims: map[string]string{"repository": "org/repo", "ref": "refs/tags/*"}}
}

// githubClaims are the claims of a GitHub Actions OIDC token for a tag
// push, valid for five minutes from now.
func githubClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": teIssuer, "aud": teAudience, "sub": teSubject,
		"repository": "org/repo", "repository_owner": "org", "ref": "refs/tags/v1.2.3", "ref_type": "tag",
		"sha": "0123456789abcdef0123456789abcdef01234567", "event_name": "push", "run_id": "42",
		"iat": now.Unix(), "nbf": now.Add(-10 * time.Second).Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
}

// mint signs GitHub-like claims, changed by edit, with the issuer's key.
func (i *testIssuer) mint(t testing.TB, now time.Time, edit func(map[string]any)) string {
	t.Helper()
	claims := githubClaims(now)
	if edit != nil {
		edit(claims)
	}
	return signJWT(t, jose.RS256, i.key, i.kid, claims)
}

func signJWT(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	token, err := jwt.Signed(signer).Claims(claims).Serialize()
	require.NoError(t, err)
	return token
}

// unsignedJWT is an "alg": "none" token.
func unsignedJWT(claims map[string]any) string {
	enc := func(v any) string {
		data, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(data)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(claims) + "."
}

// teClock is a clock that tests move.
type teClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *teClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *teClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects logs from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// teEnv is an emulator that trusts a test issuer, on a clock the test
// moves, logging into a buffer.
type teEnv struct {
	s     *Server
	iss   *testIssuer
	clock *teClock
	logs  *syncBuffer
}

func startTokenExchange(t testing.TB, edit func(*TokenExchangeConfig)) *teEnv {
	t.Helper()
	iss := newTestIssuer(t)
	cfg := iss.config()
	if edit != nil {
		edit(&cfg)
	}
	e := &teEnv{iss: iss, clock: &teClock{t: time.Now()}, logs: &syncBuffer{}}
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := Start(t.Context(), WithTokenExchange(cfg), withClock(e.clock.now), WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	e.s = s
	return e
}

// tokenForm is the form the SDK sends, for a subject token and a key.
func tokenForm(subject string, pub *rsa.PublicKey) url.Values {
	form := url.Values{
		"grant_type":           {grantTypeTokenExchange},
		"requested_token_type": {tokenTypeUPST},
		"subject_token_type":   {"jwt"},
		"subject_token":        {subject},
	}
	if pub != nil {
		der, _ := x509.MarshalPKIXPublicKey(pub)
		form.Set("public_key", base64.StdEncoding.EncodeToString(der))
	}
	return form
}

// teResponse is the token endpoint's answer, decoded.
type teResponse struct {
	Status      int
	Header      http.Header
	Raw         string
	Token       string `json:"token"`
	ExpiresIn   int64  `json:"expires_in"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// post sends a token request with the client's Basic credentials.
func (e *teEnv) post(t testing.TB, form url.Values, id, secret string) teResponse {
	t.Helper()
	header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if id != "" || secret != "" {
		header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)))
	}
	return e.do(t, http.MethodPost, header, form.Encode())
}

func (e *teEnv) do(t testing.TB, method string, header http.Header, body string) teResponse {
	t.Helper()
	req, err := http.NewRequest(method, e.s.Info().Endpoints.Identity+"/oauth2/v1/token", strings.NewReader(body))
	require.NoError(t, err)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := teResponse{Status: resp.StatusCode, Header: resp.Header, Raw: string(data)}
	require.NoError(t, json.Unmarshal(data, &out), "body %s", data)
	return out
}

// session exchanges a fresh subject token for a session token bound to a
// new key, and returns both.
func (e *teEnv) session(t testing.TB) (string, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	resp := e.post(t, tokenForm(e.iss.mint(t, e.clock.now(), nil), &key.PublicKey), teClientID, teSecret)
	require.Equal(t, http.StatusOK, resp.Status, resp.Raw)
	return resp.Token, key
}

// keyProvider signs with any keyId, for requests the SDK's providers
// cannot make (a stale or forged session token).
type keyProvider struct {
	keyID string
	key   *rsa.PrivateKey
}

func (p keyProvider) PrivateRSAKey() (*rsa.PrivateKey, error) { return p.key, nil }
func (p keyProvider) KeyID() (string, error)                  { return p.keyID, nil }

// signedGet GETs the seeded gateway signed as the SDK signs, with keyId
// and key, dated by the emulator's clock. It returns the status and the
// OCI error body.
func (e *teEnv) signedGet(t testing.TB, keyID string, key *rsa.PrivateKey) (int, apiErrorBody) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.s.Info().Endpoints.APIGateway+"/20190501/gateways/"+e.s.Info().GatewayID, nil)
	require.NoError(t, err)
	req.Header.Set("Date", e.clock.now().UTC().Format(http.TimeFormat))
	require.NoError(t, common.DefaultRequestSigner(keyProvider{keyID: keyID, key: key}).Sign(req))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body apiErrorBody
	if resp.StatusCode >= 400 {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	}
	return resp.StatusCode, body
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// requireNoSecrets fails if any of the secrets appears in text.
func requireNoSecrets(t testing.TB, text string, secrets ...string) {
	t.Helper()
	for i, secret := range secrets {
		require.NotEmpty(t, secret)
		require.NotContains(t, text, secret, "secret #%d leaked", i)
	}
}
