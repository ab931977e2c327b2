package gateway

// This file holds the syntax-neutral document tree that both loaders
// produce: YAML (through goccy/go-yaml's AST) and JSON (through
// encoding/json's tokens) become the same nodes with positions, and one
// decoder turns them into a Spec.

import "fmt"

type nodeKind int

const (
	nodeNull nodeKind = iota
	nodeScalar
	nodeMap
	nodeSeq
)

// scalarKind is how a scalar was written.
type scalarKind int

const (
	scalarString scalarKind = iota
	scalarInt
	scalarFloat
	scalarBool
)

// node is one value of a document.
type node struct {
	kind nodeKind
	pos  position
	// Scalars: the text (strings after ${env:...} interpolation; numbers
	// and booleans in a canonical spelling), how it was written, and the
	// original text when it read the environment.
	text string
	sk   scalarKind
	env  string
	// failed marks a value that could not be read; envErrs says why, and
	// the decoder reports it at the value's field.
	failed  bool
	envErrs []envProblem
	// Mappings, in document order.
	entries []entry
	// Sequences.
	items []*node
	// block is true for block (not flow) mappings and sequences: findings
	// about them point at their key.
	block bool
}

// envProblem is a ${env:...} reference that could not be resolved.
type envProblem struct{ fix, msg string }

// entry is one key of a mapping.
type entry struct {
	key    string
	keyPos position
	val    *node
}

// kindOf describes n for messages.
func kindOf(n *node) string {
	switch n.kind {
	case nodeNull:
		return "null"
	case nodeMap:
		return "a mapping"
	case nodeSeq:
		return "a list"
	}
	switch n.sk {
	case scalarInt, scalarFloat:
		return "the number " + n.text
	case scalarBool:
		return "the boolean " + n.text
	}
	return fmt.Sprintf("%q", n.text)
}

// maxDepth bounds nesting in both syntaxes; maxNodes bounds the nodes a
// document may expand to (YAML aliases can multiply them).
const (
	maxDepth = 64
	maxNodes = 200_000
)
