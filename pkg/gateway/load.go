package gateway

import (
	"fmt"
	"os"
	"strings"
)

// LoadOption configures [LoadYAML] and [LoadJSON].
type LoadOption func(*loadOptions)

type loadOptions struct {
	lookupEnv func(string) (string, bool)
}

// WithLookupEnv sets how ${env:NAME} values are read. The default is
// os.LookupEnv.
func WithLookupEnv(lookup func(name string) (value string, ok bool)) LoadOption {
	return func(o *loadOptions) { o.lookupEnv = lookup }
}

// maxInput bounds the input file; OCI's own limit on a specification is
// 2 MB of JSON.
const maxInput = 16 << 20

// LoadYAML reads a specification written in osa's YAML: the fields of OCI's
// deployment specification in snake_case, as Terraform's
// oci_apigateway_deployment writes them (repeated blocks such as
// verify_claims become lists, single blocks become mappings).
//
// String values may read the environment: ${env:NAME} is NAME's value and
// ${env:NAME:-default} is NAME's value, or default when NAME is unset or
// empty. Every other ${...}, such as the gateway's
// ${request.headers[x-request-id]}, is kept as written.
//
// LoadYAML derives what the seed's Terraform leaves implicit (a JWT
// policy's issuers and audiences from its iss and aud claims) and then
// runs [Validate]. It returns the specification, every finding (warnings
// included) sorted by position, and an *[InvalidSpecError] carrying them
// all when any is an error.
func LoadYAML(file string, data []byte, opts ...LoadOption) (Spec, []Finding, error) {
	return load(file, SyntaxYAML, data, opts)
}

// LoadJSON reads a specification in OCI's JSON (camelCase, as the API, the
// Console and the SDK write it). It takes no ${env:...} values: the
// document is used verbatim. Function backends may use "function" (a name)
// instead of "functionId". Otherwise it behaves as [LoadYAML].
func LoadJSON(file string, data []byte, opts ...LoadOption) (Spec, []Finding, error) {
	return load(file, SyntaxJSON, data, opts)
}

// loader holds the state of one load.
type loader struct {
	file     string
	syntax   Syntax
	lookup   func(string) (string, bool)
	findings []Finding // Field holds canonical paths until the end
	src      *sourceMap
	bad      map[string]bool // paths whose values could not be used
	raw      map[int]bool    // findings whose Field is already spelled for the file
}

func load(file string, syn Syntax, data []byte, opts []LoadOption) (Spec, []Finding, error) {
	o := loadOptions{lookupEnv: os.LookupEnv}
	for _, opt := range opts {
		opt(&o)
	}
	l := &loader{file: file, syntax: syn, lookup: o.lookupEnv,
		src: &sourceMap{pos: map[string]position{}, env: map[string]string{}}, bad: map[string]bool{}, raw: map[int]bool{}}
	spec := Spec{Source: Source{File: file, Syntax: syn, m: l.src}}
	if len(data) > maxInput {
		l.errAt(position{Line: 1, Col: 1}, "", "split the API into several deployments",
			"the file is %d bytes; OCI accepts at most 2 MB of specification", len(data))
		return l.finish(spec)
	}
	var top *node
	if syn == SyntaxJSON {
		top = l.parseJSON(data)
	} else {
		top = l.parseYAML(data)
	}
	if top == nil {
		return l.finish(spec)
	}
	if top.kind != nodeMap {
		l.errAt(top.pos, "", "write the specification as a mapping of request_policies, logging_policies and routes",
			"the top level must be a mapping, found %s", kindOf(top))
		return l.finish(spec)
	}
	d := decoder{l: l}
	d.decodeValue(top, reflectValue(&spec), "", position{}, false)
	l.derive(&spec)
	for _, f := range validate(spec) {
		if !l.isBad(f.Field) {
			l.findings = append(l.findings, f)
		}
	}
	return l.finish(spec)
}

// finish renders field paths in the file's naming, sorts the findings and
// builds the error.
func (l *loader) finish(spec Spec) (Spec, []Finding, error) {
	src := Source{File: l.file, Syntax: l.syntax, m: l.src}
	for i := range l.findings {
		l.findings[i].File = l.file
		if !l.raw[i] {
			l.findings[i].Field = src.display(l.findings[i].Field)
		}
	}
	sortFindings(l.findings)
	if HasErrors(l.findings) {
		return spec, l.findings, &InvalidSpecError{File: l.file, Findings: l.findings}
	}
	return spec, l.findings, nil
}

// isBad reports whether path or one of its parents failed to decode.
func (l *loader) isBad(path string) bool {
	for {
		if l.bad[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parentPath(path)
	}
}

func (l *loader) add(sev Severity, p position, field, fix, format string, args ...any) {
	if p.Line < 1 && field != "" {
		p = l.src.pos[field]
	}
	l.findings = append(l.findings, Finding{Line: p.Line, Column: p.Col, Severity: sev, Field: field,
		Message: fmt.Sprintf(format, args...), Fix: fix})
}

func (l *loader) errAt(p position, field, fix, format string, args ...any) {
	l.add(SeverityError, p, field, fix, format, args...)
}

func (l *loader) warnAt(p position, field, fix, format string, args ...any) {
	l.add(SeverityWarning, p, field, fix, format, args...)
}

// interpolate replaces ${env:NAME} and ${env:NAME:-default} in s, the
// default applying when NAME is unset or empty. It returns the problems
// that make s unusable.
func interpolate(s string, lookup func(string) (string, bool)) (string, []envProblem) {
	var b strings.Builder
	var probs []envProblem
	for {
		i := strings.Index(s, "${env:")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		rest := s[i+len("${env:"):]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			probs = append(probs, envProblem{"close it with }: ${env:NAME} or ${env:NAME:-default}",
				fmt.Sprintf("unterminated ${env: in %q", s)})
			break
		}
		ref := rest[:end]
		name, def, hasDef := strings.Cut(ref, ":-")
		v, set := "", false
		if isEnvName(name) {
			v, set = lookup(name)
		}
		switch {
		case !isEnvName(name):
			probs = append(probs, envProblem{"write ${env:NAME} or ${env:NAME:-default}, NAME being letters, digits and _",
				fmt.Sprintf("${env:%s} does not name an environment variable", ref)})
		case set && v != "":
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		case !set:
			probs = append(probs, envProblem{fmt.Sprintf("set %s, or give a default: ${env:%s:-value}", name, name),
				fmt.Sprintf("environment variable %s is not set", name)})
		}
		s = rest[end+1:]
	}
	return b.String(), probs
}

func isEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	return !strings.ContainsFunc(s, func(c rune) bool { return c != '_' && !isAlnum(c) })
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
