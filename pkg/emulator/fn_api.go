package emulator

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
)

// fnAPIVersion is one version of the Functions API: how its request bodies
// decode into the version-neutral model (fn_model.go) and how the model
// renders as its responses. Decoders check what the version makes
// mandatory and translate; the rules common to all versions (limits,
// names, images) are applied to the neutral model afterwards.
//
// Only 20260325, the version of the pinned SDK, is served. A 20181201
// version would decode and render the top-level image/imageDigest fields
// (and answer UpdateFunction synchronously with the function): the model,
// the rules and the lifecycle stay the same.
type fnAPIVersion interface {
	// base is the path prefix, e.g. "/20260325".
	base() string

	decodeCreateApplication(body []byte) (fnAppSpec, *apiError)
	decodeUpdateApplication(body []byte) (fnAppPatch, *apiError)
	decodeCreateFunction(body []byte) (fnFuncSpec, *apiError)
	decodeUpdateFunction(body []byte) (fnFuncPatch, *apiError)

	application(a *fnApp) any
	applicationSummary(a *fnApp) any
	function(f *fnFunc, invokeURL string) any
	functionSummary(f *fnFunc, invokeURL string) any
	workRequest(w *workRequest) any
	workRequestSummaries(ws []*workRequest) any
	workRequestErrors(ms []wrMessage) any
	workRequestLogs(ms []wrMessage) any
}

// fnAPIVersions are the versions the emulator serves.
var fnAPIVersions = []fnAPIVersion{fnAPI20260325{}}

// fnSDKTime renders a time as the SDK expects it (millisecond precision,
// UTC); the zero time renders as absent.
func fnSDKTime(t time.Time) *common.SDKTime {
	if t.IsZero() {
		return nil
	}
	return &common.SDKTime{Time: t.UTC().Truncate(time.Millisecond)}
}

// fnDeref returns *p, or the zero value when p is nil.
func fnDeref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// fnRefuseKeys refuses a body that sets one of the given top-level keys
// (fields that cannot change after create and are not part of the update
// model, which the SDK would otherwise silently drop).
func fnRefuseKeys(body []byte, keys ...string) *apiError {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil // decodeJSON reports the syntax error
	}
	for _, k := range keys {
		if _, ok := top[k]; ok {
			return errBadRequest("%s cannot be changed after create", k)
		}
	}
	return nil
}

// fnRawJSON returns the top-level scalar fields of the raw JSON kept by an
// SDK polymorphic value the SDK could not resolve (its unexported base
// struct has the raw document in JsonData).
func fnRawJSON(v any) (map[string]string, bool) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var base struct {
		JSONData []byte `json:"JsonData"`
	}
	if json.Unmarshal(data, &base) != nil || base.JSONData == nil {
		return nil, false
	}
	var fields map[string]any
	if json.Unmarshal(base.JSONData, &fields) != nil {
		return nil, false
	}
	out := map[string]string{}
	for k, v := range fields {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out, true
}

// fnSortedKeys returns the keys of m in order (so that errors name the
// same key every time).
func fnSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fnEqualFoldAny returns the element of values equal to s ignoring case.
func fnEqualFoldAny(s string, values []string) (string, bool) {
	for _, v := range values {
		if strings.EqualFold(s, v) {
			return v, true
		}
	}
	return "", false
}

// fnDecodeJSON is decodeJSON with errors that name JSON types ("expected
// an object") instead of the SDK's Go types, some of which are unexported
// helpers of its polymorphic decoding.
func fnDecodeJSON(body []byte, v any) *apiError {
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(body, v); errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "the request body"
		} else {
			field = "field " + strconv.Quote(field)
		}
		return errBadRequest("%s: expected %s, got a JSON %s", field, fnJSONKind(typeErr.Type), typeErr.Value)
	}
	return decodeJSON(body, v)
}

// fnJSONKind names the JSON type a Go type decodes from.
func fnJSONKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a value"
}
