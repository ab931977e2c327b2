package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// sessionKeyID is the key id in the header of the session tokens the
// emulator signs.
const sessionKeyID = "emulator-session"

// sessionTokens issues session tokens (UPSTs) and checks them for the
// signature verifier. A session token is a JWT signed (RS256) with a key
// the emulator makes at start; it carries the caller's public key in its
// jwk claim, and the emulator also remembers that key by the token's jti.
type sessionTokens struct {
	issuer    string // the identity domain URL (the control plane's)
	tenancyID string
	userID    string // sub of every session token
	key       *rsa.PrivateKey
	signer    jose.Signer

	mu    sync.Mutex
	bound map[string]sessionBinding // jti -> the key the token is bound to
}

type sessionBinding struct {
	key *rsa.PublicKey
	exp time.Time
}

// upstClaims are the claims of a session token, named as OCI's UPSTs
// name them (sub, tenant, jwk, ttype, sess_exp), plus the federated
// identity the token was exchanged for.
type upstClaims struct {
	jwt.Claims
	Tenant     string           `json:"tenant"`
	TokenType  string           `json:"ttype"`
	JWK        string           `json:"jwk"`
	SessionExp *jwt.NumericDate `json:"sess_exp,omitempty"`
	FedIssuer  string           `json:"fed_iss,omitempty"`
	FedSubject string           `json:"fed_sub,omitempty"`
}

func newSessionTokens(issuer, tenancyID, userID string) (*sessionTokens, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("emulator: generating the session token key: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), sessionKeyID))
	if err != nil {
		return nil, fmt.Errorf("emulator: making the session token signer: %w", err)
	}
	return &sessionTokens{issuer: issuer, tenancyID: tenancyID, userID: userID, key: key, signer: signer,
		bound: map[string]sessionBinding{}}, nil
}

// issue signs a session token bound to pub for the federated identity in
// fed, valid for ttl from now, and remembers the binding.
func (t *sessionTokens) issue(pub *rsa.PublicKey, fed *jwt.Claims, now time.Time, ttl time.Duration) (token, jti string, exp time.Time, err error) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return "", "", time.Time{}, err
	}
	jti = hex.EncodeToString(id)
	jwk, err := jose.JSONWebKey{Key: pub, KeyID: jti, Algorithm: string(jose.RS256), Use: "sig"}.MarshalJSON()
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("encoding the session key: %w", err)
	}
	now = now.Truncate(time.Second)
	exp = now.Add(ttl)
	claims := upstClaims{
		Claims: jwt.Claims{Issuer: t.issuer, Subject: t.userID, Audience: jwt.Audience{"oci"}, ID: jti,
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(exp)},
		Tenant: t.tenancyID, TokenType: "upst", JWK: string(jwk), SessionExp: jwt.NewNumericDate(exp),
		FedIssuer: fed.Issuer, FedSubject: fed.Subject,
	}
	token, err = jwt.Signed(t.signer).Claims(claims).Serialize()
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("signing the session token: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, b := range t.bound {
		if now.After(b.exp.Add(maxClockSkew)) {
			delete(t.bound, id)
		}
	}
	t.bound[jti] = sessionBinding{key: pub, exp: exp}
	return token, jti, exp, nil
}

// publicKey checks a session token (the part of a keyId after "ST$") and
// returns the public key bound to it. Errors never contain the token.
func (t *sessionTokens) publicKey(token string, now time.Time) (*rsa.PublicKey, error) {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, errors.New("the session token in keyId ST$... is not a JWT signed by this emulator (RS256)")
	}
	var c upstClaims
	if err := tok.Claims(&t.key.PublicKey, &c); err != nil {
		return nil, errors.New("the session token's signature does not verify: this emulator did not issue it")
	}
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch {
	case c.Issuer != t.issuer || c.TokenType != "upst":
		return nil, errors.New("the session token was not issued by this emulator's identity domain")
	case c.Expiry == nil:
		return nil, errors.New("the session token has no exp claim")
	case !now.Before(c.Expiry.Time()):
		return nil, fmt.Errorf("the session token expired at %s (the emulator's clock is %s); exchange a new subject token",
			stamp(c.Expiry.Time()), stamp(now))
	case c.NotBefore != nil && now.Add(maxClockSkew).Before(c.NotBefore.Time()):
		return nil, fmt.Errorf("the session token is not valid before %s", stamp(c.NotBefore.Time()))
	}
	t.mu.Lock()
	b, ok := t.bound[c.ID]
	t.mu.Unlock()
	if !ok {
		return nil, errors.New("the session token is not one this emulator issued (unknown jti)")
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON([]byte(c.JWK)); err != nil {
		return nil, errors.New("the session token's jwk claim is not a JSON Web Key")
	}
	if pub, ok := jwk.Key.(*rsa.PublicKey); !ok || !pub.Equal(b.key) {
		return nil, errors.New("the session token's jwk claim is not the key it was issued for")
	}
	return b.key, nil
}
