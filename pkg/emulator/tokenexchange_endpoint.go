package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// tokenExchange serves POST /oauth2/v1/token. It does not take the state
// lock: it only reads its configuration, the issuer's keys (their own
// lock) and the session tokens (theirs).
type tokenExchange struct {
	cfg      *TokenExchangeConfig // nil: not configured, every client is refused
	keys     *trustedKeys
	sessions *sessionTokens
	initErr  error
	now      func() time.Time
	log      *slog.Logger
}

// tokenResponse is the endpoint's answer. The SDK reads "token"; the rest
// is RFC 8693's (token_type N_A: a UPST is not a bearer token).
type tokenResponse struct {
	Token           string `json:"token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int64  `json:"expires_in"`
}

// registerTokenExchange registers the identity domain's token endpoint
// and, when token exchange is configured, lets the signature verifier
// accept the session tokens it issues. The endpoint is not OCI-signed: the
// client authenticates with its OAuth credentials.
func (s *Server) registerTokenExchange(mux *http.ServeMux) {
	te := &tokenExchange{cfg: s.o.tokenExchange, now: s.o.now, log: s.o.logger}
	if te.cfg != nil {
		te.keys = newTrustedKeys(te.cfg, te.now, te.log)
		userID := te.cfg.UserID
		if userID == "" {
			userID = s.id.userID
		}
		te.sessions, te.initErr = newSessionTokens(s.info.Endpoints.Identity, s.id.tenancyID, userID)
		if te.initErr == nil {
			s.sig.sessions.Store(te.sessions)
		}
	}
	mux.HandleFunc("/oauth2/v1/token", te.serve)
}

func (te *tokenExchange) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("opc-request-id", requestID(r))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	resp, issued, oerr := te.exchange(r)
	if oerr != nil {
		te.log.LogAttrs(r.Context(), slog.LevelWarn, "token exchange refused",
			slog.Int("status", oerr.Status), slog.String("error", oerr.Code), slog.String("description", oerr.Description))
		if oerr.Status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeOAuthError(w, oerr)
		return
	}
	te.log.LogAttrs(r.Context(), slog.LevelInfo, "token exchange: session token issued", issued...)
	writeJSON(w, http.StatusOK, resp)
}

// exchange does the work of one request: method, configuration, body,
// client, grant, subject token, session token. It returns the response
// and what to log about it (never a token or a secret).
func (te *tokenExchange) exchange(r *http.Request) (*tokenResponse, []slog.Attr, *oauthError) {
	if r.Method != http.MethodPost {
		return nil, nil, &oauthError{Status: http.StatusMethodNotAllowed, Code: oauthInvalidRequest,
			Description: r.Method + " is not allowed: the token endpoint takes POST"}
	}
	if te.cfg == nil {
		return nil, nil, &oauthError{Status: http.StatusUnauthorized, Code: oauthInvalidClient,
			Description: "token exchange is not configured on this emulator, so no client is registered (fix: start it with emulator.WithTokenExchange)"}
	}
	if te.initErr != nil {
		return nil, nil, &oauthError{Status: http.StatusInternalServerError, Code: oauthServerError, Description: te.initErr.Error()}
	}
	body, aerr := readBody(r, maxTokenRequestBody)
	if aerr != nil {
		return nil, nil, &oauthError{Status: aerr.Status, Code: oauthInvalidRequest, Description: aerr.Message}
	}
	req, oerr := parseTokenRequest(r.Header.Get("Content-Type"), r.Header.Get("Authorization"), body)
	if oerr != nil {
		return nil, nil, oerr
	}
	if oerr := te.authenticate(req); oerr != nil {
		return nil, nil, oerr
	}
	ex, oerr := req.validate()
	if oerr != nil {
		return nil, nil, oerr
	}
	now := te.now()
	fed, oerr := te.verifySubject(r.Context(), ex.subjectToken, now)
	if oerr != nil {
		return nil, nil, oerr
	}
	token, jti, exp, err := te.sessions.issue(ex.publicKey, fed, now, te.cfg.SessionTTL)
	if err != nil {
		return nil, nil, &oauthError{Status: http.StatusInternalServerError, Code: oauthServerError, Description: err.Error()}
	}
	resp := &tokenResponse{Token: token, IssuedTokenType: tokenTypeUPST, TokenType: "N_A", ExpiresIn: int64(te.cfg.SessionTTL / time.Second)}
	return resp, []slog.Attr{slog.String("fed_iss", fed.Issuer), slog.String("fed_sub", fed.Subject),
		slog.String("sub", te.sessions.userID), slog.String("jti", jti), slog.Time("expires", exp)}, nil
}

// authenticate checks the client's credentials in constant time. HTTP
// Basic credentials are compared as sent (the SDK does not form-encode
// them) and, failing that, form-decoded (RFC 6749 §2.3.1).
func (te *tokenExchange) authenticate(req *tokenRequest) *oauthError {
	if te.clientMatches(req.clientID, req.clientSecret) {
		return nil
	}
	if req.basic {
		id, err1 := url.QueryUnescape(req.clientID)
		secret, err2 := url.QueryUnescape(req.clientSecret)
		if err1 == nil && err2 == nil && te.clientMatches(id, secret) {
			return nil
		}
	}
	return &oauthError{Status: http.StatusUnauthorized, Code: oauthInvalidClient,
		Description: "the client credentials are not valid for this identity domain"}
}

func (te *tokenExchange) clientMatches(id, secret string) bool {
	idOK := equalSecret(id, te.cfg.ClientID)
	secretOK := equalSecret(secret, te.cfg.ClientSecret)
	return idOK && secretOK
}

// equalSecret compares digests, so that neither the content nor the
// length of a secret shows in the time taken.
func equalSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
