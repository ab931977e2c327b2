package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// TestTokenExchangeRejectsSubjectTokens: each check of the subject token,
// answered 400 invalid_request (RFC 8693 §2.2.2) with what failed, and
// never with the token.
func TestTokenExchangeRejectsSubjectTokens(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	now := e.clock.now()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	mint := func(edit func(map[string]any)) string { return e.iss.mint(t, now, edit) }
	good := mint(nil)
	parts := strings.Split(good, ".")
	otherPayload := strings.Split(mint(func(c map[string]any) { c["sub"] = "repo:evil/repo:ref:refs/tags/v1" }), ".")[1]

	for name, tc := range map[string]struct {
		subject string
		want    string
	}{
		"expired": {mint(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() }),
			"the subject token expired at"},
		"expired just beyond the leeway": {mint(func(c map[string]any) { c["exp"] = now.Add(-61 * time.Second).Unix() }),
			"leeway 1m0s"},
		"wrong audience": {mint(func(c map[string]any) { c["aud"] = []string{"https://github.com/org", "sts.amazonaws.com"} }),
			`audience ["https://github.com/org", "sts.amazonaws.com"] does not include "https://cloud.oracle.com"`},
		"no audience": {mint(func(c map[string]any) { delete(c, "aud") }), "audience (none) does not include"},
		"wrong issuer": {mint(func(c map[string]any) { c["iss"] = "https://gitlab.example.com" }),
			`issuer "https://gitlab.example.com" is not trusted by this identity domain (it trusts "https://token.actions.githubusercontent.com")`},
		"bad signature": {parts[0] + "." + otherPayload + "." + parts[2],
			`the subject token's signature does not verify with the issuer's key "gh-key-1"`},
		"another key, same kid": {signJWT(t, jose.RS256, other, "gh-key-1", githubClaims(now)),
			`signature does not verify with the issuer's key "gh-key-1"`},
		"another key, its own kid": {signJWT(t, jose.RS256, other, "attacker", githubClaims(now)),
			`key id "attacker", which is not in the issuer's key set`},
		"another key, no kid": {signJWT(t, jose.RS256, other, "", githubClaims(now)),
			"does not verify with any of the issuer's keys"},
		"ES256 by a key the issuer does not have": {signJWT(t, jose.ES256, ec, "gh-key-1", githubClaims(now)),
			`signature does not verify with the issuer's key "gh-key-1"`},
		"alg none":        {unsignedJWT(githubClaims(now)), `signed with algorithm "none"`},
		"HS256":           {signJWT(t, jose.HS256, []byte(strings.Repeat("k", 32)), "gh-key-1", githubClaims(now)), `signed with algorithm "HS256"`},
		"PS256":           {signJWT(t, jose.PS256, e.iss.key, "gh-key-1", githubClaims(now)), `signed with algorithm "PS256"`},
		"not a JWT":       {"not-a-jwt-at-all-but-quite-long-so-that-it-would-be-quoted-in-full-if-echoed", "is not a signed JWT"},
		"no exp":          {mint(func(c map[string]any) { delete(c, "exp") }), "has no exp claim"},
		"not yet valid":   {mint(func(c map[string]any) { c["nbf"] = now.Add(5 * time.Minute).Unix() }), "is not valid before"},
		"from the future": {mint(func(c map[string]any) { c["iat"] = now.Add(5 * time.Minute).Unix() }), "was issued in the future"},
		"no sub":          {mint(func(c map[string]any) { delete(c, "sub") }), "has no sub claim"},
		"exp not a number": {mint(func(c map[string]any) { c["exp"] = "tomorrow" }),
			"payload is not a JSON object of JWT claims"},
		"branch, not tag": {mint(func(c map[string]any) { c["ref"] = "refs/heads/main" }),
			`claim "ref" is "refs/heads/main"; this identity domain requires "refs/tags/*"`},
		"another repository": {mint(func(c map[string]any) { c["repository"] = "fork/repo" }),
			`claim "repository" is "fork/repo"; this identity domain requires "org/repo"`},
		"required claim missing": {mint(func(c map[string]any) { delete(c, "repository") }),
			`no string claim "repository"`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			require.NoError(t, err)
			resp := e.post(t, tokenForm(tc.subject, &key.PublicKey), teClientID, teSecret)
			require.Equal(t, http.StatusBadRequest, resp.Status, resp.Raw)
			require.Equal(t, "invalid_request", resp.Error)
			require.Contains(t, resp.Description, tc.want)
			requireNoSecrets(t, resp.Raw, tc.subject, teSecret)
		})
	}
	// The issuer's good token passes, so the cases above fail for their
	// own reason; no log line holds a token or the secret.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.post(t, tokenForm(good, &key.PublicKey), teClientID, teSecret).Status)
	t.Cleanup(func() {
		require.Contains(t, e.logs.String(), "token exchange refused")
		requireNoSecrets(t, e.logs.String(), good, teSecret, parts[2])
	})
}

// TestTokenExchangeRejectsRequests: the client, the grant and the form.
func TestTokenExchangeRejectsRequests(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	subject := e.iss.mint(t, e.clock.now(), nil)
	form := func(edit func(url.Values)) url.Values {
		f := tokenForm(subject, &key.PublicKey)
		if edit != nil {
			edit(f)
		}
		return f
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der := func(pub any) string {
		b, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		return base64.StdEncoding.EncodeToString(b)
	}
	basic := func(id, secret string) http.Header {
		return http.Header{"Content-Type": {"application/x-www-form-urlencoded"},
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}}
	}

	for name, tc := range map[string]struct {
		method string
		header http.Header
		body   string
		status int
		code   string
		want   string
	}{
		"wrong client secret": {header: basic(teClientID, "not-the-secret-0123456789"), body: form(nil).Encode(),
			status: 401, code: "invalid_client", want: "the client credentials are not valid"},
		"unknown client": {header: basic("someone-else", teSecret), body: form(nil).Encode(),
			status: 401, code: "invalid_client", want: "the client credentials are not valid"},
		"no client credentials": {header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, body: form(nil).Encode(),
			status: 401, code: "invalid_client", want: "client authentication is required"},
		"bearer, not basic": {header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {"Bearer " + subject}},
			body: form(nil).Encode(), status: 401, code: "invalid_client", want: `the "Bearer" scheme is not supported`},
		"basic, not base64": {header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {"Basic %%%"}},
			body: form(nil).Encode(), status: 401, code: "invalid_client", want: "not valid HTTP Basic"},
		"two client authentications": {header: basic(teClientID, teSecret),
			body:   form(func(f url.Values) { f.Set("client_id", teClientID); f.Set("client_secret", teSecret) }).Encode(),
			status: 400, code: "invalid_request", want: "authenticated twice"},
		"bad grant type": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Set("grant_type", "client_credentials") }).Encode(),
			status: 400, code: "unsupported_grant_type", want: `grant_type "client_credentials" is not supported`},
		"no grant type": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Del("grant_type") }).Encode(),
			status: 400, code: "invalid_request", want: "grant_type is required"},
		"rpst requested": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Set("requested_token_type", tokenTypeRPST) }).Encode(),
			status: 400, code: "invalid_request", want: "is not supported by the emulator; request urn:oci:token-type:oci-upst"},
		"no requested token type": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Del("requested_token_type") }).Encode(),
			status: 400, code: "invalid_request", want: "requested_token_type is required"},
		"saml subject": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Set("subject_token_type", "urn:ietf:params:oauth:token-type:saml2") }).Encode(),
			status: 400, code: "invalid_request", want: "subject_token_type"},
		"no subject token": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Del("subject_token") }).Encode(),
			status: 400, code: "invalid_request", want: "subject_token is required"},
		"no public key": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Del("public_key") }).Encode(),
			status: 400, code: "invalid_request", want: "public_key is required"},
		"public key not base64": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Set("public_key", "!!!") }).Encode(),
			status: 400, code: "invalid_request", want: "public_key is not base64"},
		"public key not DER": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Set("public_key", "aGVsbG8=") }).Encode(),
			status: 400, code: "invalid_request", want: "not a DER SubjectPublicKeyInfo"},
		"EC public key": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Set("public_key", der(&ec.PublicKey)) }).Encode(),
			status: 400, code: "invalid_request", want: "need an RSA key"},
		"1024-bit public key": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Set("public_key", der(&small.PublicKey)) }).Encode(),
			status: 400, code: "invalid_request", want: "public_key has 1024 bits"},
		"repeated parameter": {header: basic(teClientID, teSecret), body: form(func(f url.Values) { f.Add("subject_token", subject) }).Encode(),
			status: 400, code: "invalid_request", want: "subject_token is repeated"},
		"JSON body": {header: http.Header{"Content-Type": {"application/json"}, "Authorization": basic(teClientID, teSecret)["Authorization"]},
			body: `{"grant_type":"x"}`, status: 400, code: "invalid_request", want: "must be application/x-www-form-urlencoded"},
		"bad form encoding": {header: basic(teClientID, teSecret), body: "grant_type=%zz",
			status: 400, code: "invalid_request", want: "not valid application/x-www-form-urlencoded"},
		"too large": {header: basic(teClientID, teSecret), body: strings.Repeat("a", maxTokenRequestBody+1),
			status: 413, code: "invalid_request", want: "larger than"},
		"GET": {method: http.MethodGet, header: basic(teClientID, teSecret),
			status: 405, code: "invalid_request", want: "the token endpoint takes POST"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			resp := e.do(t, method, tc.header, tc.body)
			require.Equal(t, tc.status, resp.Status, resp.Raw)
			require.Equal(t, tc.code, resp.Error)
			require.Contains(t, resp.Description, tc.want)
			requireNoSecrets(t, resp.Raw, subject, teSecret)
			if tc.status == http.StatusUnauthorized {
				require.Contains(t, resp.Header.Get("WWW-Authenticate"), "Basic")
			}
		})
	}
	t.Cleanup(func() { requireNoSecrets(t, e.logs.String(), subject, teSecret) })
}

// TestSessionTokensRejected: requests signed with keyId ST$<token> that
// the signature check refuses, never quoting the token.
func TestSessionTokensRejected(t *testing.T) {
	t.Parallel()
	e := startTokenExchange(t, nil)
	token, key := e.session(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	status, _ := e.signedGet(t, "ST$"+token, key)
	require.Equal(t, http.StatusOK, status)

	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	require.NoError(t, err)
	var claims upstClaims
	require.NoError(t, tok.UnsafeClaimsWithoutVerification(&claims))
	emulatorKey := e.s.sig.sessions.Load().key
	otherJWK, err := jose.JSONWebKey{Key: &other.PublicKey}.MarshalJSON()
	require.NoError(t, err)
	withClaims := func(edit func(*upstClaims)) upstClaims {
		c := claims
		edit(&c)
		return c
	}
	forged := signJWT(t, jose.RS256, other, sessionKeyID, claims)
	unknownJTI := signJWT(t, jose.RS256, emulatorKey, sessionKeyID, withClaims(func(c *upstClaims) { c.ID = "0123456789abcdef" }))
	rebound := signJWT(t, jose.RS256, emulatorKey, sessionKeyID, withClaims(func(c *upstClaims) { c.JWK = string(otherJWK) }))
	foreign := signJWT(t, jose.RS256, emulatorKey, sessionKeyID, withClaims(func(c *upstClaims) { c.Issuer = "https://elsewhere" }))

	for name, tc := range map[string]struct {
		token string
		key   *rsa.PrivateKey
		want  string
	}{
		"signed with another private key": {token, other, "does not verify with the public key bound to the session token"},
		"forged by another key":           {forged, other, "the session token's signature does not verify: this emulator did not issue it"},
		"not issued (unknown jti)":        {unknownJTI, key, "unknown jti"},
		"jwk claim of another key":        {rebound, other, "jwk claim is not the key it was issued for"},
		"another issuer":                  {foreign, key, "was not issued by this emulator's identity domain"},
		"not a JWT":                       {"garbage-garbage-garbage-garbage-garbage-garbage-garbage-garbage-garbage", key, "is not a JWT signed by this emulator"},
		"an unsigned JWT":                 {unsignedJWT(map[string]any{"sub": "x"}), key, "is not a JWT signed by this emulator"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, body := e.signedGet(t, "ST$"+tc.token, tc.key)
			require.Equal(t, http.StatusUnauthorized, status)
			require.Equal(t, "NotAuthenticated", body.Code)
			require.Contains(t, body.Message, tc.want)
			requireNoSecrets(t, body.Message, tc.token)
		})
	}
	t.Run("expired", func(t *testing.T) {
		// Not parallel: it moves the clock the others use.
		e.clock.add(61 * time.Minute)
		defer e.clock.add(-61 * time.Minute)
		status, body := e.signedGet(t, "ST$"+token, key)
		require.Equal(t, http.StatusUnauthorized, status)
		require.Contains(t, body.Message, "the session token expired at")
		requireNoSecrets(t, body.Message, token)
	})
}

// TestTokenExchangeNotConfigured: without WithTokenExchange the endpoint
// refuses every client, and ST$ key ids are refused.
func TestTokenExchangeNotConfigured(t *testing.T) {
	t.Parallel()
	s := startTest(t)
	e := &teEnv{s: s, clock: &teClock{t: time.Now()}}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	resp := e.post(t, tokenForm("x", &key.PublicKey), teClientID, teSecret)
	require.Equal(t, http.StatusUnauthorized, resp.Status)
	require.Equal(t, "invalid_client", resp.Error)
	require.Contains(t, resp.Description, "token exchange is not configured")
	status, body := e.signedGet(t, "ST$a.b.c", key)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, body.Message, "token exchange is not configured")
}

func TestWithTokenExchangeValidates(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	ok := TokenExchangeConfig{ClientID: "id", ClientSecret: "secret", Issuer: teIssuer, Audience: teAudience, JWKSURL: "http://127.0.0.1:1/jwks"}
	for name, tc := range map[string]struct {
		edit func(*TokenExchangeConfig)
		want string
	}{
		"no client":        {func(c *TokenExchangeConfig) { c.ClientSecret = "" }, "ClientID and ClientSecret are required"},
		"colon in id":      {func(c *TokenExchangeConfig) { c.ClientID = "a:b" }, "must not contain ':'"},
		"no issuer":        {func(c *TokenExchangeConfig) { c.Issuer = "" }, "issuer is required"},
		"no audience":      {func(c *TokenExchangeConfig) { c.Audience = "" }, "audience is required"},
		"bad JWKS URL":     {func(c *TokenExchangeConfig) { c.JWKSURL = "file:///etc/jwks" }, "not an http or https URL"},
		"both key sources": {func(c *TokenExchangeConfig) { c.StaticKeys = map[string]crypto.PublicKey{"k": &small.PublicKey} }, "not both"},
		"no discovery":     {func(c *TokenExchangeConfig) { c.JWKSURL = ""; c.Issuer = "github" }, "discovered from the issuer"},
		"weak static key": {func(c *TokenExchangeConfig) {
			c.JWKSURL = ""
			c.StaticKeys = map[string]crypto.PublicKey{"k": &small.PublicKey}
		}, "at least 2048 bits"},
		"HMAC static key": {func(c *TokenExchangeConfig) {
			c.JWKSURL = ""
			c.StaticKeys = map[string]crypto.PublicKey{"k": []byte("x")}
		}, "is not accepted"},
		"session too long":  {func(c *TokenExchangeConfig) { c.SessionTTL = 2 * time.Hour }, "SessionTTL 2h0m0s"},
		"negative leeway":   {func(c *TokenExchangeConfig) { c.Leeway = -time.Second }, "leeway -1s"},
		"empty claim name":  {func(c *TokenExchangeConfig) { c.RequiredClaims = map[string]string{"": "x"} }, "empty claim name"},
		"several at a time": {func(c *TokenExchangeConfig) { c.Issuer, c.Audience = "", "" }, "audience is required"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tc.edit(&cfg)
			_, err := Start(t.Context(), WithTokenExchange(cfg))
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.Contains(t, err.Error(), "token exchange: ")
			require.NotContains(t, err.Error(), "secret")
		})
	}
}
