package fnimage

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/require"
)

// newRegistry starts ggcr's in-process registry and returns its host.
func newRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// baseLayer is a small layer like a run image's: /etc/passwd with user fn.
func baseLayer(t *testing.T, mt types.MediaType) v1.Layer {
	t.Helper()
	l, err := writeLayer([]layerEntry{
		{path: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/bin/sh\nfn:x:1000:1000::/home/fn:/sbin/nologin\n")},
		{path: "tmp", mode: fs.ModeDir | 0o777},
	}, mt, time.Unix(1, 0))
	require.NoError(t, err)
	return l
}

// pushBase pushes a stand-in for fnproject/go:1.24 to host/repo: one image,
// or an index when several platforms are given; OCI or Docker media types.
func pushBase(t *testing.T, host, repo string, oci bool, platforms ...v1.Platform) string {
	t.Helper()
	manifestType, layerType, indexType := types.DockerManifestSchema2, types.DockerLayer, types.DockerManifestList
	if oci {
		manifestType, layerType, indexType = types.OCIManifestSchema1, types.OCILayer, types.OCIImageIndex
	}
	var imgs []v1.Image
	for _, p := range platforms {
		img := mutate.MediaType(empty.Image, manifestType)
		if oci {
			img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		}
		img, err := mutate.Append(img, mutate.Addendum{Layer: baseLayer(t, layerType), MediaType: layerType,
			History: v1.History{CreatedBy: "base layer"}})
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
		cf.Config = v1.Config{
			Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"},
			User:       "fn",
			Labels:     map[string]string{"org.example.base": "go-run-image"},
			Entrypoint: []string{"/bin/sh"},
			Cmd:        []string{"sh"},
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
	idx := mutate.IndexMediaType(empty.Index, indexType)
	for i, img := range imgs {
		p := platforms[i]
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	require.NoError(t, remote.WriteIndex(tag, idx))
	return ref
}

var (
	amd64 = v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
)

// copyFunc copies testdata/gofunc to a new directory and returns it.
func copyFunc(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "gofunc")
	require.NoError(t, os.CopyFS(dst, os.DirFS("testdata/gofunc")))
	return dst
}

func newTestBuilder(t *testing.T, base string, opts ...Option) *Builder {
	t.Helper()
	b, err := NewBuilder(append([]Option{WithBaseImages(map[string]string{"fnproject/go:1.24": base})}, opts...)...)
	require.NoError(t, err)
	return b
}

// layerFiles lists the entries of a layer as "path type mode uid gid" lines.
func layerFiles(t *testing.T, l v1.Layer) []string {
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
		kind := map[byte]string{tar.TypeDir: "dir", tar.TypeReg: "reg", tar.TypeSymlink: "sym"}[h.Typeflag]
		out = append(out, fmt.Sprintf("%s %s %04o %d %d", h.Name, kind, h.Mode, h.Uid, h.Gid))
		require.Equal(t, time.Unix(0, 0).UTC(), h.ModTime.UTC(), "mtime of %s", h.Name)
		require.Empty(t, h.Uname+h.Gname, "user/group names of %s", h.Name)
	}
}

func readGoldenLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// fileFromLayer returns the content of one file of a layer.
func fileFromLayer(t *testing.T, l v1.Layer, path string) []byte {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		require.NoError(t, err, "looking for %s", path)
		if h.Name == path {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			return data
		}
	}
}

func lastLayer(t *testing.T, img v1.Image) v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	require.NoError(t, err)
	return ls[len(ls)-1]
}

func TestBuildGoMatchesFnContract(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushBase(t, host, "fnproject/go:1.24", true, amd64)
	res, err := newTestBuilder(t, base).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	require.NoError(t, validate.Image(res.Image))

	t.Run("config", func(t *testing.T) {
		var want struct {
			WorkingDir string
			Entrypoint []string
			Cmd        []string
			Env        []string
			User       string
			Labels     map[string]string
		}
		data, err := os.ReadFile("testdata/golden/go-config.json")
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &want))
		cf, err := res.Image.ConfigFile()
		require.NoError(t, err)
		c := cf.Config
		got := want
		got.WorkingDir, got.Entrypoint, got.Cmd, got.Env, got.User, got.Labels = c.WorkingDir, c.Entrypoint, c.Cmd, c.Env, c.User, c.Labels
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("image config (-want +got):\n%s", diff)
		}
		if len(c.ExposedPorts)+len(c.Volumes) != 0 {
			t.Errorf("config adds ports or volumes: %v %v", c.ExposedPorts, c.Volumes)
		}
		if cf.OS != "linux" || cf.Architecture != "amd64" {
			t.Errorf("platform = %s/%s, want linux/amd64", cf.OS, cf.Architecture)
		}
		if !cf.Created.Equal(time.Unix(0, 0)) {
			t.Errorf("created = %v, want the Unix epoch", cf.Created)
		}
		if n := len(cf.History); n != 2 || cf.History[1].CreatedBy == "" || cf.History[1].EmptyLayer {
			t.Errorf("history = %+v, want the base's entry and one for the function layer", cf.History)
		}
	})
	t.Run("files", func(t *testing.T) {
		got := layerFiles(t, lastLayer(t, res.Image))
		if diff := cmp.Diff(readGoldenLines(t, "testdata/golden/go-files.txt"), got); diff != "" {
			t.Errorf("function layer (-want +got):\n%s", diff)
		}
	})
	t.Run("media types follow the OCI base", func(t *testing.T) {
		mt, err := res.Image.MediaType()
		require.NoError(t, err)
		lmt, err := lastLayer(t, res.Image).MediaType()
		require.NoError(t, err)
		require.Equal(t, types.OCIManifestSchema1, mt)
		require.Equal(t, types.OCILayer, lmt)
		m, err := res.Image.Manifest()
		require.NoError(t, err)
		require.Equal(t, res.Base, m.Annotations[annotationBaseName]+"@"+m.Annotations[annotationBaseDigest])
	})
	t.Run("binary is static linux/amd64", func(t *testing.T) {
		requireELF(t, fileFromLayer(t, lastLayer(t, res.Image), "function/func"), elf.EM_X86_64)
	})
}

func requireELF(t *testing.T, data []byte, machine elf.Machine) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, machine, f.Machine)
	for _, p := range f.Progs {
		require.NotEqual(t, elf.PT_INTERP, p.Type, "binary has an interpreter: it is not static")
	}
}

func TestBuildDockerBaseKeepsDockerMediaTypes(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushBase(t, host, "fnproject/go:1.24", false, amd64, arm64)
	res, err := newTestBuilder(t, base, WithPlatforms("linux/amd64,linux/arm64")).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	mt, err := res.Index.MediaType()
	require.NoError(t, err)
	require.Equal(t, types.DockerManifestList, mt)
	imgs, err := res.Images()
	require.NoError(t, err)
	for _, img := range imgs {
		lmt, err := lastLayer(t, img).MediaType()
		require.NoError(t, err)
		require.Equal(t, types.DockerLayer, lmt)
	}
}

func TestBuildMultiArch(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushBase(t, host, "fnproject/go:1.24", true, amd64, arm64)
	res, err := newTestBuilder(t, base, WithPlatforms("linux/arm64", "linux/amd64")).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	require.NoError(t, validate.Index(res.Index))
	im, err := res.Index.IndexManifest()
	require.NoError(t, err)
	require.Equal(t, types.OCIImageIndex, im.MediaType)
	require.Len(t, im.Manifests, 2, "exactly one manifest per platform, no attestations")
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for i, d := range im.Manifests {
		require.NotNil(t, d.Platform)
		require.Equal(t, []string{"amd64", "arm64"}[i], d.Platform.Architecture, "index order")
		img, err := res.Index.Image(d.Digest)
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		require.Equal(t, d.Platform.Architecture, cf.Architecture)
		requireELF(t, fileFromLayer(t, lastLayer(t, img), "function/func"), want[cf.Architecture])
	}
}

func TestBuildIsReproducible(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushBase(t, host, "fnproject/go:1.24", true, amd64, arm64)
	b := newTestBuilder(t, base, WithPlatforms("linux/amd64,linux/arm64"))
	digest := func(dir string) v1.Hash {
		res, err := b.Build(context.Background(), dir)
		require.NoError(t, err)
		d, err := res.Digest()
		require.NoError(t, err)
		return d
	}
	first, second := copyFunc(t), copyFunc(t)
	// Different file times and permissions-irrelevant bits in the second copy.
	when := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	require.NoError(t, filepath.WalkDir(second, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, when, when)
	}))
	require.NoError(t, os.Chmod(filepath.Join(second, "main.go"), 0o600))
	d1, d2 := digest(first), digest(second)
	if d1 != d2 {
		t.Fatalf("two copies of the same function built to %s and %s", d1, d2)
	}

	t.Run("SOURCE_DATE_EPOCH changes the digest", func(t *testing.T) {
		b2 := newTestBuilder(t, base, WithPlatforms("linux/amd64,linux/arm64"), WithCreationTime(time.Unix(1700000000, 0)))
		res, err := b2.Build(context.Background(), first)
		require.NoError(t, err)
		d, err := res.Digest()
		require.NoError(t, err)
		require.NotEqual(t, d1, d)
	})
}

func TestBuildLeaksNoHostPaths(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushBase(t, host, "fnproject/go:1.24", true, amd64)
	dir := copyFunc(t)
	res, err := newTestBuilder(t, base).Build(context.Background(), dir)
	require.NoError(t, err)
	home, _ := os.UserHomeDir()
	wd, _ := os.Getwd()
	forbidden := []string{dir, filepath.Dir(dir), wd, os.TempDir() + "/", "osa-build-"}
	if home != "" && home != "/" {
		forbidden = append(forbidden, home)
	}
	cfg, err := res.Image.RawConfigFile()
	require.NoError(t, err)
	manifest, err := res.Image.RawManifest()
	require.NoError(t, err)
	rc, err := lastLayer(t, res.Image).Uncompressed()
	require.NoError(t, err)
	layer, err := io.ReadAll(rc)
	require.NoError(t, err)
	for what, data := range map[string][]byte{"config": cfg, "manifest": manifest, "function layer": layer} {
		for _, s := range forbidden {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains the host path %q", what, s)
			}
		}
	}
}

func TestBuildHonoursDockerignore(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushBase(t, host, "fnproject/go:1.24", true, amd64)
	dir := copyFunc(t)
	// broken.go is excluded, so this builds; removing the exclusion must break it.
	_, err := newTestBuilder(t, base).Build(context.Background(), dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("*.md\n"), 0o644))
	_, err = newTestBuilder(t, base).Build(context.Background(), dir)
	var be *BuildError
	require.ErrorAs(t, err, &be)
	require.Contains(t, be.Output, "broken.go")
}

func TestBuildScratchBase(t *testing.T) {
	t.Parallel()
	res, err := newTestBuilder(t, scratch, WithPlatforms("linux/arm64")).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	require.Equal(t, scratch, res.Base)
	cf, err := res.Image.ConfigFile()
	require.NoError(t, err)
	require.Equal(t, "arm64", cf.Architecture)
	require.Equal(t, "/function", cf.Config.WorkingDir)
	requireELF(t, fileFromLayer(t, lastLayer(t, res.Image), "function/func"), elf.EM_AARCH64)
}

func TestBuildVendoredModuleOffline(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "govendor")
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/govendor")))
	// example.com/greet exists only in vendor/: with no proxy, only -mod=vendor builds it.
	b := newTestBuilder(t, scratch, WithGoCommand("go", "GOPROXY=off", "GOFLAGS=-mod=mod"))
	res, err := b.Build(context.Background(), dir)
	require.NoError(t, err)
	data := fileFromLayer(t, lastLayer(t, res.Image), "function/func")
	require.Contains(t, string(data), "hello from vendor")
}
