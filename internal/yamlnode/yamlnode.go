package yamlnode

import (
	"reflect"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// Pos is a 1-based line and column; the zero Pos means unknown.
type Pos struct{ Line, Col int }

// maxDepth bounds the walk in Start, as the loaders bound their own.
const maxDepth = 64

// Text returns the text of n's token, or "" for a nil node.
func Text(n ast.Node) string {
	if IsNil(n) {
		return ""
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// IsNil reports whether n is nil, including a typed nil pointer in an
// interface (the AST holds those).
func IsNil(n any) bool {
	if n == nil {
		return true
	}
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// TokenPos returns where tk is, or the zero Pos.
func TokenPos(tk *token.Token) Pos {
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{tk.Position.Line, tk.Position.Column}
}

// Start is where n begins: the first key of a block mapping, else n's token.
func Start(n ast.Node) Pos {
	for range maxDepth {
		if IsNil(n) {
			return Pos{}
		}
		switch t := n.(type) {
		case *ast.MappingNode:
			if t.IsFlowStyle || len(t.Values) == 0 {
				return TokenPos(t.Start)
			}
			n = t.Values[0]
		case *ast.MappingValueNode:
			n = t.Key
		default:
			return TokenPos(n.GetToken())
		}
	}
	return Pos{}
}
