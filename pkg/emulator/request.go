package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Limits on request bodies: API Gateway specifications are at most 2 MB
// (oci-api.md §2.3), function invocations at most 6 MB (fn-contract.md §3.3).
const (
	maxControlBody = 2 << 20
	maxInvokeBody  = 6 << 20
)

// readBody reads at most limit bytes of r's body; a larger body is a 413.
func readBody(r *http.Request, limit int64) ([]byte, *apiError) {
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, errBadRequest("reading the request body: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeRequestTooLarge,
			Message: fmt.Sprintf("the request body is larger than %d bytes", limit)}
	}
	return data, nil
}

// decodeJSON decodes a request body into v (SDK model types are fine: their
// UnmarshalJSON resolves discriminators). Errors name the offending field.
func decodeJSON(body []byte, v any) *apiError {
	if len(strings.TrimSpace(string(body))) == 0 {
		return errBadRequest("the request body is empty; a JSON object is required")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			if typeErr.Field == "" {
				return errBadRequest("the request body: expected %s, got a JSON %s", jsonKind(typeErr.Type), typeErr.Value)
			}
			return errBadRequest("field %q: expected %s, got a JSON %s", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
		case errors.As(err, &syntaxErr):
			return errBadRequest("the request body is not valid JSON (offset %d): %v", syntaxErr.Offset, syntaxErr)
		}
		return errBadRequest("the request body could not be decoded: %v", err)
	}
	return nil
}

// jsonKind names what a Go type looks like in JSON, for error messages
// (SDK model types have internal names that mean nothing to a client).
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// etagOf returns an etag for a resource version: a digest of its JSON form.
func etagOf(v any) string {
	data, _ := json.Marshal(v)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// checkIfMatch enforces optimistic concurrency: an if-match header must
// equal the resource's current etag ("*" matches anything).
func checkIfMatch(r *http.Request, etag string) *apiError {
	im := r.Header.Get("if-match")
	if im == "" || im == "*" || im == etag {
		return nil
	}
	return &apiError{Status: http.StatusPreconditionFailed, Code: codeNoEtagMatch,
		Message: fmt.Sprintf("if-match %q does not match the current etag %q; read the resource again", im, etag)}
}

// pageOf returns the items of one page and the token of the next page,
// with API Gateway's limits (1..1000, default 100).
func pageOf[T any](items []T, r *http.Request) ([]T, string, *apiError) {
	return pageWithin(items, r, 100, 1000)
}

// pageWithin returns the items of one page and the token of the next page
// ("" on the last). limit is 1..maxLimit (default def); page tokens are
// offsets, opaque to clients.
func pageWithin[T any](items []T, r *http.Request, def, maxLimit int) ([]T, string, *apiError) {
	q := r.URL.Query()
	limit := def
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return nil, "", errBadRequest("limit %q must be a number from 1 to %d", s, maxLimit)
		}
		limit = n
	}
	start := 0
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", errBadRequest("page %q is not a page token this service issued", s)
		}
		start = n
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// sortOrder reads sortOrder (ASC or DESC, default def).
func sortOrder(r *http.Request, def string) (string, *apiError) {
	switch s := r.URL.Query().Get("sortOrder"); s {
	case "":
		return def, nil
	case "ASC", "DESC":
		return s, nil
	default:
		return "", errBadRequest("sortOrder %q must be ASC or DESC", s)
	}
}

// retryTokens makes creates idempotent: the first answer to a request with
// an opc-retry-token is kept for 24 hours and replayed for the same request;
// the same token with another request is refused.
type retryTokens struct {
	byToken map[string]retryEntry
}

type retryEntry struct {
	request  string // method, path and body digest
	status   int
	header   http.Header
	body     []byte
	expireAt time.Time
}

const retryTokenTTL = 24 * time.Hour

func newRetryTokens() *retryTokens { return &retryTokens{byToken: map[string]retryEntry{}} }

func requestKey(r *http.Request, body []byte) string {
	sum := sha256.Sum256(body)
	return r.Method + " " + r.URL.Path + " " + hex.EncodeToString(sum[:])
}

// lookup returns the kept answer for r, if any, or an error when the token
// was used for another request.
func (t *retryTokens) lookup(r *http.Request, body []byte, now time.Time) (*retryEntry, *apiError) {
	token := r.Header.Get("opc-retry-token")
	if token == "" {
		return nil, nil
	}
	e, ok := t.byToken[token]
	if !ok || now.After(e.expireAt) {
		return nil, nil
	}
	if e.request != requestKey(r, body) {
		return nil, errConflict(codeInvalidatedToken, "opc-retry-token %q was already used for another request", token)
	}
	return &e, nil
}

// remember keeps the answer to r under its retry token.
func (t *retryTokens) remember(r *http.Request, body []byte, now time.Time, status int, header http.Header, resp []byte) {
	token := r.Header.Get("opc-retry-token")
	if token == "" {
		return
	}
	t.byToken[token] = retryEntry{request: requestKey(r, body), status: status, header: header.Clone(), body: resp, expireAt: now.Add(retryTokenTTL)}
}
