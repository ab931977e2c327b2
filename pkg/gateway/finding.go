package gateway

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity says whether a [Finding] stops a deployment.
type Severity string

// Severities.
const (
	// SeverityError findings are refused before any cloud call.
	SeverityError Severity = "error"
	// SeverityWarning findings are accepted: osa derived a value, or OCI
	// will accept the spec but not do what it seems to say.
	SeverityWarning Severity = "warning"
)

// Finding is one problem found in a specification.
type Finding struct {
	// File is the input file as the caller named it; "" for specs built
	// in code.
	File string `json:"file,omitempty"`
	// Line and Column are 1-based; 0 when unknown.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Severity is error or warning.
	Severity Severity `json:"severity"`
	// Field is the path of the offending field in the file's own naming:
	// routes[0].backend.function_id in YAML (and for specs built in code),
	// routes[0].backend.functionId in JSON; "" for file-level findings.
	Field string `json:"field,omitempty"`
	// Message says what is wrong and names the offending value.
	Message string `json:"message"`
	// Fix says what to do about it; never empty for errors.
	Fix string `json:"fix,omitempty"`
}

// IsError reports whether f stops a deployment.
func (f Finding) IsError() bool { return f.Severity != SeverityWarning }

// String formats f as "file:line:col: severity: field: message (fix: fix)",
// leaving out the parts that are unknown or empty.
func (f Finding) String() string {
	var b strings.Builder
	var pos []string
	if f.File != "" {
		pos = append(pos, f.File)
	}
	if f.Line > 0 {
		pos = append(pos, strconv.Itoa(f.Line))
		if f.Column > 0 {
			pos = append(pos, strconv.Itoa(f.Column))
		}
	}
	if len(pos) > 0 {
		b.WriteString(strings.Join(pos, ":") + ": ")
	}
	sev := f.Severity
	if sev == "" {
		sev = SeverityError
	}
	b.WriteString(string(sev) + ": ")
	if f.Field != "" {
		b.WriteString(f.Field + ": ")
	}
	b.WriteString(f.Message)
	if f.Fix != "" {
		fmt.Fprintf(&b, " (fix: %s)", f.Fix)
	}
	return b.String()
}

// HasErrors reports whether any finding is an error.
func HasErrors(findings []Finding) bool {
	return slices.ContainsFunc(findings, Finding.IsError)
}

// InvalidSpecError is returned by the loaders when a specification has
// errors. It carries every finding, errors and warnings, so that callers
// (errors.As) can report them all at once.
type InvalidSpecError struct {
	// File is the input file as the caller named it.
	File string
	// Findings are sorted by position; at least one is an error.
	Findings []Finding
}

// Error lists the errors, one per line, and counts the warnings.
func (e *InvalidSpecError) Error() string {
	var lines []string
	warnings := 0
	for _, f := range e.Findings {
		if f.IsError() {
			lines = append(lines, f.String())
		} else {
			warnings++
		}
	}
	if len(lines) == 0 {
		lines = append(lines, e.File+": invalid specification")
	}
	if warnings > 0 {
		lines = append(lines, fmt.Sprintf("(and %d warning(s))", warnings))
	}
	return strings.Join(lines, "\n")
}

// sortFindings orders findings by position, keeping the order of those at
// the same position (and of those without one).
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}
