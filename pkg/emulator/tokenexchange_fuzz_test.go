package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// FuzzParseTokenRequest feeds the token request decoder (Content-Type,
// Authorization and form body) and the grant checks that follow it. It
// must not panic, must accept only requests with client credentials and
// must never quote a token-sized value back.
func FuzzParseTokenRequest(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(f, err)
	good := tokenForm("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", &key.PublicKey).Encode()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("id:secret"))
	for _, seed := range []struct{ ct, auth, body string }{
		{"application/x-www-form-urlencoded", basic, good},
		{"application/x-www-form-urlencoded; charset=utf-8", basic, good + "&client_id=id"},
		{"application/x-www-form-urlencoded", "", good + "&client_id=id&client_secret=secret"},
		{"application/x-www-form-urlencoded", "Basic !!!", good},
		{"application/x-www-form-urlencoded", "Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")), good},
		{"application/x-www-form-urlencoded", "Signature keyId=x", good},
		{"application/x-www-form-urlencoded", basic, "grant_type=%zz&a=;b"},
		{"application/x-www-form-urlencoded", basic, "grant_type=a&grant_type=b"},
		{"application/x-www-form-urlencoded", basic, "public_key=-----BEGIN%20PUBLIC%20KEY-----%0AAAAA%0A-----END%20PUBLIC%20KEY-----"},
		{"application/json", basic, `{"grant_type":"x"}`},
		{"", "", ""},
		{"multipart/form-data; boundary=", basic, "--"},
	} {
		f.Add(seed.ct, seed.auth, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, contentType, authorization string, body []byte) {
		req, oerr := parseTokenRequest(contentType, authorization, body)
		if oerr != nil {
			checkOAuthError(t, oerr, body)
			return
		}
		if req.clientID == "" || req.clientSecret == "" {
			t.Fatalf("accepted a request without client credentials: %+v", req)
		}
		ex, oerr := req.validate()
		if oerr != nil {
			checkOAuthError(t, oerr, body)
			return
		}
		if ex.subjectToken == "" || ex.publicKey == nil || ex.publicKey.N.BitLen() < minSessionKeyBits {
			t.Fatalf("validated an incomplete exchange: %+v", ex)
		}
		if req.grantType != grantTypeTokenExchange || req.requestedTokenType != tokenTypeUPST {
			t.Fatalf("validated grant %q for %q", req.grantType, req.requestedTokenType)
		}
	})
}

// checkOAuthError checks an error's shape, and that it quotes no form
// value long enough to be a token.
func checkOAuthError(t *testing.T, oerr *oauthError, body []byte) {
	t.Helper()
	if oerr.Status < 400 || oerr.Status > 599 || oerr.Code == "" || oerr.Description == "" {
		t.Fatalf("malformed error %+v", oerr)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return
	}
	for _, values := range form {
		for _, v := range values {
			if len(v) > 64 && strings.Contains(oerr.Description, v) {
				t.Fatalf("error %q quotes a %d-byte form value", oerr.Description, len(v))
			}
		}
	}
}

// FuzzVerifySubjectToken feeds subject tokens to the verifier (static
// keys: no network). Nothing that is not signed by the trusted key may
// pass, and no error may quote the token.
func FuzzVerifySubjectToken(f *testing.F) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(f, err)
	now := time.Unix(1_800_000_000, 0)
	cfg, err := TokenExchangeConfig{ClientID: "id", ClientSecret: "secret", Issuer: teIssuer, Audience: teAudience,
		StaticKeys: map[string]crypto.PublicKey{"k": &key.PublicKey}}.validated()
	require.NoError(f, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	te := &tokenExchange{cfg: cfg, keys: newTrustedKeys(cfg, func() time.Time { return now }, log), now: func() time.Time { return now }, log: log}
	good := signJWT(f, jose.RS256, key, "k", githubClaims(now))
	f.Add(good)
	f.Add(unsignedJWT(githubClaims(now)))
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add("a.b.c")
	f.Add("")
	f.Add(`{"payload":"e30","signatures":[]}`)
	f.Fuzz(func(t *testing.T, token string) {
		claims, oerr := te.verifySubject(t.Context(), token, now)
		if oerr != nil {
			if oerr.Status != http.StatusBadRequest || len(token) > 64 && strings.Contains(oerr.Description, token) {
				t.Fatalf("bad error %+v", oerr)
			}
			return
		}
		if claims.Issuer != teIssuer || claims.Subject == "" {
			t.Fatalf("accepted claims %+v", claims)
		}
	})
}
