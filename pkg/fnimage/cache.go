package fnimage

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layerCache keeps layers that are expensive to make (installed
// dependencies), keyed by a digest of everything they are made from: lock
// files, target platform, base image digest, tool versions, media type and
// file times. A hit skips the install entirely and yields the same bytes, so
// the registry already has the blob and nothing is uploaded.
//
// Entries are directories <dir>/<key>/ holding layer.tar.gz and meta.json,
// written to a temporary name and renamed into place, so concurrent builds
// and interrupted ones never see a partial entry.
type layerCache struct {
	dir string // "" disables the cache
}

type cacheMeta struct {
	Digest    string          `json:"digest"`
	DiffID    string          `json:"diff_id"`
	MediaType types.MediaType `json:"media_type"`
}

// cacheKey returns a key for the given inputs, in order.
func cacheKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		// Length-prefix each part so that ("ab","c") and ("a","bc") differ.
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// get returns the layer stored under key, if any. A damaged entry is a miss.
func (c layerCache) get(key string) (v1.Layer, bool) {
	if c.dir == "" {
		return nil, false
	}
	entry := filepath.Join(c.dir, key)
	data, err := os.ReadFile(filepath.Join(entry, "meta.json"))
	if err != nil {
		return nil, false
	}
	var m cacheMeta
	if json.Unmarshal(data, &m) != nil {
		return nil, false
	}
	compressed, err := os.ReadFile(filepath.Join(entry, "layer.tar.gz"))
	if err != nil {
		return nil, false
	}
	digest, err := v1.NewHash(m.Digest)
	if err != nil {
		return nil, false
	}
	diffID, err := v1.NewHash(m.DiffID)
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256(compressed)
	if hex.EncodeToString(sum[:]) != digest.Hex {
		return nil, false // damaged: rebuild it
	}
	return &memLayer{compressed: compressed, digest: digest, diffID: diffID, mediaType: m.MediaType}, true
}

// put stores l under key. Failing to cache is not failing to build: the
// caller logs the error and goes on.
func (c layerCache) put(key string, l v1.Layer) error {
	if c.dir == "" {
		return nil
	}
	digest, err := l.Digest()
	if err != nil {
		return err
	}
	diffID, err := l.DiffID()
	if err != nil {
		return err
	}
	mt, err := l.MediaType()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(c.dir, ".tmp-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	f, err := os.Create(filepath.Join(tmp, "layer.tar.gz"))
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	meta, err := json.Marshal(cacheMeta{Digest: digest.String(), DiffID: diffID.String(), MediaType: mt})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "meta.json"), meta, 0o644); err != nil {
		return err
	}
	err = os.Rename(tmp, filepath.Join(c.dir, key))
	if errors.Is(err, fs.ErrExist) || (err != nil && isDir(filepath.Join(c.dir, key))) {
		return nil // another build stored it first
	}
	return err
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
