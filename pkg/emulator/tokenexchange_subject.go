package emulator

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// subjectAlgorithms are the signature algorithms a subject token may use.
// go-jose refuses any other at parse time, "none" included.
var subjectAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256}

// verifySubject checks a subject token against the trust: its form and
// algorithm, its issuer, its signature against the issuer's keys, its
// times (with leeway), its audience, its subject and the required claims.
// Each failure says which check failed, never what the token is.
func (te *tokenExchange) verifySubject(ctx context.Context, token string, now time.Time) (*jwt.Claims, *oauthError) {
	cfg := te.cfg
	tok, err := jwt.ParseSigned(token, subjectAlgorithms)
	if err != nil {
		var algErr *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &algErr) {
			return nil, badTokenRequest("the subject token is signed with algorithm %s; this identity domain accepts RS256 and ES256", quoteShort(string(algErr.Got)))
		}
		return nil, badTokenRequest("the subject token is not a signed JWT (compact JWS: header.payload.signature)")
	}
	if len(tok.Headers) != 1 {
		return nil, badTokenRequest("the subject token must have exactly one signature")
	}
	var unverified jwt.Claims
	if tok.UnsafeClaimsWithoutVerification(&unverified) != nil {
		return nil, badTokenRequest("the subject token's payload is not a JSON object of JWT claims (iss, sub and aud strings, exp, nbf and iat numbers)")
	}
	if unverified.Issuer != cfg.Issuer {
		return nil, badTokenRequest("the subject token's issuer %s is not trusted by this identity domain (it trusts %q)", quoteShort(unverified.Issuer), cfg.Issuer)
	}
	header := tok.Headers[0]
	keys, oerr := te.keys.candidates(ctx, header.KeyID)
	if oerr != nil {
		return nil, oerr
	}
	var claims jwt.Claims
	var all map[string]any
	verified := false
	for _, key := range keys {
		if key.Algorithm != "" && key.Algorithm != header.Algorithm {
			continue
		}
		if tok.Claims(key.Key, &claims, &all) == nil {
			verified = true
			break
		}
	}
	if !verified {
		if header.KeyID == "" {
			return nil, badTokenRequest("the subject token's signature does not verify with any of the issuer's keys")
		}
		return nil, badTokenRequest("the subject token's signature does not verify with the issuer's key %s", quoteShort(header.KeyID))
	}
	if oerr := checkSubjectTimes(&claims, now, cfg.Leeway); oerr != nil {
		return nil, oerr
	}
	if !claims.Audience.Contains(cfg.Audience) {
		return nil, badTokenRequest("the subject token's audience %s does not include %q", audienceList(claims.Audience), cfg.Audience)
	}
	if claims.Subject == "" {
		return nil, badTokenRequest("the subject token has no sub claim")
	}
	if oerr := checkRequiredClaims(all, cfg.RequiredClaims); oerr != nil {
		return nil, oerr
	}
	return &claims, nil
}

// checkSubjectTimes checks exp (required), nbf and iat with leeway.
func checkSubjectTimes(c *jwt.Claims, now time.Time, leeway time.Duration) *oauthError {
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	if c.Expiry == nil {
		return badTokenRequest("the subject token has no exp claim")
	}
	if exp := c.Expiry.Time(); now.Add(-leeway).After(exp) {
		return badTokenRequest("the subject token expired at %s (the emulator's clock is %s, leeway %s); mint a new one right before the exchange",
			stamp(exp), stamp(now), leeway)
	}
	if c.NotBefore != nil {
		if nbf := c.NotBefore.Time(); now.Add(leeway).Before(nbf) {
			return badTokenRequest("the subject token is not valid before %s (the emulator's clock is %s, leeway %s)", stamp(nbf), stamp(now), leeway)
		}
	}
	if c.IssuedAt != nil {
		if iat := c.IssuedAt.Time(); now.Add(leeway).Before(iat) {
			return badTokenRequest("the subject token was issued in the future, at %s (the emulator's clock is %s, leeway %s)", stamp(iat), stamp(now), leeway)
		}
	}
	return nil
}

// checkRequiredClaims checks the configured string claims; a wanted value
// ending in "*" is a prefix.
func checkRequiredClaims(all map[string]any, required map[string]string) *oauthError {
	names := make([]string, 0, len(required))
	for name := range required {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := required[name]
		got, ok := all[name].(string)
		if !ok {
			return badTokenRequest("the subject token has no string claim %q (this identity domain requires %q)", name, want)
		}
		if prefix, isPrefix := strings.CutSuffix(want, "*"); isPrefix && strings.HasPrefix(got, prefix) || got == want {
			continue
		}
		return badTokenRequest("the subject token's claim %q is %s; this identity domain requires %q", name, quoteShort(got), want)
	}
	return nil
}

func audienceList(aud jwt.Audience) string {
	if len(aud) == 0 {
		return "(none)"
	}
	quoted := make([]string, len(aud))
	for i, a := range aud {
		quoted[i] = quoteShort(a)
	}
	return fmt.Sprintf("[%s]", strings.Join(quoted, ", "))
}
