package gateway

import (
	"errors"
	"fmt"
	"strings"
)

// ContextTable names one of API Gateway's context tables.
type ContextTable string

// The context tables of API Gateway.
const (
	// TablePath holds the route's path parameters ({name} and {name*},
	// keyed without the *).
	TablePath ContextTable = "request.path"
	// TableQuery holds query parameters (first value of each).
	TableQuery ContextTable = "request.query"
	// TableHeaders holds request headers (first value of each).
	TableHeaders ContextTable = "request.headers"
	// TableAuth holds the claims of a validated token, or what an
	// authorizer function returned.
	TableAuth ContextTable = "request.auth"
	// TableCert holds the client certificate of a mutual TLS connection,
	// under the key client_base64.
	TableCert ContextTable = "request.cert"
	// TableHost holds the host the request was sent to.
	TableHost ContextTable = "request.host"
	// TableSubdomain holds the leading part of the host; the key is the
	// trailing part to ignore.
	TableSubdomain ContextTable = "request.subdomain"
	// TableUsagePlan holds the usage plan of the caller's subscription.
	TableUsagePlan ContextTable = "request.usage_plan"
	// TableBody is the request body, for authorizer function parameters
	// only; it takes no key.
	TableBody ContextTable = "request.body"
)

var contextTables = []ContextTable{TablePath, TableQuery, TableHeaders, TableAuth, TableCert,
	TableHost, TableSubdomain, TableUsagePlan, TableBody}

// ContextVariable is a reference to one record of a context table, written
// table[key] (request.headers[x-request-id]) in policy fields and
// ${table[key]} inside strings.
type ContextVariable struct {
	// Table is the context table.
	Table ContextTable
	// Key is the record's key; "" only for request.body. Dots in a key
	// are part of it.
	Key string
}

// String writes v as table[key].
func (v ContextVariable) String() string {
	if v.Table == TableBody && v.Key == "" {
		return string(v.Table)
	}
	return string(v.Table) + "[" + v.Key + "]"
}

// ParseContextVariable parses a context variable written as in policy
// fields: request.headers[x-api-key], request.path[id], or request.body.
func ParseContextVariable(s string) (ContextVariable, error) {
	if s == string(TableBody) {
		return ContextVariable{Table: TableBody}, nil
	}
	open := strings.IndexByte(s, '[')
	if open < 0 || !strings.HasSuffix(s, "]") {
		if isTable(s) {
			return ContextVariable{}, fmt.Errorf("%s needs a key: %s[name]", s, s)
		}
		return ContextVariable{}, fmt.Errorf("%q is not a context variable: write table[key], such as request.headers[x-api-key]", s)
	}
	table, key := ContextTable(s[:open]), s[open+1:len(s)-1]
	if !isTable(string(table)) {
		return ContextVariable{}, fmt.Errorf("unknown context table %q: use %s", table, tableList())
	}
	if table == TableBody {
		return ContextVariable{}, errors.New("request.body takes no key")
	}
	if key == "" {
		return ContextVariable{}, fmt.Errorf("%s[] has an empty key", table)
	}
	if strings.ContainsAny(key, "[]") {
		return ContextVariable{}, fmt.Errorf("the key %q of %s contains a bracket", key, table)
	}
	return ContextVariable{Table: table, Key: key}, nil
}

func isTable(s string) bool {
	for _, t := range contextTables {
		if string(t) == s {
			return true
		}
	}
	return false
}

func tableList() string {
	names := make([]string, len(contextTables))
	for i, t := range contextTables {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// Template is a string that may embed context variables as ${table[key]},
// such as a header value or an HTTP backend URL.
type Template struct {
	// Parts alternate literal text and variables, in order.
	Parts []TemplatePart
}

// TemplatePart is literal text or one variable.
type TemplatePart struct {
	// Literal is the text of a literal part.
	Literal string
	// Variable is the variable of a variable part; IsVariable says which.
	Variable   ContextVariable
	IsVariable bool
}

// ParseTemplate parses s. A $ not followed by { is literal text; every
// ${...} must be a context variable.
func ParseTemplate(s string) (Template, error) {
	var t Template
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			if rest != "" {
				t.Parts = append(t.Parts, TemplatePart{Literal: rest})
			}
			return t, nil
		}
		if i > 0 {
			t.Parts = append(t.Parts, TemplatePart{Literal: rest[:i]})
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return Template{}, fmt.Errorf("unterminated ${ in %q", s)
		}
		expr := rest[i+2 : i+end]
		if strings.HasPrefix(expr, "env:") {
			return Template{}, fmt.Errorf("${%s} is an environment reference; only YAML specs read the environment", expr)
		}
		v, err := ParseContextVariable(expr)
		if err != nil {
			return Template{}, fmt.Errorf("${%s}: %w", expr, err)
		}
		t.Parts = append(t.Parts, TemplatePart{Variable: v, IsVariable: true})
		rest = rest[i+end+1:]
	}
}

// Variables returns the template's variables in order.
func (t Template) Variables() []ContextVariable {
	var out []ContextVariable
	for _, p := range t.Parts {
		if p.IsVariable {
			out = append(out, p.Variable)
		}
	}
	return out
}

// Expand substitutes every variable with lookup's answer (API Gateway
// substitutes "" for a missing record).
func (t Template) Expand(lookup func(ContextVariable) string) string {
	var b strings.Builder
	for _, p := range t.Parts {
		if p.IsVariable {
			b.WriteString(lookup(p.Variable))
		} else {
			b.WriteString(p.Literal)
		}
	}
	return b.String()
}

// String writes the template back.
func (t Template) String() string {
	return t.Expand(func(v ContextVariable) string { return "${" + v.String() + "}" })
}
