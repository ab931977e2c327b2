// Package cli implements the osa command line: the cobra commands, the
// --json contract of design.md §8 and the exit statuses (0 success, 1
// failure, 2 bad usage or invalid input).
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2 // bad usage or invalid input
)

// env is what a command may read of its environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	json           bool
	verbose        bool
}

// Main runs the osa command line with args (without the program name) and
// returns the exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if e.json || wantsJSON(args) {
		writeJSON(stdout, errorDocument(err))
	}
	fmt.Fprintf(stderr, "osa: %v\n", err)
	if code == ExitUsage && isUsage(err) {
		fmt.Fprintln(stderr, "Run 'osa --help' for usage.")
	}
	return code
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "osa",
		Short:         "Build, version, release and run OCI Functions APIs",
		Long:          "osa turns a folder of OCI Functions and an API description into a versioned API on OCI API Gateway, and runs it locally.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentFlags().BoolVar(&e.json, "json", false, "print exactly one JSON document on stdout (progress and logs go to stderr)")
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "log more detail to stderr")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newBuildCommand(e), newEmulatorCommand(e), newVersionCommand(e))
	return root
}

// wantsJSON finds --json in args when flag parsing failed before reading it.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "--json=true", "--json=1":
			return true
		}
	}
	return false
}

// usageError marks bad usage of the command line.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("expected %s, got %d arguments", what, len(args))}
		}
		return nil
	}
}

func exitCode(err error) int {
	var (
		invalid     *fnimage.InvalidInputError
		ctxErr      *fnimage.ContextError
		unsupported *fnimage.UnsupportedError
	)
	switch {
	case isUsage(err), errors.As(err, &invalid), errors.As(err, &ctxErr), errors.As(err, &unsupported):
		return ExitUsage
	}
	return ExitFailure
}

// errorDocument is the --json document of a failed command.
func errorDocument(err error) map[string]any {
	doc := map[string]any{"message": err.Error(), "exit_code": exitCode(err)}
	var invalid *fnimage.InvalidInputError
	if errors.As(err, &invalid) {
		problems := make([]map[string]any, 0, len(invalid.Problems))
		for _, p := range invalid.Problems {
			problems = append(problems, map[string]any{
				"file": p.File, "line": p.Line, "column": p.Column, "field": p.Field,
				"message": p.Message, "fix": p.Fix,
			})
		}
		doc["problems"] = problems
	}
	return map[string]any{"error": doc}
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && termIsTerminal(int(f.Fd()))
}
