package emulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// maxClockSkew is how far a request's Date may be from the emulator's clock.
const maxClockSkew = 5 * time.Minute

// signatureVerifier checks the OCI HTTP signature of requests (draft-cavage
// HTTP signatures, as the SDK's common/http_signer.go makes them).
type signatureVerifier struct {
	keys map[string]*rsa.PublicKey // keyId ("<tenancy>/<user>/<fingerprint>") -> key
	now  func() time.Time
	// sessions checks keyIds "ST$<session token>" (token exchange); nil
	// until registerTokenExchange sets it, and then only when configured.
	sessions atomic.Pointer[sessionTokens]
}

// requiredSignedHeaders are the headers a request must sign: the generic
// three always, and the body headers for methods with a body.
func requiredSignedHeaders(method string) []string {
	h := []string{"date", "(request-target)", "host"}
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		h = append(h, "content-length", "content-type", "x-content-sha256")
	}
	return h
}

// verify checks r's Authorization header against body, which the caller has
// already read.
func (v *signatureVerifier) verify(r *http.Request, body []byte) *apiError {
	fail := func(format string, args ...any) *apiError {
		return &apiError{Status: http.StatusUnauthorized, Code: codeNotAuthenticated,
			Message: "the request is not signed correctly: " + fmt.Sprintf(format, args...)}
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return fail("no Authorization header; sign requests with an OCI API key (the emulator's config file has one)")
	}
	params, err := parseSignatureHeader(auth)
	if err != nil {
		return fail("%v", err)
	}
	if params["version"] != "1" {
		return fail("signature version %q, want \"1\"", params["version"])
	}
	if a := params["algorithm"]; a != "rsa-sha256" {
		return fail("algorithm %q, want rsa-sha256", a)
	}
	signed := strings.Fields(strings.ToLower(params["headers"]))
	for _, h := range requiredSignedHeaders(r.Method) {
		if h == "date" && slices.Contains(signed, "x-date") {
			continue
		}
		if !slices.Contains(signed, h) {
			return fail("header %q is not signed; a %s request must sign %s", h, r.Method, strings.Join(requiredSignedHeaders(r.Method), ", "))
		}
	}
	dateHeader := r.Header.Get("x-date")
	if dateHeader == "" {
		dateHeader = r.Header.Get("Date")
	}
	date, err := http.ParseTime(dateHeader)
	if err != nil {
		return fail("Date header %q is not an HTTP date", dateHeader)
	}
	if skew := v.now().Sub(date); skew > maxClockSkew || skew < -maxClockSkew {
		return fail("Date %s is %s away from the emulator's clock (at most %s is allowed)", dateHeader, skew.Round(time.Second), maxClockSkew)
	}
	if slices.Contains(signed, "x-content-sha256") {
		sum := sha256.Sum256(body)
		if got, want := r.Header.Get("x-content-sha256"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
			return fail("x-content-sha256 does not match the body")
		}
	}
	if slices.Contains(signed, "content-length") {
		if n, err := strconv.Atoi(r.Header.Get("Content-Length")); err != nil || n != len(body) {
			return fail("content-length does not match the body")
		}
	}
	key, keyName, aerr := v.publicKey(params["keyId"], fail)
	if aerr != nil {
		return aerr
	}
	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil {
		return fail("the signature is not base64")
	}
	digest := sha256.Sum256([]byte(signingString(r, signed)))
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) != nil &&
		rsa.VerifyPSS(key, crypto.SHA256, digest[:], sig, nil) != nil {
		return fail("the signature does not verify with %s", keyName)
	}
	return nil
}

// publicKey returns the key a keyId names, and how to name it in errors:
// an API key by its keyId, a session token (keyId "ST$<token>") by the
// public key bound to it, never by the token itself.
func (v *signatureVerifier) publicKey(keyID string, fail func(string, ...any) *apiError) (*rsa.PublicKey, string, *apiError) {
	token, isSession := strings.CutPrefix(keyID, "ST$")
	if !isSession {
		key, ok := v.keys[keyID]
		if !ok {
			return nil, "", fail("unknown keyId %q", keyID)
		}
		return key, fmt.Sprintf("the key %q", keyID), nil
	}
	sessions := v.sessions.Load()
	if sessions == nil {
		return nil, "", fail("session tokens (keyId ST$...) are not accepted: token exchange is not configured on this emulator")
	}
	key, err := sessions.publicKey(token, v.now())
	if err != nil {
		return nil, "", fail("%v", err)
	}
	return key, "the public key bound to the session token (sign with the private key whose public half was sent to the token exchange)", nil
}

// signingString rebuilds the string the client signed.
func signingString(r *http.Request, headers []string) string {
	parts := make([]string, len(headers))
	for i, h := range headers {
		var value string
		switch h {
		case "(request-target)":
			value = strings.ToLower(r.Method) + " " + r.RequestURI
		case "host":
			value = r.Host
		default:
			value = r.Header.Get(h)
		}
		parts[i] = h + ": " + value
	}
	return strings.Join(parts, "\n")
}

// parseSignatureHeader parses `Signature k1="v1",k2="v2"`.
func parseSignatureHeader(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "Signature ")
	if !ok {
		return nil, fmt.Errorf("the Authorization header is not an OCI signature (it must start with \"Signature \")")
	}
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		k, after, ok := strings.Cut(rest, "=")
		if !ok || !strings.HasPrefix(after, `"`) {
			return nil, fmt.Errorf("malformed signature parameters")
		}
		end := strings.IndexByte(after[1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("unterminated signature parameter %q", k)
		}
		params[strings.TrimSpace(k)] = after[1 : end+1]
		rest = strings.TrimLeft(after[end+2:], ", ")
	}
	for _, k := range []string{"version", "headers", "keyId", "algorithm", "signature"} {
		if params[k] == "" {
			return nil, fmt.Errorf("signature parameter %q is missing", k)
		}
	}
	return params, nil
}
