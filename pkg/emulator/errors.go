package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error answered in OCI's shape: an HTTP status and a JSON
// body {"code": ..., "message": ...}.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// OCI error codes used by the emulator (the ones the services document and
// the SDK's retry logic recognises).
const (
	codeInvalidParameter   = "InvalidParameter"
	codeMissingParameter   = "MissingParameter"
	codeNotAuthenticated   = "NotAuthenticated"
	codeNotFound           = "NotAuthorizedOrNotFound"
	codeIncorrectState     = "IncorrectState"
	codeLockConflict       = "LockConflict"
	codeConflict           = "Conflict"
	codeNoEtagMatch        = "NoEtagMatch"
	codeLimitExceeded      = "LimitExceeded"
	codeTooManyRequests    = "TooManyRequests"
	codeInternalError      = "InternalServerError"
	codeRequestTooLarge    = "RequestEntityTooLarge"
	codeInvalidatedToken   = "InvalidatedRetryToken"
	codeMethodNotAllowed   = "MethodNotAllowed"
	codeServiceUnavailable = "ServiceUnavailable"
)

func errBadRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeInvalidParameter, Message: fmt.Sprintf(format, args...)}
}

func errMissing(field string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeMissingParameter, Message: fmt.Sprintf("%s is required", field)}
}

func errNotFound(kind, id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeNotFound,
		Message: fmt.Sprintf("%s %s not found, or you are not authorized to access it", kind, id)}
}

func errConflict(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

// requestID returns the request's opc-request-id, or a new one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("opc-request-id"); id != "" && len(id) <= 98 && isPrintableASCII(id) {
		return id
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// writeError answers err in OCI's shape; a non-API error is a 500.
func writeError(w http.ResponseWriter, err error) {
	ae, ok := err.(*apiError) //nolint:errorlint // handlers return *apiError unwrapped
	if !ok {
		ae = &apiError{Status: http.StatusInternalServerError, Code: codeInternalError, Message: "internal error: " + err.Error()}
	}
	writeJSON(w, ae.Status, map[string]string{"code": ae.Code, "message": ae.Message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
