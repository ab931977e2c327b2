package fnimage

// This file holds the YAML decoder behind ParseFuncFile: it walks the AST,
// fills a FuncFile and records every problem with its position.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/oci-serverless/oci-serverless-api/internal/yamlnode"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// position is a 1-based line and column.
type position = yamlnode.Pos

// ffDecoder decodes a YAML AST into a FuncFile, collecting every problem
// with its position instead of stopping at the first.
type ffDecoder struct {
	file    string
	anchors map[string]ast.Node
	pos     map[string]position // field path -> position of its value
	keyPos  map[string]position // field path -> position of its key
	bad     map[string]bool     // field paths that failed to decode
	probs   []Problem
	start   position // first key of the document, for file-level problems
	budget  int      // nodes left to convert; bounds alias expansion
}

func (d *ffDecoder) add(p position, field string, warn bool, fix, format string, args ...any) {
	if p.Line < 1 {
		p = d.start
	}
	d.probs = append(d.probs, Problem{File: d.file, Line: p.Line, Column: p.Col, Field: field,
		Message: fmt.Sprintf(format, args...), Fix: fix, Warning: warn})
}

// at returns the position of the value at path, else of its nearest
// parent, else of the document.
func (d *ffDecoder) at(path string) position {
	for path != "" {
		if p, ok := d.pos[path]; ok && p.Line > 0 {
			return p
		}
		i := strings.LastIndex(path, ".")
		path = path[:max(i, 0)]
	}
	return d.start
}

// parse parses data into f. It returns false when the document is not
// usable at all (syntax error, empty, not a mapping, too many nodes).
func (d *ffDecoder) parse(data []byte, f *FuncFile) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		d.syntaxError(err)
		return false
	}
	var body ast.Node
	if file != nil && len(file.Docs) > 0 && !yamlnode.IsNil(file.Docs[0]) {
		body = file.Docs[0].Body
	}
	if yamlnode.IsNil(body) {
		d.add(position{Line: 1, Col: 1}, "", false, "write schema_version: 20180708, name, version, runtime and entrypoint, or run `fn init`",
			"the file is empty")
		return false
	}
	for i, doc := range file.Docs[1:] {
		if yamlnode.IsNil(doc) || yamlnode.IsNil(doc.Body) {
			continue
		}
		p := yamlnode.TokenPos(doc.Start)
		if p.Line == 0 {
			p = yamlnode.Start(doc.Body)
		}
		d.add(p, "", true, "remove it, or merge it into the first document",
			"YAML document %d is ignored: fn reads only the first one", i+2)
	}
	d.collectAnchors(body)
	d.start = yamlnode.Start(body)
	if d.start.Line < 1 {
		d.start = position{Line: 1, Col: 1}
	}
	top := d.resolve(body, "")
	switch top.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
	case nil:
		return false
	default:
		d.add(yamlnode.Start(top), "", false, "write func.yaml as `key: value` lines, starting with schema_version: 20180708",
			"the top level must be a mapping of keys (schema_version, name, runtime, ...), found %s", kindOf(top))
		return false
	}
	d.decode(top, reflect.ValueOf(f).Elem(), "", 0)
	return d.budget >= 0 // past the budget, fields went undecoded: do not validate them
}

func (d *ffDecoder) syntaxError(err error) {
	p, msg := position{Line: 1, Col: 0}, err.Error()
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tp := yamlnode.TokenPos(ye.GetToken()); tp.Line > 0 {
			p = tp
		}
	}
	switch {
	case strings.Contains(msg, "'\t'"):
		d.add(p, "", false, "indent with spaces; YAML does not allow tabs for indentation",
			"tab character where YAML expects indentation or a token")
	case strings.HasPrefix(msg, "mapping key ") && strings.Contains(msg, "already defined"):
		msg = strings.TrimPrefix(msg, "mapping key ")
		if m := dupRE.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("%s (first defined at line %s, column %s)", m[1], m[2], m[3])
		}
		d.add(p, "", false, "remove one of the two keys", "duplicate key %s", msg)
	default:
		d.add(p, "", false, "correct the YAML syntax at this position", "invalid YAML: %s", msg)
	}
}

// collectAnchors records every anchor in the document so that aliases can
// be resolved while decoding field by field.
func (d *ffDecoder) collectAnchors(root ast.Node) {
	stack := []ast.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if yamlnode.IsNil(n) {
			continue
		}
		switch t := n.(type) {
		case *ast.AnchorNode:
			d.anchors[yamlnode.Text(t.Name)] = t.Value
			stack = append(stack, t.Value)
		case *ast.TagNode:
			stack = append(stack, t.Value)
		case *ast.MappingKeyNode:
			stack = append(stack, t.Value)
		case *ast.MappingValueNode:
			stack = append(stack, t.Key, t.Value)
		case *ast.MappingNode:
			for _, v := range t.Values {
				stack = append(stack, v)
			}
		case *ast.SequenceNode:
			stack = append(stack, t.Values...)
		}
	}
}

// resolve strips anchors and tags and follows aliases. It returns nil for
// a missing node or an alias that cannot be followed (reported).
func (d *ffDecoder) resolve(n ast.Node, path string) ast.Node {
	for range 32 {
		if yamlnode.IsNil(n) {
			return nil
		}
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		case *ast.AliasNode:
			target, ok := d.anchors[yamlnode.Text(t.Value)]
			if !ok {
				d.fail(t, path, fmt.Sprintf("define the anchor with &%s, or write the value out", yamlnode.Text(t.Value)),
					"alias *%s refers to no anchor", yamlnode.Text(t.Value))
				return nil
			}
			n = target
		default:
			return n
		}
	}
	d.fail(n, path, "write the value out", "aliases nest too deeply")
	return nil
}

// fail reports a decoding error at n and marks path as failed.
func (d *ffDecoder) fail(n ast.Node, path, fix, format string, args ...any) {
	d.bad[path] = true
	d.add(yamlnode.Start(n), path, false, fix, format, args...)
}

// entry is one key of a mapping.
type entry struct {
	key    string
	keyPos position
	value  ast.Node
}

// entries returns the keys of the mapping n, or reports that n is not one.
func (d *ffDecoder) entries(n ast.Node, path string) []entry {
	var mvs []*ast.MappingValueNode
	switch t := n.(type) {
	case *ast.MappingNode:
		mvs = t.Values
	case *ast.MappingValueNode:
		mvs = []*ast.MappingValueNode{t}
	default:
		d.fail(n, path, hint(path, "write `key: value` pairs indented under it"), "expected a mapping, found %s", kindOf(n))
		return nil
	}
	var out []entry
	seen := map[string]bool{}
	for _, mv := range mvs {
		if yamlnode.IsNil(mv) || yamlnode.IsNil(mv.Key) {
			continue
		}
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			d.fail(mv.Key, path, "write the keys out instead of merging them", "YAML merge keys (<<) are not supported")
			continue
		}
		k := d.resolve(mv.Key, path)
		if mk, ok := k.(*ast.MappingKeyNode); ok {
			k = d.resolve(mk.Value, path)
		}
		if k == nil {
			continue
		}
		key, ok := scalarText(k)
		if !ok {
			d.fail(k, path, "use a plain string as the key", "expected a string key, found %s", kindOf(k))
			continue
		}
		if seen[key] {
			d.fail(k, path, "remove one of the two keys", "duplicate key %q", key)
			continue
		}
		seen[key] = true
		out = append(out, entry{key: key, keyPos: yamlnode.Start(k), value: mv.Value})
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

const maxDepth = 64

// decode stores the YAML node n into v, reporting type errors and unknown
// keys at their positions.
func (d *ffDecoder) decode(n ast.Node, v reflect.Value, path string, depth int) {
	if n = d.resolve(n, path); n == nil {
		return
	}
	if _, ok := d.pos[path]; !ok {
		d.pos[path] = yamlnode.Start(n)
		if kp, ok := d.keyPos[path]; ok && isBlock(n) {
			d.pos[path] = kp // point at the key that opens a block
		}
	}
	if _, null := n.(*ast.NullNode); null {
		return
	}
	if d.budget--; d.budget < 0 || depth > maxDepth {
		if d.budget == -1 || depth > maxDepth {
			d.fail(n, path, "simplify the document", "the document nests or repeats aliases too deeply")
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		d.decode(n, e.Elem(), path, depth+1)
		if !d.bad[path] {
			v.Set(e)
		}
	case reflect.Struct:
		known := yamlFields(v.Type())
		for _, e := range d.entries(n, path) {
			child := join(path, e.key)
			i, ok := known[e.key]
			if !ok {
				d.unknownKey(e, child, known)
				continue
			}
			d.keyPos[child] = e.keyPos
			d.decode(e.value, v.Field(i), child, depth+1)
		}
	case reflect.Map:
		entries := d.entries(n, path)
		m := reflect.MakeMapWithSize(v.Type(), len(entries))
		for _, e := range entries {
			child := path + "." + e.key
			d.keyPos[child] = e.keyPos
			ev := reflect.New(v.Type().Elem()).Elem()
			d.decode(e.value, ev, child, depth+1)
			m.SetMapIndex(reflect.ValueOf(e.key), ev)
		}
		v.Set(m)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.fail(n, path, hint(path, "write a list, one `- item` per line"), "expected a list, found %s", kindOf(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, item := range seq.Values {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case reflect.String:
		if s, ok := scalarText(n); ok {
			v.SetString(s)
		} else {
			d.fail(n, path, hint(path, "write a single value; quote it if it contains `: ` or starts with a special character"),
				"expected a string, found %s", kindOf(n))
		}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint64:
		d.decodeInt(n, v, path)
	case reflect.Bool:
		s, _ := scalarText(n)
		switch b, isBool := n.(*ast.BoolNode); {
		case isBool:
			v.SetBool(b.Value)
		case slices.Contains([]string{"yes", "on", "y"}, strings.ToLower(s)):
			v.SetBool(true) // YAML 1.1 booleans, which fn's YAML library accepts
		case slices.Contains([]string{"no", "off", "n"}, strings.ToLower(s)):
		default:
			d.fail(n, path, "write true or false", "expected true or false, found %s", kindOf(n))
		}
	case reflect.Interface:
		if x := d.toAny(n, path, depth); x != nil {
			v.Set(reflect.ValueOf(x))
		}
	}
}

func (d *ffDecoder) decodeInt(n ast.Node, v reflect.Value, path string) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch v.Kind() {
	case reflect.Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	case reflect.Uint64:
		lo = 0
	}
	in, ok := n.(*ast.IntegerNode)
	if !ok {
		text, _ := scalarText(n)
		if _, err := strconv.ParseFloat(text, 64); err == nil && isPlain(n) && !strings.ContainsAny(text, ".eE") {
			d.fail(n, path, hint(path, "use a smaller number"), "number %s is out of range", text)
		} else if _, isStr := n.(*ast.StringNode); isStr && err == nil {
			d.fail(n, path, "remove the quotes", "expected an integer, found the string %q", text)
		} else {
			d.fail(n, path, hint(path, "write a whole number"), "expected an integer, found %s", kindOf(n))
		}
		return
	}
	var x int64
	switch t := in.Value.(type) {
	case int64:
		x = t
	case uint64:
		if t > math.MaxInt64 {
			d.fail(n, path, hint(path, "use a smaller number"), "number %d is out of range", t)
			return
		}
		x = int64(t)
	}
	if x < lo || x > hi {
		d.fail(n, path, hint(path, fmt.Sprintf("use a number from %d to %d", lo, hi)), "number %d is out of range", x)
		return
	}
	if v.Kind() == reflect.Uint64 {
		v.SetUint(uint64(x))
	} else {
		v.SetInt(x)
	}
}

// toAny converts n to plain Go values, for annotations and defined tags.
func (d *ffDecoder) toAny(n ast.Node, path string, depth int) any {
	if n = d.resolve(n, path); n == nil {
		return nil
	}
	if d.budget--; d.budget < 0 || depth > maxDepth {
		if d.budget == -1 || depth > maxDepth {
			d.fail(n, path, "simplify the document", "the document nests or repeats aliases too deeply")
		}
		return nil
	}
	switch t := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		m := map[string]any{}
		for _, e := range d.entries(n, path) {
			m[e.key] = d.toAny(e.value, path+"."+e.key, depth+1)
		}
		return m
	case *ast.SequenceNode:
		s := make([]any, len(t.Values))
		for i, item := range t.Values {
			s[i] = d.toAny(item, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		return s
	case *ast.IntegerNode:
		return t.Value
	case *ast.FloatNode:
		if !math.IsInf(t.Value, 0) && !math.IsNaN(t.Value) {
			return t.Value
		}
	case *ast.BoolNode:
		return t.Value
	case *ast.NullNode:
		return nil
	}
	s, _ := scalarText(n)
	return s
}

// unknownKey warns about a key fn would ignore, suggesting the nearest
// known key.
func (d *ffDecoder) unknownKey(e entry, path string, known map[string]int) {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	slices.Sort(names)
	fix := "remove it (fn ignores it too)"
	if s := closest(e.key, names); s != "" {
		fix = fmt.Sprintf("did you mean %q?", s)
	}
	d.add(e.keyPos, path, true, fix, "unknown key %q is ignored", e.key)
}

// yamlFields maps the YAML keys of struct type t to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			out[tag] = i
		}
	}
	return out
}

// scalarText returns the text of a scalar node, as fn's YAML library
// stores any scalar into a string field.
func scalarText(n ast.Node) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		if t.Value == nil {
			return "", true
		}
		return t.Value.Value, true
	case *ast.NullNode:
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return yamlnode.Text(n), true
	}
	return "", false
}

func isBlock(n ast.Node) bool {
	switch t := n.(type) {
	case *ast.MappingNode:
		return !t.IsFlowStyle
	case *ast.MappingValueNode:
		return true
	case *ast.SequenceNode:
		return !t.IsFlowStyle
	}
	return false
}

func isPlain(n ast.Node) bool {
	tk := n.GetToken()
	return tk != nil && tk.Type != token.DoubleQuoteType && tk.Type != token.SingleQuoteType
}

func kindOf(n ast.Node) string {
	switch t := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "the number " + yamlnode.Text(n)
	case *ast.BoolNode:
		return "the boolean " + yamlnode.Text(n)
	case *ast.NullNode:
		return "null"
	case *ast.StringNode:
		return strconv.Quote(t.Value)
	case *ast.LiteralNode:
		return "a block of text"
	}
	return "a " + strings.ToLower(n.Type().String())
}
