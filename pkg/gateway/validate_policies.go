package gateway

import (
	"fmt"
	"mime"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// direction says whether header transformations apply to the request sent
// to the backend or to the response sent to the client.
type direction string

const (
	toBackend direction = "request"
	toClient  direction = "response"
)

func (d direction) protected() []string {
	if d == toClient {
		return protectedResponse
	}
	return protectedRequest
}

func (d direction) receiver() string {
	if d == toClient {
		return "the responses clients receive"
	}
	return "the requests the backend receives"
}

// Protected headers (apigw-runtime.md §5, and OCI's "Protected Request
// Headers and Response Headers" page): header transformation policies
// cannot change them. OCI accepts a specification that names them, and
// ignores those items.
var (
	protectedRequest = []string{"cdn-loop", "connection", "content-length", "cookie", "except", "keep-alive",
		"opc-request-id", "origin", "proxy-authorization", "te", "transfer-encoding", "upgrade",
		"x-forwarded-for", "x-real-ip"}
	protectedResponse = []string{"access-control-allow-credentials", "access-control-allow-headers",
		"access-control-allow-methods", "access-control-allow-origin", "access-control-expose-headers",
		"access-control-max-age", "connection", "content-length", "except", "keep-alive", "opc-request-id",
		"proxy-authenticate", "public-key-pins", "retry-after", "strict-transport-security", "te", "trailers",
		"transfer-encoding", "upgrade", "x-content-type-options", "x-frame-options", "x-xss-protection"}
)

func (v *validator) cors(c CORSPolicy, p string) {
	if isZero(c) {
		return
	}
	op := join(p, "allowed_origins")
	v.required(len(c.AllowedOrigins) == 0, op, "list the origins, such as [https://app.example.com]")
	for i, o := range c.AllowedOrigins {
		if o == "*" || o == "null" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			v.err(fmt.Sprintf("%s[%d]", op, i), "write scheme://host[:port] with no path, or * or null",
				"origin %q is not scheme://host[:port]", o)
		}
	}
	v.atMost(len(c.AllowedMethods), maxCORSItems, join(p, "allowed_methods"), "methods")
	for i, m := range c.AllowedMethods {
		if m != "*" && !isToken(m) {
			v.err(fmt.Sprintf("%s.allowed_methods[%d]", p, i), "use a method such as GET, or *", "%q is not an HTTP method", m)
		}
	}
	for _, f := range []struct {
		name string
		vals []string
	}{{"allowed_headers", c.AllowedHeaders}, {"exposed_headers", c.ExposedHeaders}} {
		v.atMost(len(f.vals), maxCORSItems, join(p, f.name), "headers")
		for i, h := range f.vals {
			if h != "*" && !isToken(h) {
				v.err(fmt.Sprintf("%s.%s[%d]", p, f.name, i), "use a header name, or *", "%q is not a header name", h)
			}
		}
	}
	if c.MaxAgeInSeconds < 0 {
		v.err(join(p, "max_age_in_seconds"), "use 0 (not sent) or more", "max_age_in_seconds is negative")
	}
}

func (v *validator) routeRequestPolicies(r Route, p string, info routeInfo) {
	rp := r.RequestPolicies
	pp := join(p, "request_policies")
	if a := rp.Authorization; a.Type == AnyOfAuthorization {
		v.required(len(a.AllowedScope) == 0, join(pp, "authorization.allowed_scope"), "list the scopes, any of which grants access")
	}
	v.cors(rp.CORS, join(pp, "cors"))
	if h := rp.HeaderValidations; !isZero(h) {
		v.validationItems(h.Headers, join(pp, "header_validations.headers"), true)
	}
	if q := rp.QueryParameterValidations; !isZero(q) {
		v.validationItems(q.Parameters, join(pp, "query_parameter_validations.parameters"), false)
	}
	if b := rp.BodyValidation; !isZero(b) {
		bp := join(pp, "body_validation.content")
		v.required(len(b.Content) == 0, bp, "add content: [{media_type: application/json, validation_type: NONE}]")
		for _, m := range sortedKeys(b.Content) {
			if !isMediaRange(m) {
				v.err(bp+"["+m+"]", "use a media range: */*, type/* or type/subtype", "%q is not a media range", m)
			}
			v.required(b.Content[m].ValidationType == "", bp+"["+m+"].validation_type", "add validation_type: NONE")
		}
	}
	v.headerTransformations(rp.HeaderTransformations, join(pp, "header_transformations"), info, toBackend)
	v.queryTransformations(rp.QueryParameterTransformations, join(pp, "query_parameter_transformations"), info)
	if c := rp.ResponseCacheLookup; c.Type != "" {
		for i, k := range c.CacheKeyAdditions {
			kp := fmt.Sprintf("%s.response_cache_lookup.cache_key_additions[%d]", pp, i)
			if t, ok := v.template(k, kp, varContext{route: &info}); ok && len(t.Variables()) == 0 {
				v.err(kp, "write a ${request...} expression, such as ${request.headers[accept-language]}",
					"cache key addition %q has no context variable", k)
			}
		}
		cacheable := len(r.Methods) == 0 || slices.ContainsFunc(r.Methods, func(m Method) bool {
			return m == MethodAny || m == MethodGet || m == MethodHead || m == MethodOptions
		})
		if !cacheable {
			v.warn(join(pp, "response_cache_lookup"), "remove the cache policies, or route GET/HEAD requests here",
				"API Gateway caches GET, HEAD and OPTIONS responses only; this route accepts none of them")
		}
	}
}

func (v *validator) validationItems(items []ValidationItem, p string, header bool) {
	seen := map[string]int{}
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d].name", p, i)
		if !v.required(it.Name == "", ip, "name it") {
			continue
		}
		key := it.Name
		if header {
			key = strings.ToLower(key)
			if !isToken(it.Name) {
				v.err(ip, "use a header name: letters, digits and -", "%q is not a header name", it.Name)
			}
		}
		if j, dup := seen[key]; dup {
			v.err(ip, "remove one of the two entries", "%q is also listed at %s[%d]", it.Name, p, j)
		}
		seen[key] = i
	}
}

func isMediaRange(s string) bool {
	if s == "*/*" {
		return true
	}
	t, sub, ok := strings.Cut(s, "/")
	if !ok || !isToken(t) || t == "*" {
		return false
	}
	if sub == "*" {
		return true
	}
	_, _, err := mime.ParseMediaType(s)
	return err == nil && isToken(sub)
}

// headerTransformations checks set, rename and filter policies of headers.
func (v *validator) headerTransformations(h HeaderTransformations, p string, info routeInfo, side direction) {
	if isZero(h) {
		return
	}
	v.transformations(h.SetHeaders, h.RenameHeaders, h.FilterHeaders, p, info, side,
		[3]string{"set_headers", "rename_headers", "filter_headers"}, "header")
}

func (v *validator) queryTransformations(q QueryParameterTransformations, p string, info routeInfo) {
	if isZero(q) {
		return
	}
	v.transformations(q.SetQueryParameters, q.RenameQueryParameters, q.FilterQueryParameters, p, info, toBackend,
		[3]string{"set_query_parameters", "rename_query_parameters", "filter_query_parameters"}, "query parameter")
}

// transformations checks one set of transformation policies: required
// fields, names, values, and that a name appears in one policy only
// (except names an ALLOW filter keeps). Header names compare without case,
// query parameter names with case.
func (v *validator) transformations(set SetPolicy, ren RenamePolicy, filt FilterPolicy, p string, info routeInfo,
	side direction, names [3]string, what string) {
	header := what == "header"
	norm := func(s string) string {
		if header {
			return strings.ToLower(s)
		}
		return s
	}
	owner := map[string]string{} // name -> field path of its first use
	use := func(name, path string) {
		if name == "" {
			return
		}
		if header && !isToken(name) {
			v.err(path, "use a header name: letters, digits and -", "%q is not a header name", name)
		}
		if !header && (strings.ContainsAny(name, "&=#? ") || len(name) > maxNameBytes) {
			v.err(path, "use a query parameter name without &, =, #, ? or spaces", "%q is not a query parameter name", name)
		}
		if header && slices.Contains(side.protected(), strings.ToLower(name)) {
			v.warn(path, "remove this item: header transformation policies cannot change "+name,
				"%s is a protected %s header: OCI accepts the deployment, but API Gateway does not apply this item, so it has no effect on %s",
				name, side, side.receiver())
		}
		if first, ok := owner[norm(name)]; ok {
			v.err(path, "transform each "+what+" in one policy only", "%s %q is also transformed at %s", what, name, first)
			return
		}
		owner[norm(name)] = path
	}
	if !isZero(set) {
		sp := join(p, names[0]+".items")
		v.required(len(set.Items) == 0, sp, "add items, or remove "+names[0])
		for i, it := range set.Items {
			ip := fmt.Sprintf("%s[%d]", sp, i)
			if v.required(it.Name == "", join(ip, "name"), "name the "+what) {
				use(it.Name, join(ip, "name"))
			}
			v.required(len(it.Values) == 0, join(ip, "values"), "give at least one value")
			for j, val := range it.Values {
				vp := fmt.Sprintf("%s.values[%d]", ip, j)
				if !validValue(val) {
					v.err(vp, "remove line breaks and NUL characters", "value %q cannot be sent in a %s", val, what)
				}
				v.template(val, vp, varContext{route: &info})
			}
		}
	}
	if !isZero(ren) {
		rp := join(p, names[1]+".items")
		v.required(len(ren.Items) == 0, rp, "add items, or remove "+names[1])
		for i, it := range ren.Items {
			ip := fmt.Sprintf("%s[%d]", rp, i)
			if v.required(it.From == "", join(ip, "from"), "name the "+what+" to rename") {
				use(it.From, join(ip, "from"))
			}
			if v.required(it.To == "", join(ip, "to"), "give the new name") {
				use(it.To, join(ip, "to"))
			}
		}
	}
	if !isZero(filt) {
		fp := join(p, names[2])
		v.required(len(filt.Items) == 0, join(fp, "items"), "list the "+what+"s to keep or remove")
		for i, it := range filt.Items {
			ip := fmt.Sprintf("%s.items[%d].name", fp, i)
			if !v.required(it.Name == "", ip, "name the "+what) || filt.Type == Allow {
				continue
			}
			use(it.Name, ip)
		}
	}
}

// backend checks a route's backend (depth > 0 inside dynamic routing).
func (v *validator) backend(b Backend, p string, info routeInfo, depth int) {
	if !v.required(b.Type == "", join(p, "type"), "add the backend's type, such as ORACLE_FUNCTIONS_BACKEND") {
		return
	}
	switch b.Type {
	case HTTPBackend:
		v.backendURL(b.URL, join(p, "url"), info)
		for _, t := range []struct {
			name string
			val  float32
			max  int
		}{{"connect_timeout_in_seconds", b.ConnectTimeoutInSeconds, maxHTTPConnect},
			{"read_timeout_in_seconds", b.ReadTimeoutInSeconds, maxHTTPReadSend},
			{"send_timeout_in_seconds", b.SendTimeoutInSeconds, maxHTTPReadSend}} {
			if t.val != 0 && (t.val < 1 || t.val > float32(t.max)) {
				v.err(join(p, t.name), fmt.Sprintf("use 1 to %d seconds, or leave it out for OCI's default", t.max),
					"%s is %g; OCI allows 1 to %d", t.name, t.val, t.max)
			}
		}
	case FunctionsBackend:
		v.functionRef(b.Function, b.FunctionID, p, "the function")
	case StockResponseBackend:
		if b.Status < minResponseCode || b.Status > maxResponseCode {
			v.err(join(p, "status"), "use an HTTP status from 100 to 599, such as 200", "status %d is not an HTTP status", b.Status)
		}
		if len(b.Body) > maxStockBody {
			v.err(join(p, "body"), "shorten the body", "the body is %d bytes; OCI allows at most %d", len(b.Body), maxStockBody)
		}
		v.atMost(len(b.Headers), maxStockHeaders, join(p, "headers"), "headers")
		for i, h := range b.Headers {
			hp := fmt.Sprintf("%s.headers[%d]", p, i)
			switch {
			case !isToken(h.Name) || len(h.Name) > maxStockHeaderName:
				v.err(join(hp, "name"), "use a header name of at most 1024 bytes", "%q is not a header name", h.Name)
			case len(h.Value) > maxStockHeaderVal || !validValue(h.Value):
				v.err(join(hp, "value"), "use a value of at most 4096 bytes without line breaks", "the value of %s cannot be sent", h.Name)
			}
		}
	case DynamicRouting:
		v.selectionSource(b.SelectionSource, join(p, "selection_source"), varContext{route: &info})
		rp := join(p, "routing_backends")
		if !v.required(len(b.RoutingBackends) == 0, rp, "add at least one routing backend") {
			return
		}
		keys := make([]SelectionKey, len(b.RoutingBackends))
		for i, rb := range b.RoutingBackends {
			keys[i] = rb.Key
			bp := fmt.Sprintf("%s[%d].backend", rp, i)
			switch rb.Backend.Type {
			case DynamicRouting, OAuth2LoginBackend, OAuth2LogoutBackend:
				v.err(join(bp, "type"), "use HTTP_BACKEND, ORACLE_FUNCTIONS_BACKEND or STOCK_RESPONSE_BACKEND",
					"a routing backend cannot be %s", rb.Backend.Type)
			default:
				v.backend(rb.Backend, bp, info, depth+1)
			}
		}
		v.selectionKeys(keys, rp)
	case OAuth2LogoutBackend:
		for i, u := range b.AllowedPostLogoutURIs {
			v.httpURL(u, fmt.Sprintf("%s.allowed_post_logout_uris[%d]", p, i), "an http(s) URL")
		}
	}
}

// backendURL checks an HTTP backend URL: context variables may stand for
// path segments, not for query parameters.
func (v *validator) backendURL(s, p string, info routeInfo) {
	if !v.required(s == "", p, "give the backend URL, such as https://api.example.com/${request.path[id]}") {
		return
	}
	t, ok := v.template(s, p, varContext{route: &info})
	if !ok {
		return
	}
	plain := t.Expand(func(ContextVariable) string { return "x" })
	u, err := url.Parse(plain)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.err(p, "give an absolute http:// or https:// URL", "%q is not an http(s) URL", s)
		return
	}
	if q := strings.IndexByte(s, '?'); q >= 0 && strings.Contains(s[q:], "${") {
		v.err(p, "pass it with a query_parameter_transformations set item instead",
			"context variables are allowed in the URL's path only, not in its query")
	}
	if h := strings.Index(s, "://"); h >= 0 {
		host, _, _ := strings.Cut(s[h+3:], "/")
		if strings.Contains(host, "${") {
			v.warn(p, "use a fixed host, or dynamic routing", "context variables in the URL's host are not documented by OCI")
		}
	}
}

// varContext is what a context variable may refer to where it is used.
type varContext struct {
	route     *routeInfo // nil outside routes
	allowBody bool       // authorizer function parameters only
}

// variable checks a context variable written bare (table[key]).
func (v *validator) variable(s, p string, c varContext) (ContextVariable, bool) {
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") {
		v.err(p, "write "+s[2:len(s)-1]+", without ${ }", "%q: context variables here are written without ${ }", s)
		return ContextVariable{}, false
	}
	cv, err := ParseContextVariable(s)
	if err != nil {
		v.err(p, "write table[key], such as request.headers[x-api-key]", "%v", err)
		return cv, false
	}
	v.checkVariable(cv, p, c)
	return cv, true
}

// template checks a string that may embed ${...} context variables.
func (v *validator) template(s, p string, c varContext) (Template, bool) {
	t, err := ParseTemplate(s)
	if err != nil {
		v.err(p, "write context variables as ${request.headers[name]}", "%v", err)
		return t, false
	}
	for _, cv := range t.Variables() {
		v.checkVariable(cv, p, c)
	}
	return t, true
}

func (v *validator) checkVariable(cv ContextVariable, p string, c varContext) {
	rp := v.spec.RequestPolicies
	switch cv.Table {
	case TablePath:
		if c.route != nil && c.route.parsed && !c.route.tmpl.HasParam(cv.Key) {
			v.err(p, "use a parameter of the route's path, or add {"+cv.Key+"} to it",
				"%s: the route's path has no parameter %q", cv, cv.Key)
		}
	case TableBody:
		if !c.allowBody {
			v.err(p, "use it in authorizer function parameters only", "request.body is available to authorizer functions only")
		}
	case TableCert:
		if cv.Key != "client_base64" {
			v.err(p, "write request.cert[client_base64]", "request.cert has one key, client_base64, not %q", cv.Key)
		} else if !rp.MutualTLS.IsVerifiedCertificateRequired {
			v.warn(p, "set request_policies.mutual_tls.is_verified_certificate_required: true", "%s is empty without mutual TLS", cv)
		}
	case TableAuth:
		switch {
		case rp.Authentication.Type == "" && len(rp.DynamicAuthentication.AuthenticationServers) == 0:
			v.warn(p, "add an authentication policy", "%s is empty: the deployment has no authentication", cv)
		case c.route != nil && c.route.anonymous:
			v.warn(p, "use another authorization, or another context table", "%s is empty on ANONYMOUS routes", cv)
		}
	case TableUsagePlan:
		if len(rp.UsagePlans.TokenLocations) == 0 {
			v.warn(p, "add request_policies.usage_plans", "%s is empty: the deployment has no usage plans", cv)
		}
	}
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func reflectValueOfAny(x any) reflect.Value { return reflect.ValueOf(x) }
