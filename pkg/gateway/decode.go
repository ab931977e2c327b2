package gateway

// This file decodes nodes into the model by reflection, with the field
// names of the document's syntax, reporting every problem at its position.

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

type decoder struct{ l *loader }

func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

var (
	contentType = reflect.TypeFor[map[string]ContentValidation]()
	sourceType  = reflect.TypeFor[Source]()
	enumType    = reflect.TypeFor[enum]()
)

// fieldTable maps the names of struct type t in one syntax to field
// indexes.
type fieldTable struct {
	byName map[string]int
	names  []string // sorted, for suggestions
	other  map[string]string
}

var fieldTables sync.Map // [2]any{reflect.Type, Syntax} -> *fieldTable

func fieldsOf(t reflect.Type, syn Syntax) *fieldTable {
	key := [2]any{t, syn}
	if ft, ok := fieldTables.Load(key); ok {
		return ft.(*fieldTable)
	}
	otherSyn := SyntaxJSON
	if syn == SyntaxJSON {
		otherSyn = SyntaxYAML
	}
	ft := &fieldTable{byName: map[string]int{}, other: map[string]string{}}
	for i := range t.NumField() {
		f := t.Field(i)
		name := tagName(f, syn)
		if name == "" || name == "-" || f.Type == sourceType {
			continue
		}
		ft.byName[name] = i
		ft.names = append(ft.names, name)
		if o := tagName(f, otherSyn); o != name {
			ft.other[o] = name
		}
	}
	slices.Sort(ft.names)
	fieldTables.Store(key, ft)
	return ft
}

// decodeValue stores n into v. keyPos is the position of the key that
// holds n, when there is one.
func (d decoder) decodeValue(n *node, v reflect.Value, path string, keyPos position, hasKey bool) {
	at := n.pos
	if hasKey && (n.kind == nodeNull || n.block && (n.kind == nodeMap || n.kind == nodeSeq)) {
		at = keyPos
	}
	if at.Line > 0 {
		d.l.src.pos[path] = at
	}
	if n.env != "" {
		d.l.src.env[path] = n.env
	}
	if n.failed {
		d.l.bad[path] = true
		for _, e := range n.envErrs {
			d.l.errAt(n.pos, path, e.fix, "%s", e.msg)
		}
		return
	}
	if n.kind == nodeNull {
		if v.Kind() == reflect.Struct && hasKey {
			d.l.warnAt(at, path, "remove the key, or fill it in", "%s is empty and is ignored", lastName(path))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		d.decodeValue(n, e.Elem(), path, keyPos, hasKey)
		if !d.l.bad[path] {
			v.Set(e)
		}
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		if v.Type() == contentType && n.kind == nodeSeq {
			d.decodeContentList(n, v, path)
			return
		}
		if !d.expect(n, nodeMap, path, "write `key: value` pairs") {
			return
		}
		if len(n.entries) == 0 {
			return // an empty mapping is "not set", like an empty list
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.entries))
		for _, e := range n.entries {
			ev := reflect.New(v.Type().Elem()).Elem()
			child := path + "[" + e.key + "]"
			d.decodeValue(e.val, ev, child, e.keyPos, true)
			m.SetMapIndex(reflect.ValueOf(e.key).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.Slice:
		if !d.expect(n, nodeSeq, path, "write a list, one `- item` per line or [a, b]") {
			return
		}
		if len(n.items) == 0 {
			return // an empty list is "not set": the model keeps one form of it, nil
		}
		s := reflect.MakeSlice(v.Type(), len(n.items), len(n.items))
		for i, item := range n.items {
			d.decodeValue(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), position{}, false)
		}
		v.Set(s)
	case reflect.String:
		d.decodeString(n, v, path)
	case reflect.Int, reflect.Int64:
		d.decodeInt(n, v, path)
	case reflect.Float32:
		d.decodeFloat(n, v, path)
	case reflect.Bool:
		switch {
		case n.kind == nodeScalar && n.sk == scalarBool, n.env != "" && (n.text == "true" || n.text == "false"):
			v.SetBool(n.text == "true")
		default:
			d.fail(n, path, "write true or false", "expected true or false, found %s", kindOf(n))
		}
	}
}

func (d decoder) expect(n *node, k nodeKind, path, fix string) bool {
	if n.kind == k {
		return true
	}
	want := map[nodeKind]string{nodeMap: "a mapping", nodeSeq: "a list", nodeScalar: "a single value"}[k]
	d.fail(n, path, fix, "expected %s, found %s", want, kindOf(n))
	return false
}

func (d decoder) fail(n *node, path, fix, format string, args ...any) {
	d.l.bad[path] = true
	d.l.errAt(n.pos, path, fix, format, args...)
}

func (d decoder) decodeStruct(n *node, v reflect.Value, path string) {
	fix := "write its fields as `key: value` pairs"
	if n.kind == nodeSeq {
		fix = "write it as a mapping, not a list: it is a single block"
	}
	if !d.expect(n, nodeMap, path, fix) {
		return
	}
	ft := fieldsOf(v.Type(), d.l.syntax)
	for _, e := range n.entries {
		child := join(path, e.key)
		i, ok := ft.byName[e.key]
		if !ok {
			d.unknownKey(e, child, ft)
			continue
		}
		canonical := join(path, tagName(v.Type().Field(i), SyntaxYAML))
		d.decodeValue(e.val, v.Field(i), canonical, e.keyPos, true)
	}
}

// decodeContentList reads body_validation.content written as Terraform
// does: a list of {media_type, validation_type}.
func (d decoder) decodeContentList(n *node, v reflect.Value, path string) {
	mediaKey, typeKey := "media_type", "validation_type"
	if d.l.syntax == SyntaxJSON {
		mediaKey, typeKey = "mediaType", "validationType"
	}
	m := map[string]ContentValidation{}
	for i, item := range n.items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if !d.expect(item, nodeMap, ip, "write {"+mediaKey+": application/json, "+typeKey+": NONE}") {
			continue
		}
		var media, vt *node
		for _, e := range item.entries {
			switch e.key {
			case mediaKey:
				media = e.val
			case typeKey:
				vt = e.val
			default:
				d.l.raw[len(d.l.findings)] = true
				d.l.errAt(e.keyPos, Source{Syntax: d.l.syntax}.display(ip)+"."+e.key, "use "+mediaKey+" and "+typeKey, "unknown key %q", e.key)
			}
		}
		if media == nil || media.kind != nodeScalar || media.text == "" {
			d.fail(item, ip, "add "+mediaKey+", such as application/json", "%s is required", mediaKey)
			continue
		}
		key := media.text
		child := path + "[" + key + "]"
		if _, dup := m[key]; dup {
			d.fail(media, child, "remove one of the two entries", "media type %q is listed twice", key)
			continue
		}
		var cv ContentValidation
		d.l.src.pos[child] = item.pos
		if vt != nil {
			d.decodeValue(vt, reflect.ValueOf(&cv.ValidationType).Elem(), join(child, "validation_type"), position{}, false)
		}
		m[key] = cv
	}
	v.Set(reflect.ValueOf(m))
}

func (d decoder) decodeString(n *node, v reflect.Value, path string) {
	if n.kind != nodeScalar {
		d.fail(n, path, "write a single value; quote it if it contains `: ` or starts with a special character",
			"expected a string, found %s", kindOf(n))
		return
	}
	if d.l.syntax == SyntaxJSON && n.sk != scalarString {
		d.fail(n, path, "quote it: \""+n.text+"\"", "expected a string, found %s", kindOf(n))
		return
	}
	s := n.text
	if v.Type().Implements(enumType) {
		vals := reflect.Zero(v.Type()).Interface().(enum).enumValues()
		if i := slices.IndexFunc(vals, func(x string) bool { return strings.EqualFold(x, s) }); i >= 0 {
			s = vals[i]
		}
	}
	v.SetString(s)
}

func (d decoder) decodeInt(n *node, v reflect.Value, path string) {
	if n.kind != nodeScalar {
		d.fail(n, path, "write a whole number", "expected a whole number, found %s", kindOf(n))
		return
	}
	ok := n.sk == scalarInt || n.env != ""
	x, err := strconv.ParseInt(n.text, 10, 64)
	switch {
	case ok && err == nil:
		v.SetInt(x)
	case n.sk == scalarString && n.env == "" && err == nil:
		d.fail(n, path, "remove the quotes", "expected a whole number, found the string %q", n.text)
	case ok && isRange(err):
		d.fail(n, path, "use a smaller number", "number %s is out of range", n.text)
	default:
		d.fail(n, path, "write a whole number", "expected a whole number, found %s", kindOf(n))
	}
}

func isRange(err error) bool { return errors.Is(err, strconv.ErrRange) }

func (d decoder) decodeFloat(n *node, v reflect.Value, path string) {
	if n.kind != nodeScalar {
		d.fail(n, path, "write a number", "expected a number, found %s", kindOf(n))
		return
	}
	ok := n.sk == scalarInt || n.sk == scalarFloat || n.env != ""
	x, err := strconv.ParseFloat(n.text, 32)
	switch {
	case ok && err == nil && !math.IsInf(x, 0) && !math.IsNaN(x):
		v.SetFloat(x)
	case n.sk == scalarString && n.env == "" && err == nil:
		d.fail(n, path, "remove the quotes", "expected a number, found the string %q", n.text)
	default:
		d.fail(n, path, "write a finite number", "expected a number, found %s", kindOf(n))
	}
}

// unknownKey reports a key the model does not have, suggesting the name
// the user probably meant.
func (d decoder) unknownKey(e entry, path string, ft *fieldTable) {
	fix := "remove it"
	if name, ok := ft.other[e.key]; ok {
		fix = fmt.Sprintf("write %q, the %s name of this field", name, strings.ToUpper(string(d.l.syntax)))
	} else if s := closest(e.key, ft.names); s != "" {
		fix = fmt.Sprintf("did you mean %q?", s)
	} else if len(ft.names) > 0 {
		fix = "remove it; the keys here are " + strings.Join(ft.names, ", ")
	}
	d.l.bad[path] = true
	d.l.raw[len(d.l.findings)] = true
	written := Source{Syntax: d.l.syntax}.display(parentPath(path))
	d.l.errAt(e.keyPos, join(written, e.key), fix, "unknown key %q", e.key)
}

// closest returns the name nearest to s by edit distance, if it is near
// enough to be a typo.
func closest(s string, names []string) string {
	best, bestD := "", max(3, len(s)/3)
	for _, n := range names {
		if dist := editDistance(strings.ToLower(s), n); dist < bestD {
			best, bestD = n, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// lastName is the last name of a path, for messages.
func lastName(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return strings.TrimSuffix(path[i+1:], "]")
	}
	return path
}
