package gateway

// This file holds the checks that apply to the model as a whole, by
// reflection: enumeration values, and which fields each variant of a
// polymorphic object ("type") takes.

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// variants lists, for each polymorphic type, the fields (YAML names) each
// value of its discriminator takes. The discriminator is "type", or
// "format" for static keys.
var variants = map[reflect.Type]map[string][]string{
	reflect.TypeFor[Authentication](): {
		"JWT_AUTHENTICATION": {"is_anonymous_access_allowed", "token_header", "token_query_param", "token_auth_scheme",
			"max_clock_skew_in_seconds", "issuers", "audiences", "public_keys", "verify_claims"},
		"TOKEN_AUTHENTICATION": {"is_anonymous_access_allowed", "token_header", "token_query_param", "token_auth_scheme",
			"max_clock_skew_in_seconds", "validation_policy", "validation_failure_policy"},
		"CUSTOM_AUTHENTICATION": {"is_anonymous_access_allowed", "token_header", "token_query_param", "function_id",
			"function", "parameters", "cache_key", "validation_failure_policy"},
	},
	reflect.TypeFor[PublicKeys](): {
		"REMOTE_JWKS": {"uri", "is_ssl_verify_disabled", "max_cache_duration_in_hours"},
		"STATIC_KEYS": {"keys"},
	},
	reflect.TypeFor[StaticKey](): {
		"JSON_WEB_KEY": {"kid", "kty", "n", "e", "alg", "use", "key_ops"},
		"PEM":          {"kid", "key"},
	},
	reflect.TypeFor[TokenValidation](): {
		"STATIC_KEYS": {"keys", "additional_validation_policy"},
		"REMOTE_JWKS": {"uri", "is_ssl_verify_disabled", "max_cache_duration_in_hours", "additional_validation_policy"},
		"REMOTE_DISCOVERY": {"client_details", "source_uri_details", "is_ssl_verify_disabled",
			"max_cache_duration_in_hours", "additional_validation_policy"},
	},
	reflect.TypeFor[ValidationFailure](): {
		"MODIFY_RESPONSE": {"response_code", "response_message", "response_header_transformations"},
		"OAUTH2": {"client_details", "source_uri_details", "scopes", "response_type", "max_expiry_duration_in_hours",
			"use_cookies_for_session", "use_cookies_for_intermediate_steps", "use_pkce", "fallback_redirect_path",
			"logout_path", "login_path"},
	},
	reflect.TypeFor[ClientDetails](): {
		"CUSTOM":           {"client_id", "client_secret_id", "client_secret_version_number"},
		"VALIDATION_BLOCK": {},
	},
	reflect.TypeFor[SourceURIDetails](): {
		"DISCOVERY_URI":    {"uri"},
		"VALIDATION_BLOCK": {},
	},
	reflect.TypeFor[Backend](): {
		"HTTP_BACKEND": {"url", "connect_timeout_in_seconds", "read_timeout_in_seconds", "send_timeout_in_seconds",
			"is_ssl_verify_disabled"},
		"ORACLE_FUNCTIONS_BACKEND": {"function_id", "function"},
		"STOCK_RESPONSE_BACKEND":   {"status", "body", "headers"},
		"DYNAMIC_ROUTING_BACKEND":  {"selection_source", "routing_backends"},
		"OAUTH2_LOGIN_BACKEND":     {},
		"OAUTH2_LOGOUT_BACKEND":    {"allowed_post_logout_uris", "post_logout_state"},
	},
	reflect.TypeFor[SelectionKey](): {
		"ANY_OF":   {"name", "is_default", "values"},
		"WILDCARD": {"name", "is_default", "expression"},
	},
	reflect.TypeFor[Authorization](): {
		"ANY_OF":              {"allowed_scope"},
		"ANONYMOUS":           {},
		"AUTHENTICATION_ONLY": {},
	},
}

// typed lists the types whose "type" is required once any field is set.
var typed = []reflect.Type{
	reflect.TypeFor[SelectionSource](), reflect.TypeFor[ResponseCacheLookup](),
	reflect.TypeFor[ResponseCacheStore](), reflect.TypeFor[FilterPolicy](),
}

func reflectValueOf(s Spec) reflect.Value { return reflect.ValueOf(s) }

// walk checks enumeration values and variants everywhere below rv.
func (v *validator) walk(rv reflect.Value, path string) {
	switch rv.Kind() {
	case reflect.Struct:
		t := rv.Type()
		if t == sourceType {
			return
		}
		v.checkVariant(rv, path)
		for i := range t.NumField() {
			f := t.Field(i)
			name := tagName(f, SyntaxYAML)
			if name == "" || name == "-" {
				continue
			}
			v.walk(rv.Field(i), join(path, name))
		}
	case reflect.Slice:
		for i := range rv.Len() {
			v.walk(rv.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			v.walk(rv.MapIndex(k), path+"["+k.String()+"]")
		}
	case reflect.String:
		e, ok := rv.Interface().(enum)
		if !ok || rv.String() == "" {
			return
		}
		vals := e.enumValues()
		if !slices.Contains(vals, rv.String()) {
			v.err(path, "use "+orList(vals), "unknown %s %q", humanize(rv.Type().Name()), rv.String())
		}
	}
}

// checkVariant reports fields that the object's type does not take, and a
// missing type.
func (v *validator) checkVariant(rv reflect.Value, path string) {
	t := rv.Type()
	table, isVariant := variants[t]
	if !isVariant && !slices.Contains(typed, t) {
		return
	}
	disc := "type"
	if t == reflect.TypeFor[StaticKey]() {
		disc = "format"
	}
	var kind string
	var set []string
	for i := range t.NumField() {
		name := tagName(t.Field(i), SyntaxYAML)
		if name == disc {
			kind = rv.Field(i).String()
			continue
		}
		if !rv.Field(i).IsZero() {
			set = append(set, name)
		}
	}
	if kind == "" {
		if len(set) > 0 {
			vals := rv.FieldByName(fieldNameOf(t, disc)).Interface().(enum).enumValues()
			v.err(join(path, disc), "add "+disc+": "+orList(vals), "%s is required", disc)
		}
		return
	}
	allowed, known := table[kind]
	if !isVariant || !known {
		return
	}
	for _, name := range set {
		if slices.Contains(allowed, name) {
			continue
		}
		var users []string
		for k, fields := range table {
			if slices.Contains(fields, name) {
				users = append(users, k)
			}
		}
		sort.Strings(users)
		v.err(join(path, name), fmt.Sprintf("remove it, or set %s to %s", disc, orList(users)),
			"%s does not apply to %s %s", name, disc, kind)
	}
}

func fieldNameOf(t reflect.Type, yamlName string) string {
	for i := range t.NumField() {
		if tagName(t.Field(i), SyntaxYAML) == yamlName {
			return t.Field(i).Name
		}
	}
	return ""
}

// humanize turns a Go type name into words: LogLevel is "log level".
func humanize(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && (name[i-1] < 'A' || name[i-1] > 'Z') {
				b.WriteByte(' ')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// orList writes "A, B or C".
func orList(vals []string) string {
	switch len(vals) {
	case 0:
		return ""
	case 1:
		return vals[0]
	}
	return strings.Join(vals[:len(vals)-1], ", ") + " or " + vals[len(vals)-1]
}
