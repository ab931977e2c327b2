package emulator

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// tokenRequest is a token request as sent: form fields and client
// credentials, decoded but not yet checked against the configuration.
type tokenRequest struct {
	clientID           string
	clientSecret       string
	basic              bool // the credentials came in an Authorization: Basic header
	grantType          string
	requestedTokenType string
	subjectToken       string
	subjectTokenType   string
	publicKey          string
}

// tokenFormFields are the form fields the endpoint reads; each may appear
// at most once (RFC 6749 §3.2).
var tokenFormFields = []string{"grant_type", "requested_token_type", "subject_token", "subject_token_type",
	"public_key", "client_id", "client_secret", "res_type", "rpst_exp"}

// parseTokenRequest decodes a token request: its Content-Type, its
// Authorization header and its form body.
func parseTokenRequest(contentType, authorization string, body []byte) (*tokenRequest, *oauthError) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, badTokenRequest("the request body must be application/x-www-form-urlencoded, not %s", quoteShort(contentType))
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badTokenRequest("the request body is not valid application/x-www-form-urlencoded")
	}
	for _, k := range tokenFormFields {
		if len(form[k]) > 1 {
			return nil, badTokenRequest("parameter %s is repeated; send it once", k)
		}
	}
	req := &tokenRequest{
		grantType:          form.Get("grant_type"),
		requestedTokenType: form.Get("requested_token_type"),
		subjectToken:       form.Get("subject_token"),
		subjectTokenType:   form.Get("subject_token_type"),
		publicKey:          form.Get("public_key"),
	}
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	if authorization != "" {
		scheme, rest, _ := strings.Cut(authorization, " ")
		if !strings.EqualFold(scheme, "Basic") {
			return nil, &oauthError{Status: http.StatusUnauthorized, Code: oauthInvalidClient,
				Description: "client authentication with the " + quoteShort(scheme) + " scheme is not supported by the emulator; send the client id and secret with HTTP Basic"}
		}
		if formID != "" || formSecret != "" {
			return nil, badTokenRequest("the client is authenticated twice (HTTP Basic and client_id/client_secret in the form); use one method")
		}
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		id, secret, ok := strings.Cut(string(raw), ":")
		if err != nil || !ok {
			return nil, &oauthError{Status: http.StatusUnauthorized, Code: oauthInvalidClient,
				Description: "the Authorization header is not valid HTTP Basic (base64 of client_id:client_secret)"}
		}
		req.clientID, req.clientSecret, req.basic = id, secret, true
	} else {
		req.clientID, req.clientSecret = formID, formSecret
	}
	if req.clientID == "" || req.clientSecret == "" {
		return nil, &oauthError{Status: http.StatusUnauthorized, Code: oauthInvalidClient,
			Description: "client authentication is required: send the identity domain client's id and secret with HTTP Basic"}
	}
	return req, nil
}

// exchangeRequest is a token request that asks for what the emulator
// does: a UPST for a subject token, bound to an RSA public key.
type exchangeRequest struct {
	subjectToken string
	publicKey    *rsa.PublicKey
}

// validate checks the grant and its parameters (not the client, which
// authenticate checks first, nor the subject token's content).
func (req *tokenRequest) validate() (*exchangeRequest, *oauthError) {
	switch req.grantType {
	case grantTypeTokenExchange:
	case "":
		return nil, badTokenRequest("grant_type is required: %s", grantTypeTokenExchange)
	default:
		return nil, &oauthError{Status: http.StatusBadRequest, Code: oauthUnsupportedGrant,
			Description: "grant_type " + quoteShort(req.grantType) + " is not supported: this identity domain only exchanges tokens (" + grantTypeTokenExchange + ")"}
	}
	switch req.requestedTokenType {
	case tokenTypeUPST:
	case "":
		return nil, badTokenRequest("requested_token_type is required: %s", tokenTypeUPST)
	case tokenTypeRPST:
		return nil, badTokenRequest("requested_token_type %s (a resource principal session token) is not supported by the emulator; request %s", tokenTypeRPST, tokenTypeUPST)
	default:
		return nil, badTokenRequest("requested_token_type %s is not supported; request %s", quoteShort(req.requestedTokenType), tokenTypeUPST)
	}
	if !slices.Contains(subjectTokenTypes, req.subjectTokenType) {
		return nil, badTokenRequest("subject_token_type %s is not supported; send jwt (or leave it out)", quoteShort(req.subjectTokenType))
	}
	if req.subjectToken == "" {
		return nil, badTokenRequest("subject_token is required: the JWT your identity provider issued")
	}
	if req.publicKey == "" {
		return nil, badTokenRequest("public_key is required: the base64 DER (SubjectPublicKeyInfo) of the RSA key that will sign requests")
	}
	pub, oerr := parseSessionPublicKey(req.publicKey)
	if oerr != nil {
		return nil, oerr
	}
	return &exchangeRequest{subjectToken: req.subjectToken, publicKey: pub}, nil
}

// parseSessionPublicKey reads public_key: base64 of a DER
// SubjectPublicKeyInfo as the SDK sends it, or the same in a PEM block.
func parseSessionPublicKey(s string) (*rsa.PublicKey, *oauthError) {
	var der []byte
	if block, _ := pem.Decode([]byte(s)); block != nil {
		der = block.Bytes
	} else {
		var err error
		if der, err = base64.StdEncoding.DecodeString(strings.TrimSpace(s)); err != nil {
			return nil, badTokenRequest("public_key is not base64 (standard encoding, with padding)")
		}
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, badTokenRequest("public_key is not a DER SubjectPublicKeyInfo")
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, badTokenRequest("public_key is a %T; OCI request signatures need an RSA key", k)
	}
	if n := pub.N.BitLen(); n < minSessionKeyBits || n > maxSessionKeyBits {
		return nil, badTokenRequest("public_key has %d bits; use an RSA key of %d to %d bits", n, minSessionKeyBits, maxSessionKeyBits)
	}
	return pub, nil
}
