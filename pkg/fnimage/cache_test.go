package fnimage

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/require"
)

func TestCacheKeyIsUnambiguous(t *testing.T) {
	t.Parallel()
	require.NotEqual(t, cacheKey("ab", "c"), cacheKey("a", "bc"))
	require.Equal(t, cacheKey("a", "b"), cacheKey("a", "b"))
}

func TestLayerCacheRoundTrip(t *testing.T) {
	t.Parallel()
	c := layerCache{dir: t.TempDir()}
	l, err := writeLayer([]layerEntry{{path: "python/x.py", mode: 0o644, data: []byte("print(1)\n")}}, types.OCILayer, time.Unix(0, 0))
	require.NoError(t, err)
	_, ok := c.get("k")
	require.False(t, ok)
	require.NoError(t, c.put("k", l))
	require.NoError(t, c.put("k", l), "storing twice is fine")
	got, ok := c.get("k")
	require.True(t, ok)
	for _, f := range []func() (any, error){
		func() (any, error) { return got.Digest() },
		func() (any, error) { return got.DiffID() },
		func() (any, error) { return got.MediaType() },
	} {
		v, err := f()
		require.NoError(t, err)
		require.NotNil(t, v)
	}
	d1, _ := l.Digest()
	d2, _ := got.Digest()
	require.Equal(t, d1, d2)

	// A damaged entry is a miss, not a wrong layer.
	require.NoError(t, os.WriteFile(filepath.Join(c.dir, "k", "layer.tar.gz"), []byte("garbage"), 0o644))
	_, ok = c.get("k")
	require.False(t, ok)
}

func TestCachedSpecSkipsProduce(t *testing.T) {
	t.Parallel()
	o, err := makeOptions()
	require.NoError(t, err)
	j := &job{o: o, cache: layerCache{dir: t.TempDir()}}
	var calls atomic.Int32
	spec := layerSpec{
		cacheKey:  "deps|linux/amd64|sha256:base|lock-contents",
		createdBy: "deps",
		produce: func(context.Context) ([]layerEntry, error) {
			calls.Add(1)
			return []layerEntry{{path: "python/dep.py", mode: 0o644, data: []byte("x = 1\n")}}, nil
		},
	}
	tg := target{platform: amd64}
	first, err := j.layer(context.Background(), tg, spec, types.OCILayer)
	require.NoError(t, err)
	second, err := j.layer(context.Background(), tg, spec, types.OCILayer)
	require.NoError(t, err)
	require.Equal(t, int32(1), calls.Load(), "the second build must not install again")
	d1, _ := first.Digest()
	d2, _ := second.Digest()
	require.Equal(t, d1, d2)

	// Another media type is another layer.
	_, err = j.layer(context.Background(), tg, spec, types.DockerLayer)
	require.NoError(t, err)
	require.Equal(t, int32(2), calls.Load())
}

func TestDirEntries(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "bin", "fdk"), []byte("#!/usr/bin/python3\n"), 0o700))
	require.NoError(t, os.Symlink("fdk", filepath.Join(root, "bin", "fdk-link")))
	es, err := dirEntries(root, "/python")
	require.NoError(t, err)
	got := map[string]fs.FileMode{}
	for _, e := range es {
		got[e.path] = e.mode
	}
	require.Equal(t, map[string]fs.FileMode{
		"python/bin":          fs.ModeDir | 0o755,
		"python/bin/fdk":      0o700,
		"python/bin/fdk-link": fs.ModeSymlink | 0o777,
	}, got)

	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(root, "bin", "escape")))
	_, err = dirEntries(root, "/python")
	require.ErrorContains(t, err, "leaves the installed tree")
}

func TestContextEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, p := range []string{"func.py", "node_modules/a/index.js", "lib/util.py"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte("x"), 0o644))
	}
	files, err := ReadContext(dir)
	require.NoError(t, err)
	j := &job{dir: dir, files: files}
	var got []string
	for _, e := range j.contextEntries("/function", func(rel string) bool { return rel == "node_modules" }) {
		got = append(got, e.path)
		if e.mode.IsRegular() {
			require.Equal(t, filepath.Join(dir, filepath.FromSlash(e.path[len("function/"):])), e.src)
		}
	}
	require.Equal(t, []string{"function/func.py", "function/lib", "function/lib/util.py"}, got)
}
