package gateway

// This file turns JSON into nodes with encoding/json's tokenizer, keeping
// the position of every value.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

type jsonReader struct {
	l     *loader
	data  []byte
	lines []int // offsets where lines start
	dec   *json.Decoder
	count int
}

// parseJSON returns the document's top node, or nil when it is not
// usable (reported).
func (l *loader) parseJSON(data []byte) *node {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := &jsonReader{l: l, data: data, lines: []int{0}}
	for i, c := range data {
		if c == '\n' {
			r.lines = append(r.lines, i+1)
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		l.errAt(position{Line: 1, Col: 1}, "", `write the specification as a JSON object: {"routes": [...]}`, "the file is empty")
		return nil
	}
	r.dec = json.NewDecoder(bytes.NewReader(data))
	r.dec.UseNumber()
	n, ok := r.value(0)
	if !ok {
		return nil
	}
	at := r.pos(r.next(int(r.dec.InputOffset())))
	if _, err := r.dec.Token(); err != io.EOF {
		if err != nil {
			r.syntax(err)
			return nil
		}
		l.errAt(at, "", "remove everything after the closing }", "unexpected data after the JSON document")
		return nil
	}
	return n
}

// next skips whitespace and separators from off to the next token.
func (r *jsonReader) next(off int) int {
	for off < len(r.data) {
		switch r.data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// pos converts a byte offset to a line and a column counted in characters.
func (r *jsonReader) pos(off int) position {
	off = min(max(off, 0), len(r.data))
	line, _ := slices.BinarySearch(r.lines, off+1)
	start := r.lines[line-1]
	return position{Line: line, Col: utf8.RuneCount(r.data[start:off]) + 1}
}

func (r *jsonReader) syntax(err error) {
	off := int(r.dec.InputOffset())
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		r.l.errAt(r.pos(len(r.data)), "", "close every { and [ and finish the document", "the JSON document ends too early")
		return
	}
	r.l.errAt(r.pos(off), "", "correct the JSON syntax at this position", "invalid JSON: %v", err)
}

// value reads one JSON value; false after a syntax error (reported).
func (r *jsonReader) value(depth int) (*node, bool) {
	at := r.pos(r.next(int(r.dec.InputOffset())))
	tok, err := r.dec.Token()
	if err != nil {
		r.syntax(err)
		return nil, false
	}
	if r.count++; r.count > maxNodes || depth > maxDepth {
		r.l.errAt(at, "", "simplify the document", "the document is too large or nests too deeply")
		return nil, false
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return r.object(at, depth)
		}
		return r.array(at, depth)
	case string:
		return &node{kind: nodeScalar, pos: at, text: t}, true
	case json.Number:
		n := &node{kind: nodeScalar, pos: at, text: t.String(), sk: scalarInt}
		if bytes.ContainsAny([]byte(t), ".eE") {
			n.sk = scalarFloat
		}
		return n, true
	case bool:
		return &node{kind: nodeScalar, pos: at, sk: scalarBool, text: strconv.FormatBool(t)}, true
	case nil:
		return &node{kind: nodeNull, pos: at}, true
	}
	return nil, false
}

func (r *jsonReader) object(at position, depth int) (*node, bool) {
	n := &node{kind: nodeMap, pos: at, block: true}
	for r.dec.More() {
		kp := r.pos(r.next(int(r.dec.InputOffset())))
		tok, err := r.dec.Token()
		if err != nil {
			r.syntax(err)
			return nil, false
		}
		key, _ := tok.(string)
		v, ok := r.value(depth + 1)
		if !ok {
			return nil, false
		}
		dup := slices.IndexFunc(n.entries, func(e entry) bool { return e.key == key })
		if dup >= 0 {
			r.l.errAt(kp, "", "remove one of the two keys", "duplicate key %q (first at line %d)", key, n.entries[dup].keyPos.Line)
			continue
		}
		n.entries = append(n.entries, entry{key: key, keyPos: kp, val: v})
	}
	if _, err := r.dec.Token(); err != nil { // the closing }
		r.syntax(err)
		return nil, false
	}
	return n, true
}

func (r *jsonReader) array(at position, depth int) (*node, bool) {
	n := &node{kind: nodeSeq, pos: at, block: true}
	for r.dec.More() {
		v, ok := r.value(depth + 1)
		if !ok {
			return nil, false
		}
		n.items = append(n.items, v)
	}
	if _, err := r.dec.Token(); err != nil { // the closing ]
		r.syntax(err)
		return nil, false
	}
	return n, true
}
