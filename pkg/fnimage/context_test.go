//go:build unix

package fnimage

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ctxTree describes a directory tree: "dir/" makes a directory, "name -> t" a
// symlink to t, "name" a file whose content is the value; names ending in
// ".sh" are made executable.
type ctxTree map[string]string

func makeCtxTree(t *testing.T, dir string, l ctxTree) {
	t.Helper()
	for name, content := range l {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(name, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(content, "-> "):
			err = os.Symlink(strings.TrimPrefix(content, "-> "), p)
		default:
			mode := fs.FileMode(0o644)
			if strings.HasSuffix(name, ".sh") {
				mode = 0o755
			}
			if err = os.WriteFile(p, []byte(content), mode); err == nil {
				err = os.Chmod(p, mode) // ignore the umask
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// MkdirAll is subject to the umask too.
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			err = os.Chmod(p, 0o755)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

const (
	ctxDirMode  = fs.ModeDir | 0o755
	ctxLinkMode = fs.ModeSymlink | 0o777
)

func TestReadContext(t *testing.T) {
	t.Parallel()
	ignore := "# build outputs\n*.log\n!important.log\nbuild/\nnode_modules\n!node_modules/keep.js\nsecrets/**\n!secrets/public.pem\n"
	tests := []struct {
		name  string
		files ctxTree
		want  []ContextFile
	}{{
		name: "no .dockerignore",
		files: ctxTree{"func.py": "x", "run.sh": "#!/bin/sh\n", "src/a.py": "aa", "empty/": "",
			"link": "-> src/a.py", "src/up": "-> ../func.py", "dirlink": "-> src", "dangling": "-> missing/file"},
		want: []ContextFile{
			{Rel: "dangling", Mode: ctxLinkMode, LinkTarget: "missing/file"},
			{Rel: "dirlink", Mode: ctxLinkMode, LinkTarget: "src"},
			{Rel: "empty", Mode: ctxDirMode},
			{Rel: "func.py", Mode: 0o644, Size: 1},
			{Rel: "link", Mode: ctxLinkMode, LinkTarget: "src/a.py"},
			{Rel: "run.sh", Mode: 0o755, Size: 10},
			{Rel: "src", Mode: ctxDirMode},
			{Rel: "src/a.py", Mode: 0o644, Size: 2},
			{Rel: "src/up", Mode: ctxLinkMode, LinkTarget: "../func.py"},
		},
	}, {
		name: "excludes and exceptions",
		files: ctxTree{".dockerignore": ignore, "func.py": "x", "app.log": "", "important.log": "i",
			"src/a.py": "", "src/debug.log": "", "src/sub/b.py": "",
			"build/out.bin": "", "build/deep/x": "",
			"node_modules/x.js": "", "node_modules/keep.js": "k", "node_modules/pkg/y.js": "",
			"secrets/key.pem": "", "secrets/public.pem": "pub",
			"build/escape": "-> ../../outside", "node_modules/sock.sh": "-> /abs"},
		want: []ContextFile{
			{Rel: ".dockerignore", Mode: 0o644, Size: int64(len(ignore))},
			{Rel: "func.py", Mode: 0o644, Size: 1},
			{Rel: "important.log", Mode: 0o644, Size: 1},
			{Rel: "node_modules", Mode: ctxDirMode}, // excluded, but the parent of keep.js
			{Rel: "node_modules/keep.js", Mode: 0o644, Size: 1},
			{Rel: "secrets", Mode: ctxDirMode},
			{Rel: "secrets/public.pem", Mode: 0o644, Size: 3},
			{Rel: "src", Mode: ctxDirMode},
			{Rel: "src/a.py", Mode: 0o644},
			{Rel: "src/debug.log", Mode: 0o644}, // "*.log" matches only at the top, as in Docker
			{Rel: "src/sub", Mode: ctxDirMode},
			{Rel: "src/sub/b.py", Mode: 0o644},
		},
	}, {
		name:  ".dockerignore and Dockerfile follow the patterns",
		files: ctxTree{".dockerignore": ".dockerignore\nDockerfile\n", "Dockerfile": "FROM scratch\n", "func.py": ""},
		want:  []ContextFile{{Rel: "func.py", Mode: 0o644}},
	}, {
		name:  "wildcard exceptions look inside excluded directories",
		files: ctxTree{".dockerignore": "*\n!**/*.go\n", "main.go": "", "README": "", "vendor/a/x.go": "", "vendor/a/x.txt": ""},
		want: []ContextFile{
			{Rel: "main.go", Mode: 0o644},
			{Rel: "vendor", Mode: ctxDirMode},
			{Rel: "vendor/a", Mode: ctxDirMode},
			{Rel: "vendor/a/x.go", Mode: 0o644},
		},
	}, {
		name:  "excluded entries are not checked",
		files: ctxTree{".dockerignore": "out\n*.lnk\n", "f": "", "out/escape": "-> ../../x", "abs.lnk": "-> /etc/passwd"},
		want:  []ContextFile{{Rel: ".dockerignore", Mode: 0o644, Size: 10}, {Rel: "f", Mode: 0o644}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			makeCtxTree(t, dir, tc.files)
			got, err := ReadContext(dir)
			if err != nil {
				t.Fatalf("ReadContext() error: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ReadContext() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadContextErrors(t *testing.T) {
	t.Parallel()
	const linkFix = " (fix: replace the link by a copy of its target, or add it to .dockerignore)"
	const specialFix = " (fix: remove it from the function directory, or add it to .dockerignore)"
	tests := []struct {
		name    string
		files   ctxTree
		special map[string]string // name -> "socket" or "fifo"
		want    []string          // error lines, with DIR for the directory
	}{{
		name:  "escaping symlink",
		files: ctxTree{"up": "-> ../outside"},
		want:  []string{`DIR/up: symlink to "../outside" points outside the function directory` + linkFix},
	}, {
		name:  "absolute symlink",
		files: ctxTree{"sub/abs": "-> /etc/passwd"},
		want:  []string{`DIR/sub/abs: symlink to absolute path "/etc/passwd": in the image it would point outside /function` + linkFix},
	}, {
		name:  "escape through a chain of symlinks",
		files: ctxTree{"a": "-> b", "b": "-> sub/../../x", "sub/": ""},
		want: []string{
			`DIR/a: symlink to "b" points outside the function directory` + linkFix,
			`DIR/b: symlink to "sub/../../x" points outside the function directory` + linkFix,
		},
	}, {
		// Lexically sub/d/../../x is x, but sub/d is the root, so .. leaves it.
		name:  "escape that only resolving shows",
		files: ctxTree{"sub/d": "-> ..", "e": "-> sub/d/../../x"},
		want:  []string{`DIR/e: symlink to "sub/d/../../x" points outside the function directory` + linkFix},
	}, {
		name:  "chain to an absolute symlink",
		files: ctxTree{"a": "-> sub/b", "sub/b": "-> /tmp"},
		want: []string{
			`DIR/a: symlink to "sub/b" leads through sub/b to absolute path "/tmp", outside /function in the image` + linkFix,
			`DIR/sub/b: symlink to absolute path "/tmp": in the image it would point outside /function` + linkFix,
		},
	}, {
		name:    "socket and FIFO",
		files:   ctxTree{"ok": ""},
		special: map[string]string{"s.sock": "socket", "sub/pipe": "fifo"},
		want: []string{
			"DIR/s.sock: not a regular file, directory or symlink (a socket)" + specialFix,
			"DIR/sub/pipe: not a regular file, directory or symlink (a named pipe (FIFO))" + specialFix,
		},
	}, {
		name:  "malformed pattern",
		files: ctxTree{".dockerignore": "# ok\n*.log\n  [\n"},
		want: []string{`DIR/.dockerignore:3: malformed pattern "[": syntax error in pattern ` +
			"(fix: correct the pattern (see https://docs.docker.com/build/concepts/context/#dockerignore-files) or remove the line)"},
	}, {
		name:  "lone exclamation mark",
		files: ctxTree{".dockerignore": "a\n!\n"},
		want: []string{`DIR/.dockerignore:2: malformed pattern "!": illegal exclusion pattern: "!" ` +
			"(fix: correct the pattern (see https://docs.docker.com/build/concepts/context/#dockerignore-files) or remove the line)"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			makeCtxTree(t, dir, tc.files)
			for name, kind := range tc.special {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if kind == "fifo" {
					if err := syscall.Mkfifo(p, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				l, err := net.Listen("unix", p)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
			}
			files, err := ReadContext(dir)
			if err == nil {
				t.Fatalf("ReadContext() = %+v, want an error", files)
			}
			var ce *ContextError
			if !errors.As(err, &ce) {
				t.Fatalf("ReadContext() error %T, want *ContextError", err)
			}
			got := strings.Split(strings.ReplaceAll(err.Error(), dir, "DIR"), "\n")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ReadContext() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadContextNotADirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := ReadContext(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadContext(missing) error = %v, want fs.ErrNotExist", err)
	}
	f := filepath.Join(dir, "file")
	if err := os.WriteFile(f, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadContext(f); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("ReadContext(file) error = %v, want \"is not a directory\"", err)
	}
}

func TestContextErrorError(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	e := &ContextError{Path: "d/x", Problem: "bad", Fix: "fix it", Err: cause}
	if got, want := e.Error(), "d/x: bad (fix: fix it)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, cause) {
		t.Error("errors.Is(e, cause) = false, want true")
	}
	e = &ContextError{Path: "d/.dockerignore", Line: 4, Problem: "bad"}
	if got, want := e.Error(), "d/.dockerignore:4: bad"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
