package emulator

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/common/auth"
	"github.com/stretchr/testify/require"
)

// sdkProvider is the SDK's token exchange provider for a subject token,
// pointed at the emulator's identity domain.
func sdkProvider(t *testing.T, e *teEnv, subject, secret string) common.ConfigurationProvider {
	t.Helper()
	cp, err := auth.TokenExchangeConfigurationProviderFromToken(subject, auth.TokenExchangeBuilder{
		DomainUrl: e.s.Info().Endpoints.Identity, ClientId: teClientID, ClientSecret: secret,
		Region: e.s.Info().Region, RequestedTokenType: tokenTypeUPST, SubjectTokenType: "jwt",
	})
	require.NoError(t, err)
	return cp
}

// TestTokenExchangeThroughTheSDK is the OIDC login end to end: a
// GitHub-like OIDC token, the SDK's token exchange provider against the
// emulator's identity domain, and a GatewayClient whose requests are
// signed with keyId ST$<session token> and the SDK's own session key.
func TestTokenExchangeThroughTheSDK(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	info := e.s.Info()
	subject := e.iss.mint(t, time.Now(), nil)
	cp := sdkProvider(t, e, subject, teSecret)

	c := gatewayClient(t, e.s, cp)
	got, err := c.GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: &info.GatewayID})
	require.NoError(t, err)
	require.Equal(t, info.GatewayID, *got.Id)
	list, err := c.ListGateways(context.Background(), apigateway.ListGatewaysRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)

	keyID, err := cp.KeyID()
	require.NoError(t, err)
	session, isSession := strings.CutPrefix(keyID, "ST$")
	require.True(t, isSession, "the SDK signs with a session token")
	tenancy, err := cp.TenancyOCID()
	require.NoError(t, err)
	require.Equal(t, info.TenancyID, tenancy)
	user, err := cp.UserOCID()
	require.NoError(t, err)
	require.Equal(t, info.UserID, user)

	// The session token is the emulator's UPST for this subject, bound to
	// the SDK's key, valid for 60 minutes.
	tok, err := jwt.ParseSigned(session, []jose.SignatureAlgorithm{jose.RS256})
	require.NoError(t, err)
	var claims upstClaims
	require.NoError(t, tok.UnsafeClaimsWithoutVerification(&claims))
	require.Equal(t, info.Endpoints.Identity, claims.Issuer)
	require.Equal(t, "upst", claims.TokenType)
	require.Equal(t, teIssuer, claims.FedIssuer)
	require.Equal(t, teSubject, claims.FedSubject)
	require.Equal(t, time.Hour, claims.Expiry.Time().Sub(claims.IssuedAt.Time()))
	sdkKey, err := cp.PrivateRSAKey()
	require.NoError(t, err)
	var jwk jose.JSONWebKey
	require.NoError(t, jwk.UnmarshalJSON([]byte(claims.JWK)))
	require.True(t, sdkKey.PublicKey.Equal(jwk.Key))

	// An API-key client still works beside it.
	_, err = gatewayClient(t, e.s, e.s.ConfigurationProvider()).GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: &info.GatewayID})
	require.NoError(t, err)

	logs := e.logs.String()
	require.Contains(t, logs, "session token issued")
	require.Contains(t, logs, teSubject)
	requireNoSecrets(t, logs, subject, session, teSecret)
}

// TestTokenExchangeSDKWrongSecret: the SDK's provider cannot be used, and
// neither its error nor the emulator's log shows the secret or the token.
func TestTokenExchangeSDKWrongSecret(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	subject := e.iss.mint(t, time.Now(), nil)
	wrong := "wrong-secret-5d2c81aa09f3"
	_, err := apigateway.NewGatewayClientWithConfigurationProvider(sdkProvider(t, e, subject, wrong))
	require.Error(t, err)
	require.Contains(t, err.Error(), "401")
	requireNoSecrets(t, err.Error()+e.logs.String(), subject, wrong, teSecret)
	require.Contains(t, e.logs.String(), "the client credentials are not valid")
}

func TestTokenExchangeResponse(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	resp := e.post(t, tokenForm(e.iss.mint(t, e.clock.now(), nil), &key.PublicKey), teClientID, teSecret)
	require.Equal(t, http.StatusOK, resp.Status, resp.Raw)
	require.Equal(t, int64(3600), resp.ExpiresIn)
	require.Contains(t, resp.Raw, `"issued_token_type":"urn:oci:token-type:oci-upst"`)
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	require.NotEmpty(t, resp.Header.Get("opc-request-id"))

	// The session token signs requests with the key it is bound to.
	status, body := e.signedGet(t, "ST$"+resp.Token, key)
	require.Equal(t, http.StatusOK, status, body.Message)

	// Credentials in the form (client_secret_post) work too.
	form := tokenForm(e.iss.mint(t, e.clock.now(), nil), &key.PublicKey)
	form.Set("client_id", teClientID)
	form.Set("client_secret", teSecret)
	require.Equal(t, http.StatusOK, e.post(t, form, "", "").Status)
}

// TestTokenExchangeSessionTTL: a shorter session, and the SDK's user id
// configured.
func TestTokenExchangeSessionTTL(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, func(c *TokenExchangeConfig) {
		c.SessionTTL = 15 * time.Minute
		c.UserID = "ocid1.user.oc1..serviceuser"
	})
	token, key := e.session(t)
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	require.NoError(t, err)
	var claims upstClaims
	require.NoError(t, tok.UnsafeClaimsWithoutVerification(&claims))
	require.Equal(t, "ocid1.user.oc1..serviceuser", claims.Subject)
	require.Equal(t, 15*time.Minute, claims.Expiry.Time().Sub(claims.IssuedAt.Time()))
	e.clock.add(14 * time.Minute)
	status, _ := e.signedGet(t, "ST$"+token, key)
	require.Equal(t, http.StatusOK, status)
	e.clock.add(time.Minute)
	status, body := e.signedGet(t, "ST$"+token, key)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, body.Message, "the session token expired at")
}

// TestTokenExchangeStaticES256Keys trusts a static key set given in Go
// and a token signed with ES256.
func TestTokenExchangeStaticES256Keys(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	e := startTokenExchange(t, func(c *TokenExchangeConfig) {
		c.JWKSURL = ""
		c.StaticKeys = map[string]crypto.PublicKey{"ec-1": &ec.PublicKey}
	})
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	subject := signJWT(t, jose.ES256, ec, "ec-1", githubClaims(e.clock.now()))
	resp := e.post(t, tokenForm(subject, &key.PublicKey), teClientID, teSecret)
	require.Equal(t, http.StatusOK, resp.Status, resp.Raw)
	require.Zero(t, e.iss.hits(), "static keys: nothing fetched")

	// The RSA issuer's key is not in the static set.
	resp = e.post(t, tokenForm(e.iss.mint(t, e.clock.now(), nil), &key.PublicKey), teClientID, teSecret)
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, resp.Description, `key id "gh-key-1", which is not in the configured static keys`)
}

// TestTokenExchangeDiscovery finds the key set through the issuer's
// OpenID configuration when no JWKS URL is given.
func TestTokenExchangeDiscovery(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t)
	cfg := iss.config()
	cfg.JWKSURL = ""
	cfg.Issuer = iss.srv.URL
	e := &teEnv{iss: iss, clock: &teClock{t: time.Now()}, logs: &syncBuffer{}}
	s, err := Start(t.Context(), WithTokenExchange(cfg), withClock(e.clock.now))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	e.s = s
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	subject := iss.mint(t, e.clock.now(), func(c map[string]any) { c["iss"] = iss.srv.URL })
	resp := e.post(t, tokenForm(subject, &key.PublicKey), teClientID, teSecret)
	require.Equal(t, http.StatusOK, resp.Status, resp.Raw)
	require.Equal(t, 1, iss.hits())
}

// TestTokenExchangeKeySetFetching: cached, fetched again for an unknown
// key id (at most every ten seconds), retried honouring Retry-After.
func TestTokenExchangeKeySetFetching(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	exchange := func(subject string) teResponse {
		return e.post(t, tokenForm(subject, &key.PublicKey), teClientID, teSecret)
	}

	// 429 with Retry-After: 1, then the key set.
	e.iss.mu.Lock()
	e.iss.failures = []int{http.StatusTooManyRequests}
	e.iss.mu.Unlock()
	start := time.Now()
	require.Equal(t, http.StatusOK, exchange(e.iss.mint(t, e.clock.now(), nil)).Status)
	require.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After is honoured")
	require.Equal(t, 2, e.iss.hits())
	require.Equal(t, http.StatusOK, exchange(e.iss.mint(t, e.clock.now(), nil)).Status)
	require.Equal(t, 2, e.iss.hits(), "cached")

	// The issuer rotates in a second key.
	rotated, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	e.iss.mu.Lock()
	e.iss.extra = []jose.JSONWebKey{{Key: &rotated.PublicKey, KeyID: "gh-key-2", Algorithm: "RS256", Use: "sig"}}
	e.iss.mu.Unlock()
	subject := signJWT(t, jose.RS256, rotated, "gh-key-2", githubClaims(e.clock.now()))
	e.clock.add(11 * time.Second)
	require.Equal(t, http.StatusOK, exchange(subject).Status)
	require.Equal(t, 3, e.iss.hits(), "an unknown key id fetches the key set again")

	// Unknown key ids within ten seconds do not fetch again.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	resp := exchange(signJWT(t, jose.RS256, other, "gh-key-3", githubClaims(e.clock.now())))
	require.Equal(t, http.StatusBadRequest, resp.Status)
	require.Contains(t, resp.Description, `key id "gh-key-3", which is not in the issuer's key set`)
	require.Equal(t, 3, e.iss.hits())

	// After the cache time a failing issuer leaves the old keys in use.
	e.clock.add(jwksCacheTTL)
	e.iss.mu.Lock()
	e.iss.failures = []int{500, 500, 500, 500}
	e.iss.mu.Unlock()
	require.Equal(t, http.StatusOK, exchange(e.iss.mint(t, e.clock.now(), nil)).Status)
	require.Equal(t, 7, e.iss.hits(), "one try and three retries")
}

// TestTokenExchangeKeySetUnavailable: no key set at all is a 503.
func TestTokenExchangeKeySetUnavailable(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	e.iss.mu.Lock()
	e.iss.failures = []int{503, 503, 503, 503}
	e.iss.mu.Unlock()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	resp := e.post(t, tokenForm(e.iss.mint(t, e.clock.now(), nil), &key.PublicKey), teClientID, teSecret)
	require.Equal(t, http.StatusServiceUnavailable, resp.Status)
	require.Equal(t, "temporarily_unavailable", resp.Error)
	require.Contains(t, resp.Description, "the issuer's key set could not be fetched")
	require.Contains(t, resp.Description, "503")
}

// TestTokenExchangeBasicEncoding: HTTP Basic credentials are accepted as
// the SDK sends them (raw) and form-encoded as RFC 6749 §2.3.1 says.
func TestTokenExchangeBasicEncoding(t *testing.T) {
	t.Parallel()
	secret := "s+cr/t%=x"
	e := startTokenExchange(t, func(c *TokenExchangeConfig) { c.ClientSecret = secret })
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	for _, sent := range []string{secret, url.QueryEscape(secret)} {
		resp := e.post(t, tokenForm(e.iss.mint(t, e.clock.now(), nil), &key.PublicKey), teClientID, sent)
		require.Equal(t, http.StatusOK, resp.Status, resp.Raw)
	}
	resp := e.post(t, tokenForm(e.iss.mint(t, e.clock.now(), nil), &key.PublicKey), teClientID, "s cr/t%=x")
	require.Equal(t, http.StatusUnauthorized, resp.Status)
}
