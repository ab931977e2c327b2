package fnimage

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/singleflight"
)

// pythonBaseInfo is what a Python build needs to know about a run image, read
// from its files: the Python interpreters it has and its C library version.
// It depends only on the image's content, so it is kept per image digest.
type pythonBaseInfo struct {
	// Interpreters maps a Python version ("3.11") to the absolute path of
	// its interpreter in the image ("/usr/bin/python3.11"): the first
	// directory of the image's PATH that has a python3.X resolving to a
	// regular file, else any such file in the image.
	Interpreters map[string]string `json:"interpreters"`
	// Glibc is the GNU C library's version ("2.36"); "" when none was found.
	Glibc string `json:"glibc,omitempty"`
}

// pythonBaseFormat versions the discovery and its cache files.
const pythonBaseFormat = "python-base-v1"

// pythonBaseMemo keeps discoveries for the life of the process, keyed by
// image digest. An image's files never change under its digest, so sharing
// the answers between builders is safe.
var pythonBaseMemo sync.Map // digest -> *pythonBaseInfo

// pythonBaseScans makes concurrent discoveries of one image (parallel builds
// in one process) read it once.
var pythonBaseScans singleflight.Group

// pythonBase returns what the run image of t holds, from memory, from the
// cache directory, or by reading the image's layers (which is slow: they are
// downloaded and decompressed, though only libc's content is read).
func pythonBase(ctx context.Context, cacheDir string, t target) (*pythonBaseInfo, error) {
	if v, ok := pythonBaseMemo.Load(t.baseDigest); ok {
		return v.(*pythonBaseInfo), nil
	}
	file := ""
	if cacheDir != "" && t.baseDigest != "" {
		file = filepath.Join(cacheDir, "python-bases", cacheKey(pythonBaseFormat, t.baseDigest)+".json")
		if data, err := os.ReadFile(file); err == nil {
			var info pythonBaseInfo
			if json.Unmarshal(data, &info) == nil && info.Interpreters != nil {
				pythonBaseMemo.Store(t.baseDigest, &info)
				return &info, nil
			}
		}
	}
	if t.baseDigest == "" {
		return scanPythonBase(ctx, t.base)
	}
	ch := pythonBaseScans.DoChan(t.baseDigest, func() (any, error) {
		info, err := scanPythonBase(ctx, t.base)
		if err != nil {
			return nil, err
		}
		pythonBaseMemo.Store(t.baseDigest, info)
		if file != "" {
			// Failing to cache is not failing to build.
			_ = writePythonBaseCache(file, info)
		}
		return info, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*pythonBaseInfo), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func writePythonBaseCache(file string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(file), ".tmp-")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), file)
}

// pyNode is one tracked path of an image's file system: a symbolic link, or
// a regular file that matters to a Python build.
type pyNode struct {
	link  string // symlink target; "" for a file
	glibc string // for a C library file: its version, when known
}

var (
	pyInterpName  = regexp.MustCompile(`^python3\.\d+$`)
	pyLibcName    = regexp.MustCompile(`^libc-(\d+\.\d+)\.so$`)
	pyLibcRelease = regexp.MustCompile(`GNU C Library [^\n\x00]*? release version (\d+\.\d+)`)
)

// pyMaxLibcRead bounds how much of a libc.so.6 is read to find its version.
const pyMaxLibcRead = 16 << 20

// scanPythonBase reads img's layers, in order, applying whiteouts, and
// returns its interpreters and C library version. Only tar headers are
// looked at, except for files named libc.so.6 (whose version is in their
// content).
func scanPythonBase(ctx context.Context, img v1.Image) (*pythonBaseInfo, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	fsys := map[string]pyNode{}
	for i, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := scanPythonLayer(l, fsys); err != nil {
			return nil, fmt.Errorf("reading layer %d of the run image: %w", i+1, err)
		}
	}
	pathEnv := ""
	if cf, err := img.ConfigFile(); err == nil && cf != nil {
		for _, kv := range cf.Config.Env {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				pathEnv = v
			}
		}
	}
	return pythonBaseFromFS(fsys, pathEnv), nil
}

// scanPythonLayer applies one layer to fsys: its whiteouts remove what lower
// layers had, then its entries replace or add paths.
func scanPythonLayer(l v1.Layer, fsys map[string]pyNode) error {
	rc, err := l.Uncompressed()
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	tr := tar.NewReader(rc)
	added := map[string]pyNode{}
	var replaced, removed, opaque []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		p := path.Clean("/" + h.Name)
		dir, base := path.Split(p)
		dir = path.Clean(dir)
		if base == ".wh..wh..opq" {
			opaque = append(opaque, dir)
			continue
		}
		if name, ok := strings.CutPrefix(base, ".wh."); ok {
			removed = append(removed, path.Join(dir, name))
			continue
		}
		replaced = append(replaced, p) // this layer's entry replaces the lower one
		switch h.Typeflag {
		case tar.TypeSymlink:
			added[p] = pyNode{link: h.Linkname}
		case tar.TypeReg, tar.TypeLink:
			switch {
			case pyInterpName.MatchString(base):
				added[p] = pyNode{}
			case pyLibcName.MatchString(base):
				added[p] = pyNode{glibc: pyLibcName.FindStringSubmatch(base)[1]}
			case base == "libc.so.6" && h.Typeflag == tar.TypeReg:
				data, err := io.ReadAll(io.LimitReader(tr, pyMaxLibcRead))
				if err != nil {
					return err
				}
				n := pyNode{}
				if m := pyLibcRelease.FindSubmatch(data); m != nil {
					n.glibc = string(m[1])
				}
				added[p] = n
			}
		}
	}
	for _, p := range replaced {
		delete(fsys, p)
	}
	// Whiteouts are rare: a scan of the tracked paths for each is cheap.
	for _, p := range removed {
		delete(fsys, p)
		pyDeleteUnder(fsys, p)
	}
	for _, dir := range opaque {
		pyDeleteUnder(fsys, dir)
	}
	for p, n := range added {
		fsys[p] = n
	}
	return nil
}

// pyDeleteUnder removes every tracked path below dir.
func pyDeleteUnder(fsys map[string]pyNode, dir string) {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for q := range fsys {
		if strings.HasPrefix(q, prefix) {
			delete(fsys, q)
		}
	}
}

// pythonDefaultPath is the PATH of a run image whose config sets none.
const pythonDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// pythonBaseFromFS picks interpreters and the C library version from the
// tracked files of an image.
func pythonBaseFromFS(fsys map[string]pyNode, pathEnv string) *pythonBaseInfo {
	if pathEnv == "" {
		pathEnv = pythonDefaultPath
	}
	info := &pythonBaseInfo{Interpreters: map[string]string{}}
	versions := map[string]bool{}
	var glibcs []string
	for p, n := range fsys {
		base := path.Base(p)
		if pyInterpName.MatchString(base) {
			versions[strings.TrimPrefix(base, "python")] = true
		}
		if n.link == "" && n.glibc != "" {
			glibcs = append(glibcs, n.glibc)
		}
	}
	for v := range versions {
		if p := findPythonInterpreter(fsys, pathEnv, "python"+v); p != "" {
			info.Interpreters[v] = p
		}
	}
	// Several C libraries (multiarch, or a copy somewhere) are unusual: take
	// the oldest, which every wheel we choose must run with.
	sort.Slice(glibcs, func(i, j int) bool { return pyVersionLess(glibcs[i], glibcs[j]) })
	if len(glibcs) > 0 {
		info.Glibc = glibcs[0]
	}
	return info
}

// findPythonInterpreter returns where name is found: the first PATH directory
// holding it (as the shell would find it), else the first such file
// anywhere, in path order. "" when no name resolves to a regular file.
func findPythonInterpreter(fsys map[string]pyNode, pathEnv, name string) string {
	for _, dir := range strings.Split(pathEnv, ":") {
		if !path.IsAbs(dir) {
			continue
		}
		p := path.Join(dir, name)
		if pyResolveFile(fsys, p) {
			return p
		}
	}
	var anywhere []string
	for p := range fsys {
		if path.Base(p) == name {
			if pyResolveFile(fsys, p) {
				anywhere = append(anywhere, p)
			}
		}
	}
	sort.Strings(anywhere)
	if len(anywhere) > 0 {
		return anywhere[0]
	}
	return ""
}

// pyResolveFile follows symbolic links (in every component of p) and reports
// whether p ends at a tracked regular file.
func pyResolveFile(fsys map[string]pyNode, p string) bool {
	for hops := 0; hops < 40; hops++ {
		resolved, changed := pyResolveOnce(fsys, p)
		if !changed {
			n, ok := fsys[resolved]
			return ok && n.link == ""
		}
		p = resolved
	}
	return false // a loop
}

// pyResolveOnce replaces the first symbolic link found among p's components
// (from the root down) by its target, and reports whether it did.
func pyResolveOnce(fsys map[string]pyNode, p string) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(path.Clean(p), "/"), "/")
	for i := range parts {
		prefix := "/" + strings.Join(parts[:i+1], "/")
		n, ok := fsys[prefix]
		if !ok || n.link == "" {
			continue
		}
		target := n.link
		if !path.IsAbs(target) {
			target = path.Join(path.Dir(prefix), target)
		}
		rest := strings.Join(parts[i+1:], "/")
		return path.Clean("/" + path.Join(target, rest)), true
	}
	return path.Clean(p), false
}

// pyVersionLess compares dotted versions numerically ("2.9" < "2.17").
func pyVersionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

// otherInterpreters lists the interpreters info has, for error messages.
func (info *pythonBaseInfo) otherInterpreters() string {
	if len(info.Interpreters) == 0 {
		return "none"
	}
	var out []string
	for v, p := range info.Interpreters {
		out = append(out, fmt.Sprintf("%s (Python %s)", p, v))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
