package fnimage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// nodePackage is the part of a package.json the node runtime reads: the
// function's own, or an installed package's.
type nodePackage struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	Workspaces           json.RawMessage   `json:"workspaces"`
	Scripts              map[string]string `json:"scripts"`
	OS                   nodeList          `json:"os"`
	CPU                  nodeList          `json:"cpu"`
	Libc                 nodeList          `json:"libc"`
}

// nodeList is a package.json platform list ("os", "cpu", "libc"), which
// may be written as a single string.
type nodeList []string

func (l *nodeList) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*l = nodeList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// allows reports whether value satisfies the list as npm reads it: an empty
// list or "any" allows everything; "!x" excludes x; when any entry is not
// negated, value must be one of them.
func (l nodeList) allows(value string) bool {
	if len(l) == 0 || len(l) == 1 && l[0] == "any" {
		return true
	}
	positive, match := false, false
	for _, e := range l {
		if neg, ok := strings.CutPrefix(e, "!"); ok {
			if neg == value {
				return false
			}
			continue
		}
		positive = true
		match = match || e == value
	}
	return match || !positive
}

func parseNodePackage(p string, data []byte) (*nodePackage, error) {
	var pkg nodePackage
	if err := json.Unmarshal(data, &pkg); err != nil {
		return nil, &ContextError{Path: p, Problem: "not valid package.json: " + nodeJSONProblem(data, err), Err: err,
			Fix: "correct the JSON (npm refuses it too)"}
	}
	return &pkg, nil
}

// productionDependencies returns the names of the dependencies npm installs
// with --omit=dev (dependencies, optional and peer ones), sorted.
func (p *nodePackage) productionDependencies() []string {
	var names []string
	for _, m := range []map[string]string{p.Dependencies, p.OptionalDependencies, p.PeerDependencies} {
		for name := range m {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// checkInstallable refuses what cannot be installed from package.json and a
// lock file alone, which is all npm gets (fn's build stage also gets only
// those two files): dependencies on local directories or files, and
// workspaces.
func (p *nodePackage) checkInstallable(path string) error {
	var local []string
	for _, m := range []map[string]string{p.Dependencies, p.OptionalDependencies, p.PeerDependencies} {
		for name, spec := range m {
			if isLocalNodeSpec(spec) {
				local = append(local, fmt.Sprintf("%s (%s)", name, spec))
			}
		}
	}
	if len(local) > 0 {
		slices.Sort(local)
		return &ContextError{Path: path,
			Problem: "dependencies on local paths cannot be installed for another platform from the lock file alone: " + strings.Join(local, ", "),
			Fix:     "publish those packages to a registry (a private one can be named in .npmrc) and depend on a version, or copy their code into the function"}
	}
	if ws := bytes.TrimSpace(p.Workspaces); len(ws) > 0 && !bytes.Equal(ws, []byte("null")) && !bytes.Equal(ws, []byte("[]")) {
		return &ContextError{Path: path, Problem: "npm workspaces are not supported: a function is one package",
			Fix: "build the function from its own directory with its own package.json and lock file"}
	}
	return nil
}

// isLocalNodeSpec reports whether a dependency spec names a local directory
// or file rather than something npm can fetch.
func isLocalNodeSpec(spec string) bool {
	for _, p := range []string{"file:", "link:", "./", "../", "/", "~/"} {
		if strings.HasPrefix(spec, p) {
			return true
		}
	}
	return spec == "." || spec == ".."
}

// nodeLock is the part of a lock file the node runtime reads: a lock file
// of the function's, or npm's hidden lockfile in node_modules. Version 1 lock
// files (npm 6) have no "packages".
type nodeLock struct {
	Packages map[string]struct {
		Optional bool `json:"optional"`
	} `json:"packages"`
}

func parseNodeLock(p string, data []byte) (*nodeLock, error) {
	var l nodeLock
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, &ContextError{Path: p, Problem: "not a valid lock file: " + nodeJSONProblem(data, err), Err: err,
			Fix: "regenerate it with `npm install --package-lock-only`"}
	}
	return &l, nil
}

// nodeJSONProblem describes a JSON error with the line it was found on.
func nodeJSONProblem(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &se):
		offset = se.Offset
	case errors.As(err, &te):
		offset = te.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return err.Error()
	}
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

// readOptionalNodeInput reads an input file of the build, nil when it does not exist.
func readOptionalNodeInput(p string) ([]byte, error) {
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &ContextError{Path: p, Problem: "cannot read: " + errCause(err), Fix: "fix its permissions", Err: err}
	}
	return data, nil
}

// npmrcHasCredentials reports whether an .npmrc sets a registry credential
// (_authToken, _auth, _password, or a certificate key).
func npmrcHasCredentials(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, _, _ := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if i := strings.LastIndex(key, ":"); i >= 0 {
			key = key[i+1:]
		}
		switch key {
		case "_authToken", "_auth", "_password", "keyfile", "key":
			return true
		}
	}
	return false
}

// lockParts returns the names and contents of the lock files, sorted by
// name, for cache keys.
func (in *nodeInputs) lockParts() []string {
	names := make([]string, 0, len(in.locks))
	for n := range in.locks {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, 0, 2*len(names))
	for _, n := range names {
		parts = append(parts, n, string(in.locks[n]))
	}
	return parts
}

// npmPathFree replaces dir in s by ".", so messages do not show scratch paths.
func npmPathFree(s, dir string) string {
	if dir == "" {
		return s
	}
	s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
	return strings.ReplaceAll(s, dir, ".")
}
