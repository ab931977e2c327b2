package fnimage

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/require"
)

// testNodeBase describes a stand-in for fnproject/node:22.
type testNodeBase struct {
	noNode bool   // leave node out
	musl   bool   // an Alpine-like C library instead of glibc
	path   string // the image's PATH; default /usr/local/bin:/bin (node found through the /bin -> usr/bin link)
}

// pushNodeBase pushes a small run image like fnproject/node's to host/repo:
// /usr/bin/node (the start of an ELF executable whose interpreter is the C
// library's loader), the /bin -> usr/bin link, the loader, user fn, and CMD
// ["node"]. Several platforms give an index.
func pushNodeBase(t *testing.T, host, repo string, b testNodeBase, platforms ...v1.Platform) string {
	t.Helper()
	var imgs []v1.Image
	for _, p := range platforms {
		entries := []layerEntry{
			{path: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/bin/sh\nfn:x:1000:1000::/home/fn:/sbin/nologin\n")},
			{path: "bin", mode: fs.ModeSymlink | 0o777, linkname: "usr/bin"},
			{path: "tmp", mode: fs.ModeDir | 0o777},
		}
		loader := map[bool]string{false: "lib64/ld-linux-x86-64.so.2", true: "lib/ld-musl-x86_64.so.1"}[b.musl]
		if p.Architecture == "arm64" {
			loader = map[bool]string{false: "lib/ld-linux-aarch64.so.1", true: "lib/ld-musl-aarch64.so.1"}[b.musl]
		}
		entries = append(entries, layerEntry{path: loader, mode: 0o755, data: []byte("loader")})
		if !b.noNode {
			entries = append(entries, layerEntry{path: "usr/bin/node", mode: 0o755, data: fakeNodeExecutable(nodeELFMachine[p.Architecture], "/"+loader)})
		}
		pathEnv := b.path
		if pathEnv == "" {
			pathEnv = "/usr/local/bin:/bin"
		}
		l, err := writeLayer(entries, types.OCILayer, time.Unix(1, 0))
		require.NoError(t, err)
		img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, MediaType: types.OCILayer, History: v1.History{CreatedBy: "node base"}})
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
		cf.Config = v1.Config{
			Env:    []string{"PATH=" + pathEnv, "NODE_VERSION=22.0.0"},
			User:   "fn",
			Labels: map[string]string{"org.example.base": "node-run-image"},
			Cmd:    []string{"node"},
		}
		img, err = mutate.ConfigFile(img, cf)
		require.NoError(t, err)
		imgs = append(imgs, img)
	}
	ref := host + "/" + repo
	tag, err := name.NewTag(ref)
	require.NoError(t, err)
	if len(imgs) == 1 {
		require.NoError(t, remote.Write(tag, imgs[0]))
		return ref
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for i, img := range imgs {
		p := platforms[i]
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	require.NoError(t, remote.WriteIndex(tag, idx))
	return ref
}

// newNodeBuilder builds with base standing in for fnproject/node:22.
func newNodeBuilder(t *testing.T, base string, opts ...Option) *Builder {
	t.Helper()
	b, err := NewBuilder(append([]Option{WithBaseImages(map[string]string{"fnproject/node:22": base})}, opts...)...)
	require.NoError(t, err)
	return b
}

// nodeLogBuffer collects what a Builder logs.
type nodeLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *nodeLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *nodeLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func withNodeLogBuffer(l *nodeLogBuffer) Option {
	return WithLogger(slog.New(slog.NewTextHandler(l, nil)))
}

// npmRuns counts the npm installs a build reports.
type npmRuns struct {
	mu        sync.Mutex
	platforms []string
}

func (n *npmRuns) option() Option {
	return WithProgress(func(p Progress) {
		if p.Stage == StageCompile && strings.HasPrefix(p.Message, "npm ci") {
			n.mu.Lock()
			defer n.mu.Unlock()
			n.platforms = append(n.platforms, p.Platform)
		}
	})
}

func (n *npmRuns) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.platforms)
}

// nodeLayerListing lists a layer's entries as "path type mode[ -> target]",
// checking the owner and time of each.
func nodeLayerListing(t *testing.T, l v1.Layer) []string {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	var out []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		require.Equal(t, 0, h.Uid+h.Gid, "owner of %s", h.Name)
		require.Equal(t, time.Unix(0, 0).UTC(), h.ModTime.UTC(), "mtime of %s", h.Name)
		line := fmt.Sprintf("%s %s %04o", h.Name, map[byte]string{tar.TypeDir: "dir", tar.TypeReg: "reg", tar.TypeSymlink: "sym"}[h.Typeflag], h.Mode)
		if h.Linkname != "" {
			line += " -> " + h.Linkname
		}
		out = append(out, line)
	}
}

// nodeAddedLayers returns the layers the build appended to the one-layer base.
func nodeAddedLayers(t *testing.T, img v1.Image) []v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	require.NoError(t, err)
	return ls[1:]
}

func nodePlatformImage(t *testing.T, res *Result, arch string) v1.Image {
	t.Helper()
	imgs, err := res.Images()
	require.NoError(t, err)
	for _, img := range imgs {
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		if cf.Architecture == arch {
			return img
		}
	}
	t.Fatalf("no %s image in the result", arch)
	return nil
}

func TestNodeBuildMatchesFnContract(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushNodeBase(t, host, "fnproject/node:22", testNodeBase{}, amd64)
	dir := nodeFuncDir(t, "deps", true)
	// A node_modules of the developer's: not shipped, replaced by the install.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "node_modules", "stale"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "node_modules", "stale", "index.js"), []byte("stale"), 0o644))
	var logs nodeLogBuffer
	res, err := newNodeBuilder(t, base, withNodeLogBuffer(&logs)).Build(context.Background(), dir)
	require.NoError(t, err)
	require.NoError(t, validate.Image(res.Image))

	t.Run("config", func(t *testing.T) {
		cf, err := res.Image.ConfigFile()
		require.NoError(t, err)
		want := v1.Config{
			WorkingDir: "/function",
			Entrypoint: []string{"node", "func.js"}, // func.yaml's, whitespace-split
			Cmd:        nil,                         // the base's CMD ["node"] is reset, as Docker does
			Env:        []string{"PATH=/usr/local/bin:/bin", "NODE_VERSION=22.0.0"},
			User:       "fn",
			Labels:     map[string]string{"org.example.base": "node-run-image"},
		}
		if diff := cmp.Diff(want, cf.Config); diff != "" {
			t.Errorf("config (-want +got):\n%s", diff)
		}
		require.Len(t, cf.History, 3, "the base's entry, node_modules, the source")
		require.Contains(t, cf.History[1].CreatedBy, "npm ci --omit=dev --os=linux --cpu=x64 --libc=glibc --ignore-scripts")
	})
	layers := nodeAddedLayers(t, res.Image)
	require.Len(t, layers, 2)
	t.Run("node_modules layer", func(t *testing.T) {
		want := readGoldenLines(t, "testdata/node/golden/deps-amd64-node_modules.txt")
		if diff := cmp.Diff(want, nodeLayerListing(t, layers[0])); diff != "" {
			t.Errorf("node_modules layer (-want +got):\n%s", diff)
		}
	})
	t.Run("source layer", func(t *testing.T) {
		want := readGoldenLines(t, "testdata/node/golden/deps-source.txt")
		if diff := cmp.Diff(want, nodeLayerListing(t, layers[1])); diff != "" {
			t.Errorf("source layer (-want +got):\n%s", diff)
		}
	})
	t.Run("native addon is for the target", func(t *testing.T) {
		f, err := elf.NewFile(bytes.NewReader(fileFromLayer(t, layers[0], "function/node_modules/native-linux-x64-gnu/native.linux-x64-gnu.node")))
		require.NoError(t, err)
		require.Equal(t, elf.EM_X86_64, f.Machine)
	})
	t.Run("warns about the local node_modules", func(t *testing.T) {
		require.Contains(t, logs.String(), "node_modules in the function directory is not shipped")
	})
	t.Run("the function directory is untouched", func(t *testing.T) {
		var got []string
		require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
			return err
		}))
		want := []string{".", ".dockerignore", ".npmrc", "func.js", "func.yaml", "node_modules", "node_modules/stale", "node_modules/stale/index.js", "package-lock.json", "package.json"}
		require.Equal(t, want, got)
	})
}

func TestNodeBuildInstallsForEachPlatform(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	dir := nodeFuncDir(t, "deps", true)
	for _, tc := range []struct {
		name string
		base testNodeBase
		want map[string]string // arch -> the one native package installed
	}{
		// node found directly in PATH: the C library comes from its ELF interpreter.
		{"glibc", testNodeBase{path: "/usr/local/bin:/usr/bin"}, map[string]string{"amd64": "native-linux-x64-gnu", "arm64": "native-linux-arm64-gnu"}},
		// node found through a link: the C library comes from the loaders present.
		{"musl", testNodeBase{musl: true}, map[string]string{"amd64": "native-linux-x64-musl", "arm64": ""}},
		{"musl, node in path", testNodeBase{musl: true, path: "/usr/bin"}, map[string]string{"amd64": "native-linux-x64-musl", "arm64": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := pushNodeBase(t, host, "node-"+strings.NewReplacer(" ", "-", ",", "").Replace(tc.name)+":22", tc.base, amd64, arm64)
			res, err := newNodeBuilder(t, base, WithPlatforms("linux/amd64,linux/arm64")).Build(context.Background(), dir)
			require.NoError(t, err)
			require.NoError(t, validate.Index(res.Index))
			for arch, want := range tc.want {
				img := nodePlatformImage(t, res, arch)
				layers := nodeAddedLayers(t, img)
				var natives []string
				for _, line := range nodeLayerListing(t, layers[0]) {
					p := strings.Fields(line)[0]
					if strings.HasSuffix(p, ".node") {
						natives = append(natives, p)
						f, err := elf.NewFile(bytes.NewReader(fileFromLayer(t, layers[0], p)))
						require.NoError(t, err)
						require.Equal(t, nodeELFMachine[arch], f.Machine, "ELF machine of %s in the %s image", p, arch)
					}
				}
				if want == "" {
					require.Empty(t, natives, "no package of native fits %s", arch)
					continue
				}
				suffix := strings.TrimPrefix(want, "native-")
				require.Equal(t, []string{"function/node_modules/" + want + "/native." + suffix + ".node"}, natives, "%s image", arch)
			}
		})
	}
}

func TestNodeBuildIsReproducible(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushNodeBase(t, host, "fnproject/node:22", testNodeBase{}, amd64, arm64)
	b := newNodeBuilder(t, base, WithPlatforms("linux/amd64,linux/arm64"))
	first := nodeFuncDir(t, "deps", true)
	second := filepath.Join(t.TempDir(), "elsewhere", "deps")
	require.NoError(t, os.CopyFS(second, os.DirFS(first)))
	when := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	require.NoError(t, filepath.WalkDir(second, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, when, when)
	}))
	require.NoError(t, os.Chmod(filepath.Join(second, "func.js"), 0o600))
	// The second copy's npm cache is a different, empty one; .npmrc is not in the image.
	npmrc := "registry=" + testNpmRegistry().URL + "\ncache=" + filepath.Join(t.TempDir(), "other-cache") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(second, ".npmrc"), []byte(npmrc), 0o644))

	digests := make([]v1.Hash, 2)
	for i, dir := range []string{first, second} {
		res, err := b.Build(context.Background(), dir)
		require.NoError(t, err)
		digests[i], err = res.Digest()
		require.NoError(t, err)
	}
	require.Equal(t, digests[0], digests[1], "two copies of the same function, installed in different scratch directories")
}

func TestNodeBuildLeaksNoHostPaths(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushNodeBase(t, host, "fnproject/node:22", testNodeBase{}, arm64)
	dir := nodeFuncDir(t, "deps", true)
	res, err := newNodeBuilder(t, base, WithPlatforms("linux/arm64")).Build(context.Background(), dir)
	require.NoError(t, err)
	home, _ := os.UserHomeDir()
	wd, _ := os.Getwd()
	forbidden := []string{dir, filepath.Dir(dir), wd, os.TempDir() + "/", "osa-build-", "npm-arm64", "npm-cache"}
	if home != "" && home != "/" {
		forbidden = append(forbidden, home)
	}
	cfg, err := res.Image.RawConfigFile()
	require.NoError(t, err)
	blobs := map[string][]byte{"config": cfg}
	for i, l := range nodeAddedLayers(t, res.Image) {
		rc, err := l.Uncompressed()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		blobs[fmt.Sprintf("layer %d", i)] = data
	}
	// The lock file (in the source layer) may record the registry's
	// addresses, as it does on a machine without omit-lockfile-registry-resolved;
	// node_modules must not.
	if bytes.Contains(blobs["layer 0"], []byte(strings.TrimSuffix(strings.TrimPrefix(testNpmRegistry().URL, "http://"), "/"))) {
		t.Errorf("the node_modules layer records the registry's address")
	}
	for what, data := range blobs {
		for _, s := range forbidden {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the host path or address %q", what, s)
			}
		}
	}
}

// TestNodeSourceOnlyRebuildSkipsNpm: with a cache directory, a change to
// the source alone reuses the node_modules layer without running npm, so
// only the source layer differs; a change to the lock file installs again.
func TestNodeSourceOnlyRebuildSkipsNpm(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushNodeBase(t, host, "fnproject/node:22", testNodeBase{}, amd64, arm64)
	dir := nodeFuncDir(t, "deps", true)
	cache := t.TempDir()
	build := func() (*Result, int) {
		var runs npmRuns
		res, err := newNodeBuilder(t, base, WithPlatforms("linux/amd64,linux/arm64"), WithCacheDir(cache), runs.option()).Build(context.Background(), dir)
		require.NoError(t, err)
		return res, runs.count()
	}
	layerDigests := func(res *Result) [][]v1.Hash {
		imgs, err := res.Images()
		require.NoError(t, err)
		var out [][]v1.Hash
		for _, img := range imgs {
			var ds []v1.Hash
			for _, l := range nodeAddedLayers(t, img) {
				d, err := l.Digest()
				require.NoError(t, err)
				ds = append(ds, d)
			}
			out = append(out, ds)
		}
		return out
	}

	first, n := build()
	require.Equal(t, 2, n, "the first build installs for both platforms")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "func.js"), []byte("'use strict'\nconsole.log('edited')\n"), 0o644))
	second, n := build()
	require.Equal(t, 0, n, "a source-only change must not run npm")
	before, after := layerDigests(first), layerDigests(second)
	for i := range before {
		require.Equal(t, before[i][0], after[i][0], "platform %d: node_modules layer reused", i)
		require.NotEqual(t, before[i][1], after[i][1], "platform %d: source layer changed", i)
	}

	// A new dependency in package.json and the lock file is a new install.
	pkg, err := os.ReadFile(filepath.Join(dir, "package.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"),
		bytes.Replace(pkg, []byte(`"greet": "1.0.0",`), []byte(`"greet": "1.0.0",`+"\n    "+`"hello-banner": "1.0.0",`), 1), 0o644))
	npmLock(t, dir)
	_, n = build()
	require.Equal(t, 2, n, "a changed lock file installs again")
}
