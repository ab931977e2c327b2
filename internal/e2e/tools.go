package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// installHint is appended to every "tool not found" failure.
const installHint = "run hack/install-tools.sh (it installs runc, umoci and skopeo with apt-get and registry and ko into $OSA_TOOLS_DIR/bin)"

// ToolsDir returns the directory hack/install-tools.sh installs the Go tools
// under (their binaries are in ToolsDir()/bin): $OSA_TOOLS_DIR when set,
// otherwise $HOME/.cache/osa/tools.
func ToolsDir() string {
	if dir := os.Getenv("OSA_TOOLS_DIR"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	return filepath.Join(home, ".cache", "osa", "tools")
}

// LookTool returns the path of the program name, looked up on PATH and then in
// ToolsDir()/bin. It fails the test when the program is in neither.
func LookTool(t testing.TB, name string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	path := filepath.Join(ToolsDir(), "bin", name)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return path
	}
	t.Fatalf("e2e: %s not found on PATH nor in %s: %s", name, filepath.Join(ToolsDir(), "bin"), installHint)
	return ""
}

// runTool runs a tool to completion and fails the test, with the command line
// and its output, when it does not succeed. It returns how long the command
// took.
func runTool(t testing.TB, ctx context.Context, name string, args ...string) time.Duration {
	t.Helper()
	path := LookTool(t, name)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("e2e: %s %s: %v\n%s", name, redactArgs(args), err, out.String())
	}
	return took
}

// redactArgs joins a command line for messages, hiding credentials passed as
// the value of a --*creds flag.
func redactArgs(args []string) string {
	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = a
		if i > 0 && strings.HasSuffix(args[i-1], "creds") {
			if user, _, ok := strings.Cut(a, ":"); ok {
				shown[i] = user + ":REDACTED"
			}
		}
	}
	return strings.Join(shown, " ")
}

// tail returns at most the last n lines of s.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append([]string{"[...]"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
