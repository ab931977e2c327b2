package fnimage

import (
	"archive/tar"
	"context"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// nodeBase is what the node runtime needs to know of a run image: where the
// entrypoint's node is, and which C library the image has (for npm --libc).
type nodeBase struct {
	Node string `json:"node"` // absolute path of the entrypoint's node; "" when not looked for or not found
	Libc string `json:"libc"` // "glibc" or "musl"; "" when neither was found
}

// nodeDefaultPath is the PATH the Fn agent's containers get when the image sets none.
const nodeDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// nodeBaseMemo holds scans of run images for this process, by cache key (which
// includes the image digest, so entries never go stale).
var nodeBaseMemo sync.Map

// nodeBaseInfo scans the run image of t for the `node` that func.yaml's
// entrypoint runs (looked up in the image's PATH, following symbolic links,
// as the container's exec would) and for its C library. The image is read
// (usually only up to node) once per digest: the result is kept for the
// process and, with WithCacheDir, in the cache directory. An image without
// the entrypoint's node is a *BaseImageError.
func (j *job) nodeBaseInfo(ctx context.Context, t target) (nodeBase, error) {
	cf, err := t.base.ConfigFile()
	if err != nil {
		return nodeBase{}, j.nodeBaseError(t, fmt.Errorf("reading its config: %w", err), "use another run image")
	}
	pathEnv := nodeDefaultPath
	for _, kv := range cf.Config.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathEnv = v
		}
	}
	cmd := ""
	if ep := j.fn.EntrypointArgs(); len(ep) > 0 && isNodeCommand(ep[0]) && (path.IsAbs(ep[0]) || !strings.Contains(ep[0], "/")) {
		cmd = ep[0] // a relative path with a slash is under /function, the function's own business
	}
	key := cacheKey("node-base/v2", t.baseDigest, cmd, pathEnv)
	info, err := j.nodeBaseScan(ctx, t.base, key, cmd, pathEnv)
	if err != nil {
		return nodeBase{}, j.nodeBaseError(t, fmt.Errorf("reading its files: %w", err), "check that the run image can be pulled")
	}
	if cmd != "" && info.Node == "" {
		where := "in its PATH (" + pathEnv + ")"
		if path.IsAbs(cmd) {
			where = "there"
		}
		return nodeBase{}, j.nodeBaseError(t,
			fmt.Errorf("func.yaml's entrypoint runs %s, but the image has no executable %s %s", cmd, path.Base(cmd), where),
			"use a run image with Node.js, such as "+j.runtime.DefaultRunImage()+" (or map run_image to such an image), or give the full path of the image's node in the entrypoint")
	}
	return info, nil
}

// nodeBaseError reports a run image that the node runtime cannot use for t.
func (j *job) nodeBaseError(t target, err error, fix string) *BaseImageError {
	ref := j.fn.RunImage
	if ref == "" {
		ref = j.runtime.DefaultRunImage()
	}
	return &BaseImageError{Ref: ref, Resolved: j.o.mapBase(ref), Platform: t.String(), Err: err, Fix: fix}
}

// nodeBaseScan returns the scan of img under key: from memory, from the
// cache directory, or by reading the image.
func (j *job) nodeBaseScan(ctx context.Context, img v1.Image, key, cmd, pathEnv string) (nodeBase, error) {
	if v, ok := nodeBaseMemo.Load(key); ok {
		return v.(nodeBase), nil
	}
	file := ""
	if j.o.cacheDir != "" {
		file = filepath.Join(j.o.cacheDir, "node-base-"+key+".json")
		if data, err := os.ReadFile(file); err == nil {
			var info nodeBase
			if json.Unmarshal(data, &info) == nil {
				nodeBaseMemo.Store(key, info)
				return info, nil
			}
		}
	}
	info, err := scanNodeBase(ctx, img, cmd, pathEnv)
	if err != nil {
		return nodeBase{}, err
	}
	nodeBaseMemo.Store(key, info)
	if file != "" {
		if err := writeNodeCacheFile(file, info); err != nil {
			j.o.logger.Warn("could not cache the run image's scan", "error", err.Error())
		}
	}
	return info, nil
}

// writeNodeCacheFile writes v as JSON to file through a temporary file, so
// that concurrent builds never read a partial one.
func writeNodeCacheFile(file string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// nodeBaseFile is one entry of a flattened image file system.
type nodeBaseFile struct {
	mode     int64
	typeflag byte
	linkname string
}

// nodeBaseFS is an image's flattened file system, by path without a leading "/".
type nodeBaseFS map[string]nodeBaseFile

// scanNodeBase reads img's files (all layers, whiteouts applied) to find
// cmd (when not empty) and the C library. It stops at the first executable
// file named cmd directly in a PATH directory, whose ELF interpreter names
// the C library (glibc's ld-linux, musl's ld-musl): a Debian or Oracle Linux
// image has /usr/bin/node early in its file list, so most of the image is
// never decompressed. Otherwise it reads everything, resolves cmd through
// symbolic links, and takes the C library from the dynamic loaders present.
func scanNodeBase(ctx context.Context, img v1.Image, cmd, pathEnv string) (nodeBase, error) {
	direct := map[string]bool{}
	if cmd != "" {
		for _, c := range nodeCandidates(cmd, pathEnv) {
			direct[strings.TrimPrefix(c, "/")] = true
		}
	}
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	files := nodeBaseFS{}
	var info nodeBase
	tr := tar.NewReader(rc)
	for {
		if err := ctx.Err(); err != nil {
			return nodeBase{}, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nodeBase{}, err
		}
		p := strings.Trim(path.Clean("/"+h.Name), "/")
		if direct[p] && h.Typeflag == tar.TypeReg && h.Mode&0o111 != 0 {
			head := make([]byte, min(h.Size, 64<<10))
			if _, err := io.ReadFull(tr, head); err != nil {
				return nodeBase{}, err
			}
			info.Node = "/" + p
			if libc := nodeLibcOfLoader(nodeELFInterpreter(head)); libc != "" {
				info.Libc = libc
			}
			return info, nil
		}
		files[p] = nodeBaseFile{mode: h.Mode, typeflag: h.Typeflag, linkname: h.Linkname}
		if libc := nodeLibcOfLoader(p); libc == "glibc" || libc == "musl" && info.Libc == "" {
			info.Libc = libc
		}
	}
	if cmd != "" {
		info.Node = files.lookPath(cmd, pathEnv)
	}
	return info, nil
}

// nodeLibcOfLoader names the C library of a dynamic loader's path, or "".
func nodeLibcOfLoader(p string) string {
	switch b := path.Base(p); {
	case strings.HasPrefix(b, "ld-linux"):
		return "glibc"
	case strings.HasPrefix(b, "ld-musl-"):
		return "musl"
	}
	return ""
}

// nodeELFInterpreter returns the program interpreter (the dynamic loader) that
// the program header of a 64-bit little-endian ELF executable names, given
// the start of the file; "" for a static executable or anything else.
func nodeELFInterpreter(head []byte) string {
	if len(head) < 64 || string(head[:4]) != elf.ELFMAG || elf.Class(head[elf.EI_CLASS]) != elf.ELFCLASS64 || elf.Data(head[elf.EI_DATA]) != elf.ELFDATA2LSB {
		return ""
	}
	le := binary.LittleEndian
	phoff, phentsize, phnum := le.Uint64(head[32:]), uint64(le.Uint16(head[54:])), uint64(le.Uint16(head[56:]))
	size := uint64(len(head))
	for i := uint64(0); i < phnum; i++ {
		off := phoff + i*phentsize
		if phentsize < 56 || off > size || size-off < 56 {
			return ""
		}
		ph := head[off:]
		if elf.ProgType(le.Uint32(ph)) != elf.PT_INTERP {
			continue
		}
		start, n := le.Uint64(ph[8:]), le.Uint64(ph[32:])
		if start > size || n > size-start {
			return ""
		}
		return strings.TrimRight(string(head[start:start+n]), "\x00")
	}
	return ""
}

// nodeCandidates lists where exec looks for cmd: itself when absolute, else
// in each absolute PATH directory in turn.
func nodeCandidates(cmd, pathEnv string) []string {
	if path.IsAbs(cmd) {
		return []string{path.Clean(cmd)}
	}
	var out []string
	for _, dir := range strings.Split(pathEnv, ":") {
		if path.IsAbs(dir) {
			out = append(out, path.Join(dir, cmd))
		}
	}
	return out
}

// lookPath finds cmd as exec would in a container with this PATH: an
// absolute path as it is, a bare name in each PATH directory in turn; it
// must resolve to an executable regular file. It returns the path as found
// (before symbolic links), or "".
func (fs nodeBaseFS) lookPath(cmd, pathEnv string) string {
	for _, c := range nodeCandidates(cmd, pathEnv) {
		if real, ok := fs.resolve(c); ok {
			f := fs[real]
			if f.typeflag == tar.TypeLink { // a hard link: the file it shares
				f = fs[strings.Trim(path.Clean("/"+f.linkname), "/")]
			}
			if f.typeflag == tar.TypeReg && f.mode&0o111 != 0 {
				return c
			}
		}
	}
	return ""
}

// resolve follows symbolic links in p, component by component, within the
// image; it reports false for a missing entry or a loop.
func (fs nodeBaseFS) resolve(p string) (string, bool) {
	pending := strings.Split(strings.Trim(p, "/"), "/")
	var cur []string
	for hops := 0; len(pending) > 0; {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) > 0 {
				cur = cur[:len(cur)-1]
			}
			continue
		}
		next := strings.Join(append(cur[:len(cur):len(cur)], c), "/")
		f, ok := fs[next]
		if !ok {
			return "", false
		}
		if f.typeflag != tar.TypeSymlink {
			cur = append(cur, c)
			continue
		}
		if hops++; hops > 40 {
			return "", false
		}
		if path.IsAbs(f.linkname) {
			cur = nil
		}
		pending = append(strings.Split(f.linkname, "/"), pending...)
	}
	return strings.Join(cur, "/"), true
}
