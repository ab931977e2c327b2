package fnimage

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one finding about an input file, with its position.
type Problem struct {
	// File is the path of the input file as the caller gave it.
	File string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Field is the dotted path of the offending key, such as "runtime" or
	// "deploy.oci.provisioned_concurrency.count"; "" for file-level problems
	// (syntax errors, an empty file).
	Field string
	// Message says what is wrong and names the offending value.
	Message string
	// Fix says what to do about it. It is never empty for errors.
	Fix string
	// Warning is true for findings that do not stop a build.
	Warning bool
}

// String formats p as "File:Line:Column: [warning: ]Field: Message (fix: Fix)",
// leaving out the position parts that are unknown and the parts that are empty.
func (p Problem) String() string {
	var b strings.Builder
	var parts []string
	if p.File != "" {
		parts = append(parts, p.File)
	}
	if p.Line > 0 {
		parts = append(parts, strconv.Itoa(p.Line))
		if p.Column > 0 {
			parts = append(parts, strconv.Itoa(p.Column))
		}
	}
	pos := strings.Join(parts, ":")
	if pos != "" {
		b.WriteString(pos + ": ")
	}
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	if p.Fix != "" {
		fmt.Fprintf(&b, " (fix: %s)", p.Fix)
	}
	return b.String()
}

// InvalidInputError is returned when an input file has one or more errors;
// all of them are reported at once. Callers can detect it with errors.As to
// tell bad input apart from operational failures.
type InvalidInputError struct {
	// File is the input file as the caller gave it.
	File string
	// Problems holds the errors (never warnings), sorted by line and column.
	Problems []Problem
}

// Error returns one problem per line.
func (e *InvalidInputError) Error() string {
	if len(e.Problems) == 0 {
		return e.File + ": invalid input"
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by position, keeping the order of problems
// at the same position.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}
