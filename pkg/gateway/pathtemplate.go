package gateway

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PathTemplate is a route path: literal segments and parameters,
// /orders/{id}/items/{rest*}.
type PathTemplate struct {
	// Segments are the path's segments, after the leading /.
	Segments []PathSegment
	// TrailingSlash is true when the path ends with / (and is not /).
	TrailingSlash bool
}

// PathSegment is one segment: literal text, {Param}, or {Param*}.
type PathSegment struct {
	// Literal is the text of a literal segment.
	Literal string
	// Param is the parameter's name, the key of request.path; "" for a
	// literal segment.
	Param string
	// Wildcard is true for {Param*}, which matches several segments.
	Wildcard bool
}

// pathChars are the characters OCI allows in paths besides letters and
// digits (and / between segments).
const pathChars = "$-_.+!*'(),%;:@&="

// ParsePathTemplate parses a route path. It must start with /, may end
// with /, must not contain //, and uses letters, digits and
// $-_.+!*'(),%;:@&=; a parameter is a whole segment {name} or {name*},
// name being letters, digits and _.
func ParsePathTemplate(p string) (PathTemplate, error) {
	var t PathTemplate
	if !strings.HasPrefix(p, "/") {
		return t, errors.New("a path must start with /")
	}
	if p == "/" {
		return t, nil
	}
	body := p[1:]
	if strings.HasSuffix(body, "/") {
		t.TrailingSlash = true
		body = body[:len(body)-1]
	}
	seen := map[string]bool{}
	for seg := range strings.SplitSeq(body, "/") {
		if seg == "" {
			return PathTemplate{}, errors.New("a path must not contain //")
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			name := seg[1 : len(seg)-1]
			s := PathSegment{Param: strings.TrimSuffix(name, "*"), Wildcard: strings.HasSuffix(name, "*")}
			if !isParamName(s.Param) {
				return PathTemplate{}, fmt.Errorf("parameter %s: names are letters, digits and _, optionally followed by *", seg)
			}
			if seen[s.Param] {
				return PathTemplate{}, fmt.Errorf("parameter %s appears twice", s.Param)
			}
			seen[s.Param] = true
			t.Segments = append(t.Segments, s)
			continue
		}
		if i := strings.IndexFunc(seg, func(r rune) bool { return !isPathChar(r) }); i >= 0 {
			r := []rune(seg[i:])[0]
			if r == '{' || r == '}' {
				return PathTemplate{}, fmt.Errorf("segment %q: a parameter must be a whole segment, {name}", seg)
			}
			return PathTemplate{}, fmt.Errorf("segment %q contains %q; use letters, digits and %s (percent-encode others)", seg, r, pathChars)
		}
		t.Segments = append(t.Segments, PathSegment{Literal: seg})
	}
	return t, nil
}

func isParamName(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r != '_' && !isAlnum(r)
	})
}

func isPathChar(r rune) bool {
	return isAlnum(r) || strings.ContainsRune(pathChars, r)
}

// Params returns the parameter names in order.
func (t PathTemplate) Params() []string {
	var out []string
	for _, s := range t.Segments {
		if s.Param != "" {
			out = append(out, s.Param)
		}
	}
	return out
}

// HasParam reports whether name is one of the template's parameters.
func (t PathTemplate) HasParam(name string) bool { return slices.Contains(t.Params(), name) }

// String writes the template back as a path.
func (t PathTemplate) String() string {
	return t.render(func(s PathSegment) string {
		if s.Wildcard {
			return "{" + s.Param + "*}"
		}
		return "{" + s.Param + "}"
	})
}

// Pattern is the template with parameter names left out ({} and {*}):
// two routes with the same pattern match the same requests.
func (t PathTemplate) Pattern() string {
	return t.render(func(s PathSegment) string {
		if s.Wildcard {
			return "{*}"
		}
		return "{}"
	})
}

func (t PathTemplate) render(param func(PathSegment) string) string {
	var b strings.Builder
	for _, s := range t.Segments {
		b.WriteByte('/')
		if s.Param != "" {
			b.WriteString(param(s))
		} else {
			b.WriteString(s.Literal)
		}
	}
	if t.TrailingSlash || len(t.Segments) == 0 {
		b.WriteByte('/')
	}
	return b.String()
}
