package fnimage_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/require"

	"github.com/oci-serverless/oci-serverless-api/internal/e2e"
	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

// javaFDKMavenVersion is the Java FDK release the stand-in run image holds:
// the newest one on Maven Central (examples/hello-java compiles against it).
const javaFDKMavenVersion = "1.0.212"

// jreEntrypoint is fnproject/fn-java-fdk:jre17's ENTRYPOINT (fn-contract.md
// §1.6) with Debian's java in place of /usr/local/openjdk-17/bin/java.
var jreEntrypoint = []string{"/usr/bin/java", "-XX:-UsePerfData", "-XX:+UseSerialGC", "-Xshare:auto",
	"-Djava.awt.headless=true", "-Djava.library.path=/function/runtime/lib",
	"-cp", "/function/app/*:/function/runtime/*:/function/app:/function/app/resources", "com.fnproject.fn.runtime.EntryPoint"}

// TestHelloJavaEndToEnd builds examples/hello-java (the Java FDK, Maven) for
// both OCI shapes' architectures onto a stand-in for
// fnproject/fn-java-fdk:jre17 in a real registry, pushes it, runs the amd64
// image with runc the way OCI Functions does (uid 1000, read-only root, tmpfs
// /tmp, no capabilities) and invokes it over the Fn http-stream contract.
//
// The stand-in is Debian's openjdk-17-jre-headless plus what fnproject's
// image adds: the FDK runtime jars (com.fnproject.fn:runtime and its
// dependencies, from Maven Central) in /function/runtime/, and the FDK's
// native unix socket library in /function/runtime/lib/. Maven Central does
// not ship that library, so the test compiles testdata/java/fnunixsocket, an
// implementation of the same JNI methods written for osa (amd64 only: the
// arm64 image carries the same file, and is inspected, not run).
func TestHelloJavaEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	reg := e2e.StartRegistry(t)
	files := []e2e.TarEntry{
		{Path: "function/", Mode: 0o755},
		{Path: "function/runtime/", Mode: 0o755},
		{Path: "function/runtime/lib/", Mode: 0o755},
		{Path: "function/runtime/lib/libfnunixsocket.so", Mode: 0o644, Content: buildFnUnixSocket(t, ctx)},
	}
	jars := fetchJavaFDKRuntime(t, ctx)
	for _, jar := range jars {
		data, err := os.ReadFile(jar)
		require.NoError(t, err)
		files = append(files, e2e.TarEntry{Path: "function/runtime/" + filepath.Base(jar), Mode: 0o644, Content: data})
	}
	base := e2e.DebianBase(t, ctx, reg, "mirror/fnproject/fn-java-fdk:jre17-"+fnimage.JavaFDKVersion, e2e.DebianBaseOptions{
		Packages:   []string{"openjdk-17-jre-headless"},
		Arches:     []string{"amd64", "arm64"},
		Entrypoint: jreEntrypoint,
		Files:      files,
	})

	opts := []fnimage.Option{
		fnimage.WithPlatforms("linux/amd64", "linux/arm64"),
		fnimage.WithBaseImages(map[string]string{"fnproject/fn-java-fdk:jre17-" + fnimage.JavaFDKVersion: base.String()}),
		fnimage.WithAuth(reg.Host, reg.Username, reg.Password),
		fnimage.WithCacheDir(t.TempDir()),
	}
	b, err := fnimage.NewBuilder(opts...)
	require.NoError(t, err)
	start := time.Now()
	res, err := b.Build(ctx, "../../examples/hello-java")
	require.NoError(t, err)
	t.Logf("osa build (Maven, both platforms): %v", time.Since(start).Round(time.Millisecond))
	tag, err := res.Reference(reg.Host + "/fns")
	require.NoError(t, err)
	pub, err := fnimage.Publish(ctx, res, tag, opts...)
	require.NoError(t, err)
	require.Equal(t, []string{"linux/amd64", "linux/arm64"}, pub.Platforms)

	// What a registry client sees, independently of our code.
	cfg := e2e.ImageConfig(t, ctx, pub.Reference.String(), reg)
	require.Equal(t, "/function", cfg.Config.WorkingDir)
	require.Equal(t, jreEntrypoint, cfg.Config.Entrypoint, "the run image's entrypoint is kept")
	require.Equal(t, []string{"com.example.fn.HelloFunction::handleRequest"}, cfg.Config.Cmd)
	// The arm64 image: the base's FDK files and the two layers osa added (read
	// layer by layer: flattening the 120 MB JRE layer would take long).
	arm := e2e.RemoteImage(t, ctx, pub.Reference.String(), reg, "linux/arm64")
	layers, err := arm.Layers()
	require.NoError(t, err)
	require.Len(t, layers, 4, "the JRE, the FDK files, the dependencies, the function")
	want := [][]string{
		{"function/runtime/runtime-" + javaFDKMavenVersion + ".jar", "function/runtime/lib/libfnunixsocket.so"}, // the run image's FDK
		{"function/app/com.fnproject.fn.api-" + javaFDKMavenVersion + ".jar"},                                   // a dependency, named with its group id
		{"function/app/hello-1.0.0.jar"}, // the function
	}
	for i, l := range layers[1:] {
		files := tarHeaders(t, l)
		for _, f := range want[i] {
			require.Contains(t, files, f, "layer %d", i+1)
		}
		if i == 0 {
			continue
		}
		for f, h := range files {
			if h.Typeflag == tar.TypeReg {
				require.Equal(t, int64(0o644), h.Mode, "%s", f)
				require.Zero(t, h.Uid+h.Gid, "%s", f)
				require.True(t, strings.HasPrefix(f, "function/app/"), "%s is outside /function/app", f)
			}
		}
	}

	c := e2e.RunImage(t, ctx, pub.Reference.String(), reg, e2e.RunOptions{MemoryMB: 256, FnName: "hello-java", AppName: "examples"})
	defer c.Stop()

	t.Run("gateway call", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{
			Gateway: true, Method: http.MethodPost, URL: "/v1/hello",
			Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}},
			Body:   []byte(`{"name":"osa"}`),
		})
		require.NoError(t, err, "logs:\n%s", c.Logs())
		require.Equal(t, http.StatusOK, resp.Status)
		// The Java FDK sends Fn-Http-Status only when the function sets a
		// status; the gateway then answers 200.
		require.Contains(t, []int{0, http.StatusOK}, resp.HTTPStatus)
		require.Equal(t, "application/json", resp.RawHeader.Get("Content-Type"))
		require.True(t, strings.HasPrefix(resp.RawHeader.Get("Fn-Fdk-Version"), "fdk-java/"), "Fn-Fdk-Version %q", resp.RawHeader.Get("Fn-Fdk-Version"))
		var body map[string]string
		require.NoError(t, json.Unmarshal(resp.Body, &body), "body %q", resp.Body)
		require.Equal(t, map[string]string{"message": "Hello, osa!", "method": "POST", "url": "/v1/hello"}, body)
	})
	t.Run("direct invoke", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{Body: []byte(`{"name":"direct"}`), Header: http.Header{"Content-Type": {"application/json"}}})
		require.NoError(t, err, "logs:\n%s", c.Logs())
		require.Equal(t, http.StatusOK, resp.Status)
		require.JSONEq(t, `{"message":"Hello, direct!"}`, string(resp.Body))
	})
	t.Run("no name", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{Body: []byte(`{}`), Header: http.Header{"Content-Type": {"application/json"}}})
		require.NoError(t, err, "logs:\n%s", c.Logs())
		require.Equal(t, http.StatusOK, resp.Status)
		require.JSONEq(t, `{"message":"Hello, world!"}`, string(resp.Body))
	})
	t.Run("a body that is not JSON is a function error", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{Body: []byte(`{"name":`), Header: http.Header{"Content-Type": {"application/json"}}})
		require.NoError(t, err)
		require.Equal(t, http.StatusBadGateway, resp.Status, "the FDK answers 502 when it cannot bind the input")
	})
}

// tarHeaders returns the entries of a layer by path.
func tarHeaders(t *testing.T, l v1.Layer) map[string]*tar.Header {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	out := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out[strings.TrimSuffix(h.Name, "/")] = h
	}
}

// fetchJavaFDKRuntime returns the jars of the FDK runtime
// (com.fnproject.fn:runtime and its runtime dependencies), fetched from Maven
// Central with `mvn dependency:copy-dependencies` once and kept under
// e2e.BasesDir() (Maven's ~/.m2 keeps the downloads too).
func fetchJavaFDKRuntime(t *testing.T, ctx context.Context) []string {
	t.Helper()
	dir := filepath.Join(e2e.BasesDir(), "java-fdk-runtime-"+javaFDKMavenVersion)
	if jars, _ := filepath.Glob(filepath.Join(dir, "*.jar")); len(jars) > 0 {
		return jars
	}
	require.NoError(t, os.MkdirAll(filepath.Dir(dir), 0o755))
	work := t.TempDir()
	pom := `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>osa.e2e</groupId><artifactId>fdk-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>com.fnproject.fn</groupId><artifactId>runtime</artifactId><version>` + javaFDKMavenVersion + `</version></dependency>
  </dependencies>
</project>
`
	require.NoError(t, os.WriteFile(filepath.Join(work, "pom.xml"), []byte(pom), 0o644))
	staging, err := os.MkdirTemp(filepath.Dir(dir), ".java-fdk-")
	require.NoError(t, err)
	defer func() { _ = os.RemoveAll(staging) }()
	run(t, ctx, work, "mvn", "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory="+staging)
	if err := os.Rename(staging, dir); err != nil && !errors.Is(err, os.ErrExist) {
		if jars, _ := filepath.Glob(filepath.Join(dir, "*.jar")); len(jars) == 0 {
			t.Fatalf("keeping the FDK runtime jars in %s: %v", dir, err)
		}
	}
	jars, err := filepath.Glob(filepath.Join(dir, "*.jar"))
	require.NoError(t, err)
	require.NotEmpty(t, jars)
	return jars
}

// buildFnUnixSocket compiles testdata/java/fnunixsocket for the host (the
// architecture the test runs) against the JDK's JNI headers.
func buildFnUnixSocket(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	javaHome := os.Getenv("JAVA_HOME")
	if javaHome == "" {
		javac, err := exec.LookPath("javac")
		require.NoError(t, err, "a JDK is needed (fix: apt-get install openjdk-17-jdk-headless)")
		javac, err = filepath.EvalSymlinks(javac)
		require.NoError(t, err)
		javaHome = filepath.Dir(filepath.Dir(javac))
	}
	include := filepath.Join(javaHome, "include")
	_, err := os.Stat(filepath.Join(include, "jni.h"))
	require.NoError(t, err, "JNI headers (fix: install a JDK, not only a JRE, or set JAVA_HOME)")
	out := filepath.Join(t.TempDir(), "libfnunixsocket.so")
	src, err := filepath.Abs("testdata/java/fnunixsocket/fnunixsocket.c")
	require.NoError(t, err)
	run(t, ctx, t.TempDir(), "gcc", "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror",
		"-I"+include, "-I"+filepath.Join(include, "linux"), "-o", out, src)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	return data
}

func run(t *testing.T, ctx context.Context, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
}
