package fnimage_test

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/require"

	"github.com/oci-serverless/oci-serverless-api/internal/e2e"
	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

// pushNodeRunImage pushes the stand-in for fnproject/node:22 used by the
// Node end-to-end tests: Debian bookworm with its nodejs package, for amd64
// and arm64. That is Node 18, not the Node 22 of fnproject/node:22 (Oracle
// Linux 9), which cannot be pulled here; the FDK runs on it, npm's packages
// are installed by the build machine either way, and both are glibc images
// with node on the PATH, which is what the build relies on.
func pushNodeRunImage(t *testing.T, ctx context.Context, reg *e2e.Registry) name.Digest {
	t.Helper()
	start := time.Now()
	defer func() { t.Logf("run image made and pushed in %s", time.Since(start).Round(time.Millisecond)) }()
	return e2e.DebianBase(t, ctx, reg, "mirror/fnproject/node:22", e2e.DebianBaseOptions{
		Packages: []string{"nodejs"},
		Arches:   []string{"amd64", "arm64"},
	})
}

// countNpm returns an option that counts npm installs, and the counter.
func countNpm() (fnimage.Option, *atomic.Int32) {
	var n atomic.Int32
	return fnimage.WithProgress(func(p fnimage.Progress) {
		if p.Stage == fnimage.StageCompile && strings.HasPrefix(p.Message, "npm ci") {
			n.Add(1)
		}
	}), &n
}

// TestNodeEndToEnd builds Node functions for both OCI shapes'
// architectures onto a Debian stand-in for fnproject/node:22 in a real
// registry, publishes them, runs the amd64 child with runc as OCI Functions
// runs it and invokes it through the Fn http-stream contract. The run image
// is made and pushed once for the subtests (it is the slow part).
func TestNodeEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	t.Cleanup(cancel) // after the parallel subtests
	reg := e2e.StartRegistry(t)
	base := pushNodeRunImage(t, ctx, reg)
	t.Run("hello-node", func(t *testing.T) {
		t.Parallel()
		testHelloNode(ctx, t, reg, base)
	})
	t.Run("native dependency", func(t *testing.T) {
		t.Parallel()
		testNodeNativeDependency(ctx, t, reg, base)
	})
}

// testHelloNode builds examples/hello-node (@fnproject/fdk 0.0.76 from the
// npm registry), runs it and invokes it directly and as API Gateway would.
// It then edits only func.js and rebuilds with the same cache: npm must not
// run, and only the source layer is uploaded.
func testHelloNode(ctx context.Context, t *testing.T, reg *e2e.Registry, base name.Digest) {
	src := filepath.Join(t.TempDir(), "hello-node")
	require.NoError(t, os.CopyFS(src, os.DirFS("../../examples/hello-node")))

	counter, npmRuns := countNpm()
	opts := []fnimage.Option{
		fnimage.WithPlatforms("linux/amd64", "linux/arm64"),
		fnimage.WithBaseImages(map[string]string{"fnproject/node:22": base.String()}),
		fnimage.WithAuth(reg.Host, reg.Username, reg.Password),
		fnimage.WithCacheDir(t.TempDir()),
		counter,
	}
	b, err := fnimage.NewBuilder(opts...)
	require.NoError(t, err)
	start := time.Now()
	res, err := b.Build(ctx, src)
	require.NoError(t, err)
	t.Logf("first build (npm ci for two platforms): %s", time.Since(start).Round(time.Millisecond))
	require.Equal(t, int32(2), npmRuns.Load(), "one npm install per platform")
	tag, err := res.Reference(reg.Host + "/fns")
	require.NoError(t, err)
	pub, err := fnimage.Publish(ctx, res, tag, opts...)
	require.NoError(t, err)
	require.Equal(t, []string{"linux/amd64", "linux/arm64"}, pub.Platforms)

	// What a registry client sees, independently of our code.
	cfg := e2e.ImageConfig(t, ctx, pub.Reference.String(), reg)
	require.Equal(t, "/function", cfg.Config.WorkingDir)
	require.Equal(t, []string{"node", "func.js"}, cfg.Config.Entrypoint)
	require.Empty(t, cfg.Config.Cmd)
	files := e2e.ImageFiles(t, ctx, pub.Reference.String(), reg, "linux/arm64")
	for _, f := range []string{"function/func.js", "function/func.yaml", "function/package.json", "function/package-lock.json",
		"function/node_modules/@fnproject/fdk/fn-fdk.js", "function/node_modules/cross-spawn/index.js", "usr/bin/node"} {
		require.Contains(t, files, f)
	}
	require.NotContains(t, files, "function/node_modules/.package-lock.json", "npm's hidden lockfile is left out")
	require.Equal(t, "../which/bin/node-which", files["function/node_modules/.bin/node-which"].Linkname, ".bin links are relative")

	c := e2e.RunImage(t, ctx, pub.Reference.String(), reg, e2e.RunOptions{MemoryMB: 128, FnName: "hello-node", AppName: "examples"})
	defer c.Stop() // SIGKILL: the Node FDK as PID 1 ignores SIGTERM

	t.Run("gateway call", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{
			Gateway: true, Method: http.MethodPost, URL: "/v1/hello",
			Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}},
			Body:   []byte(`{"name":"osa"}`),
		})
		require.NoError(t, err, "logs:\n%s", c.Logs())
		require.Equal(t, http.StatusOK, resp.Status)
		require.Equal(t, http.StatusOK, resp.HTTPStatus)
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		require.True(t, strings.HasPrefix(resp.RawHeader.Get("Fn-Fdk-Version"), "fdk-node/0.0.76"), "Fn-Fdk-Version %q", resp.RawHeader.Get("Fn-Fdk-Version"))
		var body map[string]string
		require.NoError(t, json.Unmarshal(resp.Body, &body), "body %q", resp.Body)
		require.Equal(t, map[string]string{"message": "Hello, osa!", "method": "POST", "url": "/v1/hello"}, body)
	})
	t.Run("gateway call with a bad body", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{
			Gateway: true, Method: http.MethodPost, URL: "/v1/hello",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"name":`),
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.Status, "the FDK answers the agent with 200")
		require.Equal(t, http.StatusBadRequest, resp.HTTPStatus, "and the user's status in Fn-Http-Status")
		require.JSONEq(t, `{"error":"invalid JSON in request body"}`, string(resp.Body))
	})
	t.Run("direct invoke", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{Body: []byte(`{"name":"direct"}`), Header: http.Header{"Content-Type": {"application/json"}}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.Status)
		require.Equal(t, "application/json", resp.RawHeader.Get("Content-Type"))
		require.JSONEq(t, `{"message":"Hello, direct!"}`, string(resp.Body))
	})
	t.Run("direct invoke without a body", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{})
		require.NoError(t, err)
		require.JSONEq(t, `{"message":"Hello, world!"}`, string(resp.Body))
	})

	t.Run("source-only rebuild", func(t *testing.T) {
		js, err := os.ReadFile(filepath.Join(src, "func.js"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(src, "func.js"), bytes.Replace(js, []byte("Hello, "), []byte("Hi, "), 1), 0o644))
		npmRuns.Store(0)
		start := time.Now()
		res2, err := b.Build(ctx, src)
		require.NoError(t, err)
		t.Logf("source-only rebuild: %s", time.Since(start).Round(time.Millisecond))
		require.Zero(t, npmRuns.Load(), "npm must not run when only the source changed")

		imgs1, err := res.Images()
		require.NoError(t, err)
		imgs2, err := res2.Images()
		require.NoError(t, err)
		sourceLayers := map[v1.Hash]bool{}
		for i := range imgs1 {
			l1, err := imgs1[i].Layers()
			require.NoError(t, err)
			l2, err := imgs2[i].Layers()
			require.NoError(t, err)
			require.Len(t, l2, len(l1))
			n := len(l1)
			require.Equal(t, digestOf(t, l1[n-2]), digestOf(t, l2[n-2]), "node_modules layer reused")
			require.NotEqual(t, digestOf(t, l1[n-1]), digestOf(t, l2[n-1]), "source layer changed")
			sourceLayers[digestOf(t, l2[n-1])] = true
		}
		tag2, err := name.NewTag(tag.Context().String()+":0.0.2", name.Insecure)
		require.NoError(t, err)
		pub2, err := fnimage.Publish(ctx, res2, tag2, opts...)
		require.NoError(t, err)
		var uploaded []v1.Hash
		for _, l := range pub2.Layers {
			if l.Uploaded {
				uploaded = append(uploaded, l.Digest)
				require.True(t, sourceLayers[l.Digest], "only source layers are uploaded, not %s", l.Digest)
			}
		}
		require.Len(t, sourceLayers, 1, "the source layer is the same blob on both platforms")
		require.Len(t, uploaded, 1, "the new source layer is the only layer uploaded")
	})
}

// testNodeNativeDependency builds a function that depends on
// @node-rs/crc32, whose native code comes as one optional npm package per
// platform: each image must hold exactly the package of its own
// architecture (checked in the ELF header of the .node file, as the registry
// serves the image), and the amd64 one must load it and answer.
func testNodeNativeDependency(ctx context.Context, t *testing.T, reg *e2e.Registry, base name.Digest) {
	opts := []fnimage.Option{
		fnimage.WithPlatforms("linux/amd64,linux/arm64"),
		fnimage.WithBaseImages(map[string]string{"fnproject/node:22": base.String()}),
		fnimage.WithAuth(reg.Host, reg.Username, reg.Password),
	}
	b, err := fnimage.NewBuilder(opts...)
	require.NoError(t, err)
	res, err := b.Build(ctx, "testdata/node/crc32")
	require.NoError(t, err)
	tag, err := res.Reference(reg.Host + "/fns")
	require.NoError(t, err)
	pub, err := fnimage.Publish(ctx, res, tag, opts...)
	require.NoError(t, err)

	for _, tc := range []struct {
		platform string
		pkg      string
		machine  elf.Machine
	}{
		{"linux/amd64", "@node-rs/crc32-linux-x64-gnu", elf.EM_X86_64},
		{"linux/arm64", "@node-rs/crc32-linux-arm64-gnu", elf.EM_AARCH64},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			natives := nativeAddons(t, e2e.RemoteImage(t, ctx, pub.Reference.String(), reg, tc.platform))
			require.Len(t, natives, 1, "one platform package of @node-rs/crc32, got %v", natives)
			for p, machine := range natives {
				require.Equal(t, "function/node_modules/"+tc.pkg, path.Dir(p))
				require.Equal(t, tc.machine, machine)
			}
		})
	}

	c := e2e.RunImage(t, ctx, pub.Reference.String(), reg, e2e.RunOptions{MemoryMB: 128, FnName: "node-crc32"})
	defer c.Stop()
	resp, err := c.Invoke(ctx, e2e.InvokeRequest{Body: []byte("hello")})
	require.NoError(t, err, "logs:\n%s", c.Logs())
	require.Equal(t, http.StatusOK, resp.Status, "body %s, logs:\n%s", resp.Body, c.Logs())
	// CRC-32 (IEEE) of "hello" is 0x3610a686.
	require.JSONEq(t, `{"crc32":907060870,"arch":"x64"}`, string(resp.Body))
}

// nativeAddons returns the ELF machine of every .node file in the
// function's layers of img (those after the one-layer run image), by path.
func nativeAddons(t *testing.T, img v1.Image) map[string]elf.Machine {
	t.Helper()
	layers, err := img.Layers()
	require.NoError(t, err)
	out := map[string]elf.Machine{}
	for _, l := range layers[1:] {
		rc, err := l.Uncompressed()
		require.NoError(t, err)
		addNativeAddons(t, tar.NewReader(rc), out)
		require.NoError(t, rc.Close())
	}
	return out
}

func addNativeAddons(t *testing.T, tr *tar.Reader, out map[string]elf.Machine) {
	t.Helper()
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err)
		p := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if h.Typeflag != tar.TypeReg || !strings.HasPrefix(p, "function/node_modules/") || !strings.HasSuffix(p, ".node") {
			continue
		}
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		f, err := elf.NewFile(bytes.NewReader(data))
		require.NoError(t, err, "%s is not an ELF file", p)
		out[p] = f.Machine
	}
}

func digestOf(t *testing.T, l v1.Layer) v1.Hash {
	t.Helper()
	d, err := l.Digest()
	require.NoError(t, err)
	return d
}
