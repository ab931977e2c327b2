package gateway

// This file turns YAML into nodes: goccy/go-yaml parses it with positions,
// anchors and aliases are followed (with a budget), and ${env:...} values
// are interpolated.

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/oci-serverless/oci-serverless-api/internal/yamlnode"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// yamlReader converts a goccy AST into nodes.
type yamlReader struct {
	l       *loader
	anchors map[string]ast.Node
	budget  int
	over    bool
}

// parseYAML returns the document's top node, or nil when there is none
// (reported).
func (l *loader) parseYAML(data []byte) *node {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		l.yamlSyntaxError(err)
		return nil
	}
	var body ast.Node
	if file != nil && len(file.Docs) > 0 && !yamlnode.IsNil(file.Docs[0]) {
		body = file.Docs[0].Body
	}
	if yamlnode.IsNil(body) {
		l.errAt(position{Line: 1, Col: 1}, "", "write the specification: request_policies, routes, ...", "the file is empty")
		return nil
	}
	for i, doc := range file.Docs[1:] {
		if yamlnode.IsNil(doc) || yamlnode.IsNil(doc.Body) {
			continue
		}
		l.warnAt(yamlnode.Start(doc.Body), "", "remove it, or merge it into the first document",
			"YAML document %d is ignored: a specification is one document", i+2)
	}
	r := &yamlReader{l: l, anchors: map[string]ast.Node{}, budget: maxNodes}
	r.collectAnchors(body)
	return r.convert(body, 0)
}

func (l *loader) yamlSyntaxError(err error) {
	p, msg := position{Line: 1, Col: 1}, err.Error()
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tp := yamlnode.TokenPos(ye.GetToken()); tp.Line > 0 {
			p = tp
		}
	}
	switch {
	case strings.Contains(msg, "'\t'"):
		l.errAt(p, "", "indent with spaces; YAML does not allow tabs for indentation",
			"tab character where YAML expects indentation or a token")
	case strings.HasPrefix(msg, "mapping key ") && strings.Contains(msg, "already defined"):
		l.errAt(p, "", "remove one of the two keys", "duplicate key %s", strings.TrimPrefix(msg, "mapping key "))
	default:
		l.errAt(p, "", "correct the YAML syntax at this position", "invalid YAML: %s", msg)
	}
}

// collectAnchors records every anchor so that aliases can be followed.
func (r *yamlReader) collectAnchors(root ast.Node) {
	stack := []ast.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch t := n.(type) {
		case *ast.AnchorNode:
			if t != nil {
				r.anchors[yamlnode.Text(t.Name)] = t.Value
				stack = append(stack, t.Value)
			}
		case *ast.TagNode:
			if t != nil {
				stack = append(stack, t.Value)
			}
		case *ast.MappingKeyNode:
			if t != nil {
				stack = append(stack, t.Value)
			}
		case *ast.MappingValueNode:
			if t != nil {
				stack = append(stack, t.Key, t.Value)
			}
		case *ast.MappingNode:
			if t != nil {
				for _, v := range t.Values {
					stack = append(stack, v)
				}
			}
		case *ast.SequenceNode:
			if t != nil {
				stack = append(stack, t.Values...)
			}
		}
	}
}

// convert turns n into a node; nil when n cannot be used (reported).
func (r *yamlReader) convert(n ast.Node, depth int) *node {
	forceString := false
	for range 32 {
		if yamlnode.IsNil(n) {
			return &node{kind: nodeNull}
		}
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
			continue
		case *ast.TagNode:
			if yamlnode.Text(t) == "!!str" {
				forceString = true
			}
			n = t.Value
			continue
		case *ast.AliasNode:
			target, ok := r.anchors[yamlnode.Text(t.Value)]
			if !ok {
				r.l.errAt(yamlnode.TokenPos(t.GetToken()), "", "define the anchor with &"+yamlnode.Text(t.Value)+", or write the value out",
					"alias *%s refers to no anchor", yamlnode.Text(t.Value))
				return nil
			}
			n = target
			continue
		}
		break
	}
	if r.budget--; r.budget < 0 || depth > maxDepth {
		if !r.over {
			r.over = true
			r.l.errAt(yamlnode.Start(n), "", "simplify the document", "the document nests or repeats aliases too deeply")
		}
		return nil
	}
	switch t := n.(type) {
	case *ast.MappingNode:
		out := &node{kind: nodeMap, pos: yamlnode.TokenPos(t.Start), block: !t.IsFlowStyle}
		if len(t.Values) > 0 {
			out.pos = yamlnode.Start(t)
		}
		for _, mv := range t.Values {
			r.addEntry(out, mv, depth)
		}
		return out
	case *ast.MappingValueNode:
		out := &node{kind: nodeMap, pos: yamlnode.Start(t), block: true}
		r.addEntry(out, t, depth)
		return out
	case *ast.SequenceNode:
		out := &node{kind: nodeSeq, pos: yamlnode.TokenPos(t.Start), block: !t.IsFlowStyle}
		for _, item := range t.Values {
			if c := r.convert(item, depth+1); c != nil {
				out.items = append(out.items, c)
			} else {
				out.items = append(out.items, &node{kind: nodeNull, pos: yamlnode.Start(item)})
			}
		}
		return out
	case *ast.NullNode:
		return &node{kind: nodeNull, pos: yamlnode.TokenPos(t.GetToken())}
	}
	return r.scalar(n, forceString)
}

func (r *yamlReader) addEntry(m *node, mv *ast.MappingValueNode, depth int) {
	if yamlnode.IsNil(mv) || yamlnode.IsNil(mv.Key) {
		return
	}
	if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
		r.l.errAt(yamlnode.TokenPos(mv.Key.GetToken()), "", "write the keys out instead of merging them", "YAML merge keys (<<) are not supported")
		return
	}
	var k ast.Node = mv.Key
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		k = mk.Value
	}
	kn := r.convert(k, depth+1)
	if kn == nil {
		return
	}
	kp := yamlnode.Start(k)
	if kn.kind != nodeScalar && kn.kind != nodeNull {
		r.l.errAt(kp, "", "use a plain string as the key", "expected a string key, found %s", kindOf(kn))
		return
	}
	for _, e := range m.entries {
		if e.key == kn.text {
			r.l.errAt(kp, "", "remove one of the two keys", "duplicate key %q (first at line %d)", kn.text, e.keyPos.Line)
			return
		}
	}
	v := r.convert(mv.Value, depth+1)
	if v == nil {
		v = &node{kind: nodeNull, pos: kp}
	}
	if v.kind == nodeNull && v.pos.Line == 0 {
		v.pos = kp
	}
	m.entries = append(m.entries, entry{key: kn.text, keyPos: kp, val: v})
}

// scalar converts a scalar node, interpolating ${env:...} in strings.
func (r *yamlReader) scalar(n ast.Node, forceString bool) *node {
	out := &node{kind: nodeScalar, pos: yamlnode.TokenPos(n.GetToken())}
	switch t := n.(type) {
	case *ast.StringNode:
		out.text = t.Value
	case *ast.LiteralNode:
		if t.Value != nil {
			out.text = t.Value.Value
		}
	case *ast.IntegerNode:
		out.sk, out.text = scalarInt, yamlnode.Text(n)
		switch v := t.Value.(type) {
		case int64:
			out.text = strconv.FormatInt(v, 10)
		case uint64:
			out.text = strconv.FormatUint(v, 10)
		}
	case *ast.FloatNode:
		out.sk, out.text = scalarFloat, strconv.FormatFloat(t.Value, 'g', -1, 64)
	case *ast.InfinityNode, *ast.NanNode:
		out.sk, out.text = scalarFloat, yamlnode.Text(n)
	case *ast.BoolNode:
		out.sk, out.text = scalarBool, strconv.FormatBool(t.Value)
	default:
		out.text = yamlnode.Text(n)
	}
	if forceString {
		out.sk = scalarString
		out.text = yamlnode.Text(n)
	}
	if out.sk == scalarString && strings.Contains(out.text, "${env:") {
		orig := out.text
		out.text, out.envErrs = interpolate(orig, r.l.lookup)
		out.env, out.failed = orig, len(out.envErrs) > 0
	}
	return out
}
