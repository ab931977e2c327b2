package fnimage

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// ContextFile is one entry of a function's build context.
type ContextFile struct {
	// Rel is the slash-separated path relative to the function directory,
	// without a leading "./".
	Rel string
	// Mode holds the type bits and permissions as on disk (from lstat).
	Mode fs.FileMode
	// Size is the size in bytes of a regular file; 0 for other entries.
	Size int64
	// LinkTarget is the target of a symlink as read from disk; "" otherwise.
	LinkTarget string
}

// ContextError is a build-context entry that cannot be built into an image,
// or a malformed .dockerignore. It is reported before anything is built.
type ContextError struct {
	Path    string // the offending file, as dir joined with its relative path
	Line    int    // 1-based line in Path, when Path is .dockerignore; else 0
	Problem string // what is wrong
	Fix     string // what to do about it
	Err     error  // the underlying OS or pattern error, if any
}

// Error returns "path[:line]: problem (fix: fix)".
func (e *ContextError) Error() string {
	p := e.Path
	if e.Line > 0 {
		p += ":" + strconv.Itoa(e.Line)
	}
	if e.Fix == "" {
		return p + ": " + e.Problem
	}
	return p + ": " + e.Problem + " (fix: " + e.Fix + ")"
}

// Unwrap returns the underlying error, if any.
func (e *ContextError) Unwrap() error { return e.Err }

// ReadContext lists the build context of dir as `docker build` with BuildKit
// would send it for fn's `ADD . /function/`: every entry except those that
// .dockerignore excludes, sorted by Rel, directories included and symlinks
// not followed.
//
// .dockerignore is read with Docker's own parser and matcher
// (moby/patternmatcher), including "!" exceptions. As with BuildKit, the
// patterns apply to .dockerignore and Dockerfile like to any other file (only
// the legacy builder always sent them, and then removed them again), and a
// directory that is excluded but holds an included entry is still listed, so
// that the entry has its parent.
//
// Entries that cannot go into an image are errors, reported all at once
// (errors.Join of *ContextError, sorted by path): symlinks that point
// outside dir or are absolute, files that are not regular files, directories
// or symlinks (sockets, FIFOs, devices), and files or directories that cannot
// be opened. Excluded entries are not checked. File contents are never read.
func ReadContext(dir string) ([]ContextFile, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("reading build context: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("reading build context: %s is not a directory", dir)
	}
	w := &contextWalker{dir: dir, dirs: map[string]ContextFile{}, emitted: map[string]bool{}}
	if err := w.readIgnore(); err != nil {
		return nil, err
	}
	w.walk("", patternmatcher.MatchInfo{})
	if len(w.errs) > 0 {
		slices.SortStableFunc(w.errs, func(a, b *ContextError) int { return strings.Compare(a.Path, b.Path) })
		if len(w.errs) == 1 {
			return nil, w.errs[0]
		}
		errs := make([]error, len(w.errs))
		for i, e := range w.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(w.files, func(a, b ContextFile) int { return strings.Compare(a.Rel, b.Rel) })
	return w.files, nil
}

type contextWalker struct {
	dir string
	pm  *patternmatcher.PatternMatcher // nil without .dockerignore
	// prefixOnly is true when no "!" exception has wildcards, so an excluded
	// directory need only be entered if an exception starts with its path
	// (BuildKit's rule for which excluded directories it walks).
	prefixOnly bool
	dirs       map[string]ContextFile // every directory walked, for parents
	emitted    map[string]bool
	files      []ContextFile
	errs       []*ContextError
}

func (w *contextWalker) fail(rel, problem, fix string, err error) {
	w.errs = append(w.errs, &ContextError{Path: filepath.Join(w.dir, filepath.FromSlash(rel)), Problem: problem, Fix: fix, Err: err})
}

// readIgnore loads .dockerignore, checking each pattern on its own first so
// that a malformed one is reported with its line number.
func (w *contextWalker) readIgnore() error {
	p := filepath.Join(w.dir, ".dockerignore")
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &ContextError{Path: p, Problem: "cannot read: " + err.Error(), Fix: "fix its permissions", Err: err}
	}
	for i, line := range strings.Split(string(data), "\n") {
		if i == 0 {
			line = strings.TrimPrefix(line, "\xef\xbb\xbf")
		}
		pats, _ := ignorefile.ReadAll(strings.NewReader(line))
		for _, pat := range pats {
			if err := checkPattern(pat); err != nil {
				return &ContextError{Path: p, Line: i + 1, Err: err,
					Problem: fmt.Sprintf("malformed pattern %q: %v", strings.TrimSpace(line), err),
					Fix:     "correct the pattern (see https://docs.docker.com/build/concepts/context/#dockerignore-files) or remove the line"}
			}
		}
	}
	pats, err := ignorefile.ReadAll(bytes.NewReader(data))
	if err == nil {
		w.pm, err = patternmatcher.New(pats)
	}
	if err != nil {
		return &ContextError{Path: p, Problem: "cannot parse: " + err.Error(), Fix: "correct or remove the offending line", Err: err}
	}
	w.prefixOnly = true
	for _, pat := range w.pm.Patterns() {
		if pat.Exclusion() && strings.ContainsAny(trimTrailingGlob(pat.String()), `*[]?^\`) {
			w.prefixOnly = false
		}
	}
	return nil
}

// checkPattern compiles one pattern the way the matcher will when it first
// uses it, so that errors surface now rather than half-way through a walk.
func checkPattern(pat string) error {
	if _, err := patternmatcher.New([]string{pat}); err != nil {
		return err
	}
	pm, err := patternmatcher.New([]string{strings.TrimPrefix(pat, "!")})
	if err != nil {
		return err
	}
	_, err = pm.MatchesOrParentMatches("x")
	return err
}

func trimTrailingGlob(p string) string {
	p = strings.TrimSuffix(p, string(filepath.Separator)+"**")
	return strings.TrimSuffix(p, string(filepath.Separator)+"*")
}

// walk lists the directory rel (slash-separated, "" for the root), whose
// own match state is parent.
func (w *contextWalker) walk(rel string, parent patternmatcher.MatchInfo) {
	entries, err := os.ReadDir(filepath.Join(w.dir, filepath.FromSlash(rel)))
	if err != nil {
		if rel == "" || w.emitted[rel] || !errors.Is(err, fs.ErrPermission) {
			w.fail(rel, "cannot read directory: "+errCause(err), "fix its permissions, or add it to .dockerignore", err)
		}
		return // like BuildKit, ignore unreadable directories that are excluded
	}
	for _, de := range entries {
		r := path.Join(rel, de.Name())
		excluded, info := false, patternmatcher.MatchInfo{}
		if w.pm != nil {
			// Patterns were validated up front, so matching cannot fail.
			excluded, info, _ = w.pm.MatchesUsingParentResults(filepath.FromSlash(r), parent)
		}
		fi, err := de.Info()
		if err != nil {
			if !excluded {
				w.fail(r, "cannot stat: "+errCause(err), "fix its permissions, or add it to .dockerignore", err)
			}
			continue
		}
		cf := ContextFile{Rel: r, Mode: fi.Mode()}
		if fi.IsDir() {
			w.dirs[r] = cf
			if excluded && !w.mayInclude(r) {
				continue
			}
			if !excluded {
				w.emit(cf)
			}
			w.walk(r, info)
			continue
		}
		if excluded {
			continue
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(filepath.Join(w.dir, filepath.FromSlash(r)))
			if err != nil {
				w.fail(r, "cannot read symlink: "+errCause(err), "fix its permissions, or add it to .dockerignore", err)
				continue
			}
			if problem := w.checkLink(r, target); problem != "" {
				w.fail(r, problem, "replace the link by a copy of its target, or add it to .dockerignore", nil)
				continue
			}
			cf.LinkTarget = target
		case fi.Mode().IsRegular():
			f, err := os.Open(filepath.Join(w.dir, filepath.FromSlash(r)))
			if err != nil {
				w.fail(r, "cannot open: "+errCause(err), "fix its permissions, or add it to .dockerignore", err)
				continue
			}
			_ = f.Close() // opened only to prove it can be read
			cf.Size = fi.Size()
		default:
			w.fail(r, fmt.Sprintf("not a regular file, directory or symlink (%s)", fileKind(fi.Mode())),
				"remove it from the function directory, or add it to .dockerignore", nil)
			continue
		}
		w.emit(cf)
	}
}

// mayInclude reports whether the excluded directory rel may still hold an
// included entry, following BuildKit: always when an exception has
// wildcards, else when an exception's path starts with rel.
func (w *contextWalker) mayInclude(rel string) bool {
	if !w.pm.Exclusions() {
		return false
	}
	if !w.prefixOnly {
		return true
	}
	prefix := filepath.FromSlash(rel) + string(filepath.Separator)
	for _, pat := range w.pm.Patterns() {
		if pat.Exclusion() && strings.HasPrefix(trimTrailingGlob(pat.String())+string(filepath.Separator), prefix) {
			return true
		}
	}
	return false
}

// emit adds cf and any excluded parent directories not yet listed.
func (w *contextWalker) emit(cf ContextFile) {
	for p := path.Dir(cf.Rel); p != "."; p = path.Dir(p) {
		if w.emitted[p] {
			break
		}
		w.emitted[p] = true
		w.files = append(w.files, w.dirs[p])
	}
	w.emitted[cf.Rel] = true
	w.files = append(w.files, cf)
}

// checkLink resolves the symlink rel -> target inside dir, following further
// symlinks on the way, and says why it is refused, or "" if it stays inside.
func (w *contextWalker) checkLink(rel, target string) string {
	if filepath.IsAbs(target) || path.IsAbs(target) {
		return fmt.Sprintf("symlink to absolute path %q: in the image it would point outside /function", target)
	}
	// Resolve component by component, as the kernel would, but rooted at dir.
	pending := strings.Split(filepath.ToSlash(target), "/")
	cur := strings.Split(path.Dir(rel), "/")
	if path.Dir(rel) == "." {
		cur = nil
	}
	for hops := 0; len(pending) > 0; {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return fmt.Sprintf("symlink to %q points outside the function directory", target)
			}
			cur = cur[:len(cur)-1]
			continue
		}
		next := append(slices.Clone(cur), c)
		full := filepath.Join(w.dir, filepath.FromSlash(strings.Join(next, "/")))
		fi, err := os.Lstat(full)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			cur = next // a missing target is fine: it dangles inside the image
			continue
		}
		if hops++; hops > 40 {
			return "" // a loop: broken, but it does not leave the directory
		}
		t, err := os.Readlink(full)
		if err != nil {
			return fmt.Sprintf("symlink to %q: cannot read %s: %s", target, strings.Join(next, "/"), errCause(err))
		}
		if filepath.IsAbs(t) || path.IsAbs(t) {
			return fmt.Sprintf("symlink to %q leads through %s to absolute path %q, outside /function in the image",
				target, strings.Join(next, "/"), t)
		}
		pending = append(strings.Split(filepath.ToSlash(t), "/"), pending...)
	}
	return ""
}

// errCause strips the path from an *fs.PathError, which the caller names.
func errCause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.Type().String()
}
