package fnimage_test

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/require"

	"github.com/oci-serverless/oci-serverless-api/internal/e2e"
	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

const orderValidator = "../../examples/orders/order-validator"

// TestOrderValidatorEndToEnd builds examples/orders/order-validator (the
// Python FDK from PyPI, with compiled dependencies such as httptools) for
// linux/amd64 and linux/arm64 onto a Debian bookworm run image whose
// interpreter is /usr/bin/python3.11 (not the build machine's), pushes it to
// the CNCF distribution registry, checks each child's files (extension
// modules built for its architecture, console scripts pointing at the run
// image's interpreter, no build-machine paths), runs the amd64 child the way
// OCI Functions does and invokes it as API Gateway would. Then it checks that
// the build is reproducible and that a source-only edit runs no pip and
// uploads only the source layer.
func TestOrderValidatorEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	reg := e2e.StartRegistry(t)
	base := e2e.DebianBase(t, ctx, reg, "mirror/fnproject/python:3.11",
		e2e.DebianBaseOptions{Packages: []string{"python3"}, Arches: []string{"amd64", "arm64"}})
	dir := e2ePyCopy(t, orderValidator, time.Time{})
	cache := t.TempDir()
	pips := &e2ePyPips{}
	opts := []fnimage.Option{
		fnimage.WithPlatforms("linux/amd64", "linux/arm64"),
		fnimage.WithBaseImages(map[string]string{"fnproject/python:3.11": base.String()}),
		fnimage.WithAuth(reg.Host, reg.Username, reg.Password),
		fnimage.WithCacheDir(cache),
		fnimage.WithProgress(pips.record),
	}
	start := time.Now()
	res, pub := e2ePyBuildPush(t, ctx, dir, reg, "first", opts...)
	t.Logf("cold build and push (pip for two platforms): %s", time.Since(start).Round(time.Millisecond))
	require.Equal(t, 2, pips.take(), "one pip install per platform")
	require.Equal(t, []string{"linux/amd64", "linux/arm64"}, pub.Platforms)
	ref := pub.Reference.String()

	cfg := e2e.ImageConfig(t, ctx, ref, reg)
	require.Equal(t, "/function", cfg.Config.WorkingDir)
	require.Equal(t, []string{"/python/bin/fdk", "/function/func.py", "handler"}, cfg.Config.Entrypoint)
	require.Empty(t, cfg.Config.Cmd)
	require.Contains(t, cfg.Config.Env, "PYTHONPATH=/function:/python")

	hostPaths := []string{e2ePyHostExecutable(t), dir, filepath.Join(os.TempDir(), "osa-build-")}
	cfgJSON, err := json.Marshal(cfg)
	require.NoError(t, err)
	for _, leak := range hostPaths {
		require.NotContains(t, string(cfgJSON), leak, "the image config (history included) holds a build-machine path")
	}
	for _, p := range []struct {
		platform string
		machine  elf.Machine
	}{{"linux/amd64", elf.EM_X86_64}, {"linux/arm64", elf.EM_AARCH64}} {
		t.Run("files for "+p.platform, func(t *testing.T) {
			files := e2ePyAddedFiles(t, ctx, ref, reg, p.platform)
			require.Equal(t, "#!/usr/bin/python3.11\n", strings.SplitAfter(string(files["python/bin/fdk"]), "\n")[0],
				"the console script runs the run image's interpreter")
			require.Contains(t, string(files["python/.osa-requirements.txt"]), "\nfdk==0.1.128\n")
			require.Contains(t, string(files["python/.osa-requirements.txt"]), "\nhttptools==")
			require.Contains(t, files, "function/func.py")
			require.Contains(t, files, "function/requirements.txt")
			extensions := 0
			for path, data := range files {
				for _, leak := range hostPaths {
					require.False(t, bytes.Contains(data, []byte(leak)), "%s holds the build-machine path %s", path, leak)
				}
				require.False(t, strings.HasSuffix(path, ".pyc"), "%s: compiled files are not shipped", path)
				if !strings.HasSuffix(path, ".so") {
					continue
				}
				f, err := elf.NewFile(bytes.NewReader(data))
				require.NoError(t, err, path)
				require.Equal(t, p.machine, f.Machine, "%s is built for the wrong machine", path)
				extensions++
			}
			require.Positive(t, extensions, "httptools ships extension modules")
			require.Contains(t, files, "python/httptools/parser/parser.cpython-311-"+map[elf.Machine]string{
				elf.EM_X86_64: "x86_64", elf.EM_AARCH64: "aarch64"}[p.machine]+"-linux-gnu.so")
		})
	}

	t.Run("invoke through the gateway protocol", func(t *testing.T) {
		c := e2e.RunImage(t, ctx, ref, reg, e2e.RunOptions{MemoryMB: 256, FnName: "order-validator", AppName: "orders"})
		defer c.Stop()
		tests := []struct {
			name   string
			body   string
			status int
			want   map[string]any
		}{
			{name: "valid order", status: http.StatusOK,
				body: `{"order_id":"ORD-001","customer_id":"CUST-999","items":[{"sku":"ITEM-A","qty":2}],"total_amount":49.99}`,
				want: map[string]any{"status": "valid", "order_id": "ORD-001", "item_count": 1.0}},
			{name: "invalid JSON", status: http.StatusBadRequest, body: `{"order_id":`,
				want: map[string]any{"error": "Invalid JSON in request body"}},
			{name: "missing fields", status: http.StatusUnprocessableEntity, body: `{"order_id":"ORD-002"}`,
				want: map[string]any{"error": "Missing required fields", "fields": []any{"customer_id", "items", "total_amount"}}},
			{name: "no items", status: http.StatusUnprocessableEntity,
				body: `{"order_id":"ORD-003","customer_id":"C","items":[],"total_amount":10}`,
				want: map[string]any{"error": "Order must contain at least one item"}},
			{name: "zero total", status: http.StatusUnprocessableEntity,
				body: `{"order_id":"ORD-004","customer_id":"C","items":[{"sku":"X"}],"total_amount":0}`,
				want: map[string]any{"error": "total_amount must be greater than zero"}},
			{name: "negative total", status: http.StatusUnprocessableEntity,
				body: `{"order_id":"ORD-005","customer_id":"C","items":[{"sku":"X"}],"total_amount":-1}`,
				want: map[string]any{"error": "total_amount must be greater than zero"}},
		}
		for _, tc := range tests {
			resp, err := c.Invoke(ctx, e2e.InvokeRequest{
				Gateway: true, Method: http.MethodPost, URL: "/v1/orders/validate",
				Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(tc.body),
			})
			require.NoError(t, err, "%s; logs:\n%s", tc.name, c.Logs())
			require.Equal(t, http.StatusOK, resp.Status, "%s: the FDK answers the agent with 200", tc.name)
			require.Equal(t, tc.status, resp.HTTPStatus, "%s: body %s", tc.name, resp.Body)
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"), tc.name)
			var got map[string]any
			require.NoError(t, json.Unmarshal(resp.Body, &got), "%s: body %q", tc.name, resp.Body)
			if tc.status == http.StatusOK {
				id, ok := got["validated_at"].(string)
				require.True(t, ok && id != "", "%s: validated_at = %v, want the call id", tc.name, got["validated_at"])
				delete(got, "validated_at")
			}
			require.Equal(t, tc.want, got, tc.name)
		}
	})

	t.Run("same image from another copy with other file times and no cache", func(t *testing.T) {
		// One platform is enough here (and halves the work): its image is
		// the index's child for that platform.
		other := e2ePyCopy(t, orderValidator, time.Date(2003, 4, 5, 6, 7, 8, 0, time.UTC))
		b, err := fnimage.NewBuilder(append(opts[:len(opts):len(opts)],
			fnimage.WithPlatforms("linux/arm64"), fnimage.WithCacheDir(t.TempDir()))...)
		require.NoError(t, err)
		again, err := b.Build(ctx, other)
		require.NoError(t, err)
		want, err := e2ePyChild(t, res, "arm64").Digest()
		require.NoError(t, err)
		got, err := again.Image.Digest()
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, 1, pips.take(), "pip ran for linux/arm64")
	})

	t.Run("a source-only edit runs no pip and uploads only the source layer", func(t *testing.T) {
		f, err := os.OpenFile(filepath.Join(dir, "func.py"), os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteString("\n# edited\n")
		require.NoError(t, errors.Join(err, f.Close()))
		start := time.Now()
		res2, pub2 := e2ePyBuildPush(t, ctx, dir, reg, "edited", opts...)
		t.Logf("warm rebuild and push after editing func.py: %s", time.Since(start).Round(time.Millisecond))
		require.Zero(t, pips.take(), "pip ran")
		var uploaded []v1.Hash
		for _, l := range pub2.Layers {
			if l.Uploaded {
				uploaded = append(uploaded, l.Digest)
			}
		}
		for _, p := range []string{"amd64", "arm64"} {
			img := e2ePyChild(t, res2, p)
			ls, err := img.Layers()
			require.NoError(t, err)
			last, err := ls[len(ls)-1].Digest()
			require.NoError(t, err)
			require.Equal(t, []v1.Hash{last}, uploaded, "%s: only the source layer (the same blob for both platforms) is uploaded", p)
		}
	})
}

// TestPythonEndToEndErrors checks the errors a Python build reports against
// a real registry and PyPI: a requirement without a wheel for the target,
// and a run image without Python.
func TestPythonEndToEndErrors(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	reg := e2e.StartRegistry(t)
	python := e2e.DebianBase(t, ctx, reg, "mirror/fnproject/python:3.11",
		e2e.DebianBaseOptions{Packages: []string{"python3"}, Arches: []string{"amd64", "arm64"}})
	goBase := e2e.PushGoBase(t, ctx, reg, "mirror/fnproject/go:1.24")

	tests := []struct {
		name         string
		base         string
		platform     string
		requirements string
		check        func(t *testing.T, err error)
	}{
		{name: "a package with no wheel (docopt publishes only an sdist)", base: python.String(), platform: "linux/arm64",
			requirements: "fdk==0.1.128\ndocopt==0.6.2\n",
			check: func(t *testing.T, err error) {
				var be *fnimage.BuildError
				require.ErrorAs(t, err, &be)
				require.Equal(t, "linux/arm64", be.Platform)
				require.ErrorContains(t, err, "no wheel of docopt==0.6.2 for CPython 3.11 (cp311) on linux/arm64")
				require.Contains(t, be.Fix, "pin a version of docopt")
			}},
		{name: "a package that does not exist", base: python.String(), platform: "linux/amd64",
			requirements: "fdk==0.1.128\nosa-e2e-no-such-package-4f1c==1.0\n",
			check: func(t *testing.T, err error) {
				var be *fnimage.BuildError
				require.ErrorAs(t, err, &be)
				require.ErrorContains(t, err, "no wheel of osa-e2e-no-such-package-4f1c==1.0 for CPython 3.11 (cp311) on linux/amd64")
				require.ErrorContains(t, err, "or no such package")
			}},
		{name: "a run image without Python", base: goBase.String(), platform: "linux/amd64",
			requirements: "fdk==0.1.128\n",
			check: func(t *testing.T, err error) {
				var be *fnimage.BaseImageError
				require.ErrorAs(t, err, &be)
				require.ErrorContains(t, err, "no Python 3.11 interpreter for linux/amd64")
				require.Contains(t, be.Fix, "fnproject/python:3.11")
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := e2ePyCopy(t, orderValidator, time.Time{})
			require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte(tc.requirements), 0o644))
			b, err := fnimage.NewBuilder(
				fnimage.WithPlatforms(tc.platform),
				fnimage.WithBaseImages(map[string]string{"fnproject/python:3.11": tc.base}),
				fnimage.WithAuth(reg.Host, reg.Username, reg.Password),
			)
			require.NoError(t, err)
			_, err = b.Build(ctx, dir)
			require.Error(t, err)
			tc.check(t, err)
		})
	}
}

// e2ePyCopy copies a function directory to a new one; a non-zero mtime is
// set on every copied entry.
func e2ePyCopy(t *testing.T, src string, mtime time.Time) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	require.NoError(t, os.CopyFS(dst, os.DirFS(src)))
	if !mtime.IsZero() {
		require.NoError(t, filepath.WalkDir(dst, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Chtimes(p, mtime, mtime)
		}))
	}
	return dst
}

func e2ePyBuildPush(t *testing.T, ctx context.Context, dir string, reg *e2e.Registry, tag string, opts ...fnimage.Option) (*fnimage.Result, *fnimage.Published) {
	t.Helper()
	b, err := fnimage.NewBuilder(append(opts, fnimage.WithTag(tag))...)
	require.NoError(t, err)
	res, err := b.Build(ctx, dir)
	require.NoError(t, err)
	ref, err := res.Reference(reg.Host + "/fns")
	require.NoError(t, err)
	pub, err := fnimage.Publish(ctx, res, ref, opts...)
	require.NoError(t, err)
	return res, pub
}

// e2ePyPips counts the pip runs builds report.
type e2ePyPips struct {
	mu sync.Mutex
	n  int
}

func (p *e2ePyPips) record(ev fnimage.Progress) {
	if ev.Stage == fnimage.StageCompile && strings.HasPrefix(ev.Message, "pip install") {
		p.mu.Lock()
		p.n++
		p.mu.Unlock()
	}
}

// take returns the count and resets it.
func (p *e2ePyPips) take() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.n
	p.n = 0
	return n
}

// e2ePyHostExecutable is the interpreter pip runs under here, which pip
// writes into console scripts.
func e2ePyHostExecutable(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// e2ePyAddedFiles returns the contents of the files of the two layers the
// build added (dependencies and source) to the image ref for platform, as a
// registry client sees them.
func e2ePyAddedFiles(t *testing.T, ctx context.Context, ref string, reg *e2e.Registry, platform string) map[string][]byte {
	t.Helper()
	layers, err := e2e.RemoteImage(t, ctx, ref, reg, platform).Layers()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(layers), 3)
	files := map[string][]byte{}
	for _, l := range layers[len(layers)-2:] {
		rc, err := l.Uncompressed()
		require.NoError(t, err)
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			if h.Typeflag != tar.TypeReg {
				continue
			}
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			files[h.Name] = data
		}
		require.NoError(t, rc.Close())
	}
	return files
}

func e2ePyChild(t *testing.T, res *fnimage.Result, arch string) v1.Image {
	t.Helper()
	im, err := res.Index.IndexManifest()
	require.NoError(t, err)
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.Architecture == arch {
			img, err := res.Index.Image(d.Digest)
			require.NoError(t, err)
			return img
		}
	}
	t.Fatalf("no %s child in the index", arch)
	return nil
}
