package yamlnode

import (
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

func TestStartAndText(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseBytes([]byte("# a comment\nouter:\n  first: 1\n  second: two\nflow: {a: 1}\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	root := f.Docs[0].Body
	if got, want := Start(root), (Pos{2, 1}); got != want {
		t.Errorf("Start(root) = %v, want %v (the first key)", got, want)
	}
	m := root.(*ast.MappingNode)
	outer := m.Values[0].Value
	if got, want := Start(outer), (Pos{3, 3}); got != want {
		t.Errorf("Start(outer) = %v, want %v", got, want)
	}
	second := outer.(*ast.MappingNode).Values[1]
	if got := Text(second.Value); got != "two" {
		t.Errorf("Text = %q, want two", got)
	}
	if got, want := Start(m.Values[1].Value), (Pos{5, 7}); got != want {
		t.Errorf("Start(flow mapping) = %v, want %v (its brace)", got, want)
	}
	var nilMap *ast.MappingNode
	if !IsNil(nilMap) || Start(nilMap) != (Pos{}) || Text(nilMap) != "" {
		t.Error("a typed nil node has no position and no text")
	}
}
