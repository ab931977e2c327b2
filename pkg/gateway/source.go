package gateway

import (
	"reflect"
	"strings"
	"sync"

	"github.com/oci-serverless/oci-serverless-api/internal/yamlnode"
)

// Syntax is the syntax a specification was read from.
type Syntax string

// Syntaxes.
const (
	// SyntaxYAML is osa's YAML: snake_case names as Terraform writes them.
	SyntaxYAML Syntax = "yaml"
	// SyntaxJSON is OCI's JSON: camelCase names as the API writes them.
	SyntaxJSON Syntax = "json"
)

// Source records where a specification was read from: the file, its
// syntax, and the position of every field, so that findings point at the
// offending line and column. The zero Source (a spec built in code) has no
// positions.
type Source struct {
	// File is the input file as the caller named it.
	File string
	// Syntax is the file's syntax; it decides how field paths are spelled
	// in findings.
	Syntax Syntax
	m      *sourceMap
}

// sourceMap holds positions by canonical (snake_case) field path.
type sourceMap struct {
	pos map[string]position // value (scalars) or key (blocks) position
	env map[string]string   // original text of values that read ${env:...}
}

// position is a 1-based line and column.
type position = yamlnode.Pos

// Equal reports true: where a spec comes from is not part of it. It lets
// go-cmp compare specs.
func (Source) Equal(Source) bool { return true }

// Position returns the line and column of the field at path, written in
// snake_case as in YAML (routes[0].backend.url), or of its nearest parent
// that has one; 0, 0 when nothing is known.
func (s Source) Position(path string) (line, col int) {
	p := s.at(path)
	return p.Line, p.Col
}

func (s Source) at(path string) position {
	if s.m == nil {
		return position{}
	}
	for {
		if p, ok := s.m.pos[path]; ok {
			return p
		}
		if path == "" {
			return position{}
		}
		path = parentPath(path)
	}
}

// fromEnv returns the original text of a value that read the environment.
func (s Source) fromEnv(path string) (string, bool) {
	if s.m == nil {
		return "", false
	}
	t, ok := s.m.env[path]
	return t, ok
}

// parentPath strips the last element of a field path: a name or an index.
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// display spells a canonical field path in the source's naming: JSON
// sources get camelCase names, indexes and map keys are kept.
func (s Source) display(path string) string {
	if s.Syntax != SyntaxJSON || path == "" {
		return path
	}
	names := camelNames()
	var b strings.Builder
	for i := 0; i < len(path); {
		switch c := path[i]; c {
		case '[':
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				b.WriteString(path[i:])
				return b.String()
			}
			b.WriteString(path[i : i+j+1])
			i += j + 1
		case '.':
			b.WriteByte('.')
			i++
		default:
			j := strings.IndexAny(path[i:], ".[")
			if j < 0 {
				j = len(path) - i
			}
			name := path[i : i+j]
			if c, ok := names[name]; ok {
				name = c
			}
			b.WriteString(name)
			i += j
		}
	}
	return b.String()
}

// join appends a struct field name to a path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

var camelOnce = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			y, j := tagName(f, SyntaxYAML), tagName(f, SyntaxJSON)
			if y == "" || y == "-" {
				continue
			}
			if prev, ok := out[y]; ok && prev != j {
				panic("gateway: YAML name " + y + " has two JSON names: " + prev + ", " + j)
			}
			out[y] = j
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Spec]())
	return out
})

// camelNames maps every snake_case field name of the model to its JSON
// name.
func camelNames() map[string]string { return camelOnce() }

// tagName returns a struct field's name in the given syntax.
func tagName(f reflect.StructField, syn Syntax) string {
	key := "yaml"
	if syn == SyntaxJSON {
		key = "json"
	}
	name, _, _ := strings.Cut(f.Tag.Get(key), ",")
	return name
}
