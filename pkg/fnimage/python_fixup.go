package fnimage

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// pyResolvedFile is the file, in the dependency layer, that lists every
// installed distribution as name==version, sorted.
const pyResolvedFile = ".osa-requirements.txt"

// pyResolvedHeader starts the resolved-versions file.
const pyResolvedHeader = "# Installed into /python by osa build (pip --target), one name==version per distribution.\n"

// pyShFormShebang is distlib's shebang for interpreter paths too long for the
// kernel or with spaces: /bin/sh re-executes the script with the interpreter.
var pyShFormShebang = regexp.MustCompile(`^#!/bin/sh\n'''exec' (.+) "\$0" "\$@"\n' '''\n?`)

// rewritePyShebang points a pip-written script at interp, the run image's
// interpreter, when its shebang names one of hostExes (the interpreter that
// ran pip: pip writes sys.executable there). Arguments after the
// interpreter are kept. Other scripts are returned unchanged, with false.
func rewritePyShebang(data []byte, hostExes []string, interp string) ([]byte, bool) {
	if m := pyShFormShebang.FindSubmatchIndex(data); m != nil {
		exec := string(data[m[2]:m[3]])
		for _, h := range hostExes {
			for _, quoted := range []string{h, `"` + h + `"`} {
				if rest, ok := strings.CutPrefix(exec, quoted); ok && (rest == "" || rest[0] == ' ') {
					out := append([]byte("#!"+interp+rest+"\n"), data[m[1]:]...)
					return out, true
				}
			}
		}
		return data, false
	}
	if !bytes.HasPrefix(data, []byte("#!")) {
		return data, false
	}
	end := bytes.IndexByte(data, '\n')
	if end < 0 {
		end = len(data)
	}
	line := strings.TrimSuffix(string(data[2:end]), "\r")
	exe, args, _ := strings.Cut(line, " ")
	for _, h := range hostExes {
		if exe == h {
			if args != "" {
				args = " " + args
			}
			nl := strings.TrimPrefix(string(data[2:end]), line) // "\r" or ""
			return append([]byte("#!"+interp+args+nl), data[end:]...), true
		}
	}
	return data, false
}

// fixPyScripts rewrites the shebangs of the scripts in dir/bin (see
// rewritePyShebang) and returns the names of the scripts it changed.
func fixPyScripts(dir string, hostExes []string, interp string) ([]string, error) {
	bin := filepath.Join(dir, "bin")
	ents, err := os.ReadDir(bin)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(bin, e.Name())
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out, ok := rewritePyShebang(data, hostExes, interp)
		if !ok {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, out, st.Mode().Perm()); err != nil { //nolint:gosec // p is an entry of our own install directory
			return nil, err
		}
		changed = append(changed, e.Name())
	}
	return changed, nil
}

// fixPyRecords brings the RECORD files of the distributions in dir in line with
// what the layer holds: the rows of rewritten scripts get their new hash and
// size, and the path they have under /python ("bin/fdk", where pip's --target
// leaves "../../bin/fdk"); rows of removed files go.
func fixPyRecords(dir string, scripts []string, removed map[string]bool) error {
	isScript := map[string]bool{}
	for _, s := range scripts {
		isScript[s] = true
	}
	records, err := filepath.Glob(filepath.Join(dir, "*.dist-info", "RECORD"))
	if err != nil {
		return err
	}
	for _, rec := range records {
		if err := fixPyRecord(dir, rec, isScript, removed); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(filepath.Dir(rec)), err)
		}
	}
	return nil
}

func fixPyRecord(dir, rec string, isScript, removed map[string]bool) error {
	data, err := os.ReadFile(rec)
	if err != nil {
		return err
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return err
	}
	var out [][]string
	changed := false
	for _, row := range rows {
		if len(row) == 0 {
			continue
		}
		p := pyRecordPath(row[0])
		if removed[p] {
			changed = true
			continue
		}
		if name, ok := strings.CutPrefix(p, "bin/"); ok && isScript[name] && len(row) >= 3 {
			content, err := os.ReadFile(filepath.Join(dir, "bin", name)) //nolint:gosec // name is one of the scripts fixPyScripts listed
			if err != nil {
				return err
			}
			sum := sha256.Sum256(content)
			row = []string{"bin/" + name, "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]), strconv.Itoa(len(content))}
			changed = true
		}
		out = append(out, row)
	}
	if !changed {
		return nil
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = bytes.Contains(data, []byte("\r\n"))
	if err := w.WriteAll(out); err != nil {
		return err
	}
	return os.WriteFile(rec, buf.Bytes(), 0o644)
}

// pyRecordPath returns a RECORD path relative to the install directory: pip's
// --target records scripts as "../../bin/NAME" (relative to the temporary
// lib/python directory it installs into before moving things into place).
func pyRecordPath(p string) string {
	p = path.Clean(p)
	for {
		rest, ok := strings.CutPrefix(p, "../")
		if !ok {
			return p
		}
		p = rest
	}
}

// dropPyDirectURLs removes the direct_url.json of every distribution in dir and
// returns their paths relative to dir. pip writes one for a distribution
// installed from a file or a URL (the function's own project built by
// setup.py, a wheel named by path); it records the build machine's path.
func dropPyDirectURLs(dir string) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.dist-info", "direct_url.json"))
	if err != nil {
		return nil, err
	}
	removed := map[string]bool{}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
		removed[filepath.Base(filepath.Dir(f))+"/direct_url.json"] = true
	}
	return removed, nil
}

// distribution is one installed distribution.
type pyDist struct{ name, version string }

// installedDistributions reads Name and Version from the METADATA of every
// distribution installed in dir, sorted by normalised name (PEP 503).
func installedDistributions(dir string) ([]pyDist, error) {
	metas, err := filepath.Glob(filepath.Join(dir, "*.dist-info", "METADATA"))
	if err != nil {
		return nil, err
	}
	var out []pyDist
	for _, m := range metas {
		f, err := os.Open(m)
		if err != nil {
			return nil, err
		}
		d, err := readPyMetadata(f)
		_ = f.Close() // read-only
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(filepath.Dir(m)), err)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := normalisePyProject(out[i].name), normalisePyProject(out[j].name)
		if a != b {
			return a < b
		}
		return out[i].version < out[j].version
	})
	return out, nil
}

// readPyMetadata reads the Name and Version headers of a METADATA file (RFC 822
// style headers, ending at the first blank line).
func readPyMetadata(r io.Reader) (pyDist, error) {
	var d pyDist
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "name":
			d.name = strings.TrimSpace(v)
		case "version":
			d.version = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return d, err
	}
	if d.name == "" || d.version == "" {
		return d, fmt.Errorf("METADATA has no Name or Version")
	}
	return d, nil
}

var pyNameSeparators = regexp.MustCompile(`[-_.]+`)

// normalisePyProject is PEP 503's normalised form of a project name.
func normalisePyProject(name string) string {
	return strings.ToLower(pyNameSeparators.ReplaceAllString(name, "-"))
}

// pyResolvedVersions renders the resolved-versions file.
func pyResolvedVersions(dists []pyDist) []byte {
	var b strings.Builder
	b.WriteString(pyResolvedHeader)
	for _, d := range dists {
		fmt.Fprintf(&b, "%s==%s\n", d.name, d.version)
	}
	return []byte(b.String())
}
