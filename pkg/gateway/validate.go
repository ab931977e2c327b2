package gateway

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Documented limits of OCI API Gateway (oci-api.md §2).
const (
	MaxRoutes          = 50       // routes per deployment, not adjustable
	MaxSpecBytes       = 2 << 20  // JSON-encoded specification, not adjustable
	MaxRoutePathLength = 2000     // characters of a route path
	maxIssuers         = 5        // JWT issuers
	maxAudiences       = 5        // JWT audiences
	maxVerifyClaims    = 10       // JWT verify_claims
	maxClockSkew       = 120      // seconds
	maxAuthorizerArgs  = 10       // authorizer function parameters
	maxCORSItems       = 50       // CORS methods or headers
	maxStockBody       = 4096     // bytes of a stock response body
	maxStockHeaders    = 50       // headers of a stock response
	maxStockHeaderName = 1024     // bytes
	maxStockHeaderVal  = 4096     // bytes
	minKeyBits         = 2048     // RSA public keys
	maxKeyBits         = 4096     // RSA public keys
	maxHTTPConnect     = 75       // seconds
	maxHTTPReadSend    = 300      // seconds
	maxResponseCode    = 599      // highest HTTP status
	minResponseCode    = 100      // lowest HTTP status
	maxTTLSeconds      = 1 << 30  // sanity bound on cache TTLs
	maxNameBytes       = 4096     // sanity bound on header and parameter names
	maxValueBytes      = 16 << 10 // sanity bound on values
)

// Validate checks spec against every documented rule and limit of OCI API
// Gateway (oci-api.md §2, apigw-runtime.md §5), before any cloud call. It
// returns the findings sorted by position; the spec may be deployed when
// none is an error (see [HasErrors]). Positions come from spec.Source, so
// a spec built in code gets findings with field paths only.
func Validate(spec Spec) []Finding {
	fs := validate(spec)
	for i := range fs {
		fs[i].File = spec.Source.File
		fs[i].Field = spec.Source.display(fs[i].Field)
	}
	sortFindings(fs)
	return fs
}

// validator collects findings with canonical field paths.
type validator struct {
	spec Spec
	src  Source
	out  []Finding
}

func validate(spec Spec) []Finding {
	v := &validator{spec: spec, src: spec.Source}
	v.walk(reflectValueOf(spec), "")
	v.size()
	v.requestPolicies(spec.RequestPolicies, "request_policies")
	v.routes()
	return v.out
}

func (v *validator) add(sev Severity, path, fix, format string, args ...any) {
	p := v.src.at(path)
	msg := fmt.Sprintf(format, args...)
	for _, f := range v.out {
		if f.Field == path && strings.HasPrefix(f.Message, msg) {
			return // two checks found the same problem
		}
	}
	if orig, ok := v.src.fromEnv(path); ok {
		msg += fmt.Sprintf(" (the value comes from %s)", orig)
	}
	v.out = append(v.out, Finding{Line: p.Line, Column: p.Col, Severity: sev, Field: path, Message: msg, Fix: fix})
}

func (v *validator) err(path, fix, format string, args ...any) {
	v.add(SeverityError, path, fix, format, args...)
}

func (v *validator) warn(path, fix, format string, args ...any) {
	v.add(SeverityWarning, path, fix, format, args...)
}

// required reports an empty required field.
func (v *validator) required(empty bool, path, fix string) bool {
	if empty {
		v.err(path, fix, "%s is required", lastName(path))
	}
	return !empty
}

// atMost reports a list longer than a limit.
func (v *validator) atMost(n, limit int, path, what string) {
	if n > limit {
		v.err(fmt.Sprintf("%s[%d]", path, limit), fmt.Sprintf("keep at most %d %s", limit, what),
			"%d %s, OCI allows at most %d", n, what, limit)
	}
}

func (v *validator) size() {
	data, err := json.Marshal(v.spec)
	if err == nil && len(data) > MaxSpecBytes {
		v.err("", "split the API into several deployments, or shorten it",
			"the specification is %d bytes of JSON; OCI accepts at most %d", len(data), MaxSpecBytes)
	}
}

// routeInfo is what policies of one route may refer to.
type routeInfo struct {
	path      string // field path of the route
	tmpl      PathTemplate
	parsed    bool
	anonymous bool // ANONYMOUS authorization: request.auth is empty
}

func (v *validator) routes() {
	rs := v.spec.Routes
	if len(rs) == 0 {
		v.err("routes", "add at least one route", "the specification has no routes")
		return
	}
	v.atMost(len(rs), MaxRoutes, "routes", "routes")
	type key struct {
		pattern string
		method  Method
	}
	owner := map[key]int{}
	patterns := make([]string, len(rs))
	methodsOf := make([][]Method, len(rs))
	for i, r := range rs {
		p := fmt.Sprintf("routes[%d]", i)
		info := v.route(r, p)
		if !info.parsed {
			continue
		}
		pattern := info.tmpl.Pattern()
		methods := r.Methods
		if len(methods) == 0 {
			v.warn(join(p, "methods"), "list the methods explicitly, such as methods: [GET]",
				"methods is not set; OCI applies its default, which osa cannot check for overlaps")
			methods = []Method{MethodAny}
		}
		patterns[i], methodsOf[i] = pattern, methods
		for j, m := range methods {
			if slices.Index(methods, m) < j {
				v.warn(fmt.Sprintf("%s.methods[%d]", p, j), "remove the repetition", "method %s is listed twice", m)
				continue
			}
			if first, ok := owner[key{pattern, m}]; ok {
				v.err(p, "merge the two routes, or change one's path or methods",
					"route %s %s duplicates routes[%d] (%s %s)", m, r.Path, first, m, rs[first].Path)
				continue
			}
			owner[key{pattern, m}] = i
		}
	}
	for i := range rs {
		for _, m := range methodsOf[i] {
			a, ok := owner[key{patterns[i], MethodAny}]
			if m == MethodAny || !ok || a == i {
				continue
			}
			v.warn(fmt.Sprintf("routes[%d]", i), "give each method to one route only",
				"routes[%d] (%s %s) overlaps routes[%d], which accepts every method on the same path", i, m, rs[i].Path, a)
			break
		}
	}
	v.anonymousRoutes()
	v.optionsBesideCORS()
}

func (v *validator) route(r Route, p string) routeInfo {
	info := routeInfo{path: p, anonymous: r.RequestPolicies.Authorization.Type == Anonymous}
	pp := join(p, "path")
	switch t, err := ParsePathTemplate(r.Path); {
	case r.Path == "":
		v.err(pp, "write the route's path, such as /orders/{id}", "path is required")
	case err != nil:
		v.err(pp, "write a path such as /orders/{id}: letters, digits, "+pathChars+" and {param} segments",
			"path %q: %v", r.Path, err)
	default:
		info.tmpl, info.parsed = t, true
		if n := len([]rune(r.Path)); n > MaxRoutePathLength {
			v.err(pp, "shorten the path", "the path is %d characters; OCI allows at most %d", n, MaxRoutePathLength)
		}
		for i, s := range t.Segments {
			if s.Wildcard && i != len(t.Segments)-1 {
				v.warn(pp, "put {"+s.Param+"*} last", "wildcard parameter {%s*} is not the last segment", s.Param)
			}
		}
	}
	v.backend(r.Backend, join(p, "backend"), info, 0)
	v.routeRequestPolicies(r, p, info)
	v.headerTransformations(r.ResponsePolicies.HeaderTransformations, join(p, "response_policies.header_transformations"), info, toClient)
	if c := r.ResponsePolicies.ResponseCacheStore; c.Type != "" && (c.TimeToLiveInSeconds < 1 || c.TimeToLiveInSeconds > maxTTLSeconds) {
		v.err(join(p, "response_policies.response_cache_store.time_to_live_in_seconds"),
			"set time_to_live_in_seconds to the seconds a response stays cached", "time_to_live_in_seconds must be at least 1, found %d", c.TimeToLiveInSeconds)
	}
	return info
}

// anonymousRoutes checks that ANONYMOUS routes are allowed by the
// authentication policy, and that authorization has something to rely on.
func (v *validator) anonymousRoutes() {
	rp := v.spec.RequestPolicies
	auths := []Authentication{rp.Authentication}
	for _, s := range rp.DynamicAuthentication.AuthenticationServers {
		auths = append(auths, s.AuthenticationServerDetail)
	}
	hasAuth, allowsAnon := false, false
	for _, a := range auths {
		if a.Type != "" {
			hasAuth = true
			allowsAnon = allowsAnon || a.IsAnonymousAccessAllowed
		}
	}
	for i, r := range v.spec.Routes {
		p := fmt.Sprintf("routes[%d].request_policies.authorization", i)
		switch t := r.RequestPolicies.Authorization.Type; {
		case t == "":
		case !hasAuth:
			v.warn(p, "add an authentication policy under request_policies, or remove the authorization",
				"authorization %s has no effect: the deployment has no authentication policy", t)
		case t == Anonymous && !allowsAnon:
			v.err(p, "set is_anonymous_access_allowed: true in request_policies.authentication, or change the authorization",
				"route %s is ANONYMOUS, but the authentication policy does not allow anonymous access", r.Path)
		}
	}
}

// optionsBesideCORS warns about OPTIONS routes where a CORS policy
// applies: the gateway answers preflights from the policy.
func (v *validator) optionsBesideCORS() {
	deploymentCORS := len(v.spec.RequestPolicies.CORS.AllowedOrigins) > 0
	for i, r := range v.spec.Routes {
		j := slices.Index(r.Methods, MethodOptions)
		if j < 0 || !deploymentCORS && len(r.RequestPolicies.CORS.AllowedOrigins) == 0 {
			continue
		}
		where := "the deployment's"
		if len(r.RequestPolicies.CORS.AllowedOrigins) > 0 {
			where = "this route's"
		}
		fix := "remove this route (or OPTIONS from its methods) and let the CORS policy answer preflights"
		if len(r.Methods) > 1 {
			fix = "remove OPTIONS from methods and let the CORS policy answer preflights"
		}
		v.warn(fmt.Sprintf("routes[%d].methods[%d]", i, j), fix,
			"OPTIONS %s sits beside %s CORS policy: API Gateway answers CORS preflight requests from the policy, so this route serves only OPTIONS requests that are not preflights",
			r.Path, where)
	}
}

// isToken reports whether s is an HTTP token (RFC 9110): a valid header
// name.
func isToken(s string) bool {
	if s == "" || len(s) > maxNameBytes {
		return false
	}
	for _, c := range []byte(s) {
		if !isAlnum(rune(c)) && strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return true
}

// validValue reports whether s can be an HTTP field value.
func validValue(s string) bool {
	return len(s) <= maxValueBytes && !strings.ContainsAny(s, "\r\n\x00")
}
