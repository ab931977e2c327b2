package fnimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layerEntry is one file, directory or symlink of a layer being written.
// Paths are slash-separated, relative to the image root ("function/func").
type layerEntry struct {
	path     string
	mode     fs.FileMode // type bits and permissions; permissions are normalised on write
	linkname string      // symlink target
	data     []byte      // file content, when src is empty
	src      string      // host file to copy the content from
}

// normalisedPerm returns the permissions a layer entry gets: 0755 for
// directories, symlinks and files with any execute bit, 0644 otherwise. The
// result is owned by 0:0 and readable by everyone, as OCI Functions runs the
// function as uid 1000 (fn-contract.md §3.5, §7).
func normalisedPerm(m fs.FileMode) int64 {
	switch {
	case m.IsDir():
		return 0o755
	case m&fs.ModeSymlink != 0:
		return 0o777
	case m.Perm()&0o111 != 0:
		return 0o755
	default:
		return 0o644
	}
}

// writeLayer builds a reproducible layer: entries sorted by path, every parent
// directory present, owner 0:0 with no user or group names, every time set to
// mtime, normalised permissions, and a gzip stream without a name or time.
// The tar and the gzip stream are produced in one pass; the layer is held in
// memory.
func writeLayer(entries []layerEntry, mediaType types.MediaType, mtime time.Time) (v1.Layer, error) {
	entries = withParents(entries)
	sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })

	var compressed bytes.Buffer
	compressedHash := sha256.New()
	gz, err := gzip.NewWriterLevel(io.MultiWriter(&compressed, compressedHash), gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	diffHash := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(gz, diffHash))
	mtime = mtime.UTC().Truncate(time.Second)
	var uncompressedSize int64
	for i, e := range entries {
		if i > 0 && entries[i-1].path == e.path {
			return nil, fmt.Errorf("layer: duplicate entry %q", e.path)
		}
		n, err := writeEntry(tw, e, mtime)
		if err != nil {
			return nil, err
		}
		uncompressedSize += n
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer: closing tar: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("layer: closing gzip: %w", err)
	}
	return &memLayer{
		compressed: compressed.Bytes(),
		digest:     toHash(compressedHash),
		diffID:     toHash(diffHash),
		mediaType:  mediaType,
	}, nil
}

func writeEntry(tw *tar.Writer, e layerEntry, mtime time.Time) (int64, error) {
	hdr := &tar.Header{
		Name:    e.path,
		Mode:    normalisedPerm(e.mode),
		ModTime: mtime, // whole seconds: the writer picks USTAR, or PAX for long names
	}
	var content io.Reader
	switch {
	case e.mode.IsDir():
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
	case e.mode&fs.ModeSymlink != 0:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = e.linkname
	case e.mode.IsRegular():
		hdr.Typeflag = tar.TypeReg
		if e.src == "" {
			hdr.Size = int64(len(e.data))
			content = bytes.NewReader(e.data)
			break
		}
		f, err := os.Open(e.src)
		if err != nil {
			return 0, fmt.Errorf("layer: reading %s: %w", e.path, err)
		}
		defer func() { _ = f.Close() }() // read-only
		st, err := f.Stat()
		if err != nil {
			return 0, fmt.Errorf("layer: reading %s: %w", e.path, err)
		}
		hdr.Size = st.Size()
		content = f
	default:
		return 0, fmt.Errorf("layer: %s: unsupported file type %s", e.path, e.mode.Type())
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return 0, fmt.Errorf("layer: writing %s: %w", e.path, err)
	}
	if content == nil {
		return 0, nil
	}
	n, err := io.Copy(tw, content)
	if err != nil {
		return n, fmt.Errorf("layer: writing %s: %w", e.path, err)
	}
	return n, nil
}

// withParents adds a directory entry for every missing parent of an entry.
func withParents(entries []layerEntry) []layerEntry {
	have := make(map[string]bool, len(entries))
	for _, e := range entries {
		have[e.path] = true
	}
	out := append([]layerEntry(nil), entries...)
	for _, e := range entries {
		for dir := path.Dir(e.path); dir != "." && dir != "/" && !have[dir]; dir = path.Dir(dir) {
			have[dir] = true
			out = append(out, layerEntry{path: dir, mode: fs.ModeDir | 0o755})
		}
	}
	return out
}

func toHash(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// memLayer is a v1.Layer held in memory as its compressed bytes.
type memLayer struct {
	compressed []byte
	digest     v1.Hash
	diffID     v1.Hash
	mediaType  types.MediaType
}

var _ v1.Layer = (*memLayer)(nil)

func (l *memLayer) Digest() (v1.Hash, error) { return l.digest, nil }
func (l *memLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }
func (l *memLayer) Size() (int64, error)     { return int64(len(l.compressed)), nil }
func (l *memLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.compressed)), nil
}
func (l *memLayer) Uncompressed() (io.ReadCloser, error) {
	zr, err := gzip.NewReader(bytes.NewReader(l.compressed))
	if err != nil {
		return nil, err
	}
	return zr, nil
}
func (l *memLayer) MediaType() (types.MediaType, error) { return l.mediaType, nil }

// imagePath turns a slash path inside the image ("/function/func") into a tar
// entry name ("function/func").
func imagePath(p string) string { return strings.TrimPrefix(path.Clean("/"+p), "/") }
