package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/stretchr/testify/require"
)

const (
	testUser     = "ns/alice"
	testPassword = "s3cret-registry-token"
)

// authRegistry is ggcr's in-process registry behind basic auth.
func authRegistry(t *testing.T) string {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := Main(context.Background(), args, strings.NewReader(""), &stdout, &stderr, getenv)
	return result{code, stdout.String(), stderr.String()}
}

func funcDir(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "gofunc")
	require.NoError(t, os.CopyFS(dst, os.DirFS("../../pkg/fnimage/testdata/gofunc")))
	return dst
}

func TestBuildJSONContract(t *testing.T) {
	t.Parallel()
	host := authRegistry(t)
	env := map[string]string{
		envRegistryUsername: testUser, envRegistryPassword: testPassword,
		envBaseImages: "fnproject/go:1.24=scratch",
	}
	layout := filepath.Join(t.TempDir(), "layout")
	r := run(t, env, "build", funcDir(t), "--registry", host+"/fns", "--platform", "linux/amd64,linux/arm64",
		"--tag", "2.0.0", "--oci-layout", layout, "--json")
	require.Equal(t, ExitOK, r.code, "stderr: %s", r.stderr)

	var out struct {
		Image     string   `json:"image"`
		Digest    string   `json:"digest"`
		Platforms []string `json:"platforms"`
		Layers    []struct {
			Digest   string `json:"digest"`
			Size     int64  `json:"size"`
			Uploaded bool   `json:"uploaded"`
		} `json:"layers"`
		Pushed    bool   `json:"pushed"`
		OCILayout string `json:"oci_layout"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&out), "stdout must be one JSON document: %q", r.stdout)
	require.False(t, dec.More(), "stdout holds more than one document")
	require.Equal(t, host+"/fns/gofunc:2.0.0@"+out.Digest, out.Image)
	require.True(t, strings.HasPrefix(out.Digest, "sha256:"))
	require.Equal(t, []string{"linux/amd64", "linux/arm64"}, out.Platforms)
	require.Len(t, out.Layers, 2, "one function layer per platform on scratch")
	for _, l := range out.Layers {
		require.True(t, l.Uploaded)
		require.Positive(t, l.Size)
	}
	require.True(t, out.Pushed)
	require.Equal(t, layout, out.OCILayout)
	require.FileExists(t, filepath.Join(layout, "index.json"))
	require.NotContains(t, r.stdout+r.stderr, testPassword)

	// The same build again uploads nothing.
	again := run(t, env, "build", funcDir(t), "--registry", host+"/fns", "--platform", "linux/arm64,linux/amd64", "--tag", "2.0.0", "--json")
	require.Equal(t, ExitOK, again.code, again.stderr)
	require.Contains(t, again.stdout, `"uploaded": false`)
	require.NotContains(t, again.stdout, `"uploaded": true`)
}

func TestBuildPlainOutput(t *testing.T) {
	t.Parallel()
	r := run(t, map[string]string{}, "build", funcDir(t), "--base-image", "fnproject/go:1.24=scratch")
	require.Equal(t, ExitOK, r.code, r.stderr)
	require.Regexp(t, `^gofunc:1\.2\.3@sha256:[0-9a-f]{64}\n$`, r.stdout)
	require.Contains(t, r.stderr, "not pushed")
}

func TestBuildExitStatuses(t *testing.T) {
	t.Parallel()
	host := authRegistry(t)
	badYAML := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(badYAML, "func.yaml"),
		[]byte("schema_version: 20180708\nname: f\nruntime: pyhton3.11\nmemory: 100\n"), 0o644))
	scratch := map[string]string{envBaseImages: "fnproject/go:1.24=scratch"}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		inStderr []string
	}{
		{name: "no directory", args: []string{"build"}, code: ExitUsage, inStderr: []string{"expected one function directory"}},
		{name: "unknown flag", args: []string{"build", ".", "--nope"}, code: ExitUsage, inStderr: []string{"unknown flag"}},
		{name: "bad platform", args: []string{"build", ".", "--platform", "linux/s390x"}, code: ExitUsage, inStderr: []string{"GENERIC_X86"}},
		{name: "bad base mapping", env: map[string]string{envBaseImages: "nonsense"}, args: []string{"build", "."}, code: ExitUsage, inStderr: []string{"FROM=TO"}},
		{name: "bad SOURCE_DATE_EPOCH", env: map[string]string{envSourceDateEpoch: "yesterday"}, args: []string{"build", "."}, code: ExitUsage, inStderr: []string{"SOURCE_DATE_EPOCH"}},
		{name: "half the credentials", env: map[string]string{envRegistryUsername: "ns/u"}, args: []string{"build", ".", "--registry", "r.example.com/x"}, code: ExitUsage, inStderr: []string{envRegistryPassword}},
		{name: "OCIR username without namespace", env: map[string]string{envRegistryUsername: "alice", envRegistryPassword: testPassword}, args: []string{"build", ".", "--registry", "iad.ocir.io/ns"}, code: ExitUsage, inStderr: []string{"tenancy namespace"}},
		{name: "invalid func.yaml", args: []string{"build", badYAML}, code: ExitUsage, inStderr: []string{"func.yaml:3:", "pyhton3.11", "func.yaml:4:", "entrypoint"}},
		{name: "missing func.yaml", args: []string{"build", t.TempDir()}, code: ExitUsage, inStderr: []string{"func.yaml"}},
		{name: "wrong credentials", env: map[string]string{envRegistryUsername: testUser, envRegistryPassword: "wrong-" + testPassword, envBaseImages: "fnproject/go:1.24=scratch"},
			args: []string{"build", "FUNC", "--registry", host + "/fns"}, code: ExitFailure, inStderr: []string{"401", "docker login"}},
		{name: "no credentials", env: scratch, args: []string{"build", "FUNC", "--registry", host + "/fns"}, code: ExitFailure, inStderr: []string{"OSA_REGISTRY_USERNAME"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for i, a := range tc.args {
				if a == "FUNC" {
					tc.args[i] = funcDir(t)
				}
			}
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			r := run(t, env, tc.args...)
			require.Equal(t, tc.code, r.code, "stderr: %s", r.stderr)
			for _, s := range tc.inStderr {
				require.Contains(t, r.stderr, s)
			}
			require.NotContains(t, r.stdout+r.stderr, testPassword)

			// With --json, failures are one JSON document too.
			rj := run(t, env, append(tc.args, "--json")...)
			var doc struct {
				Error struct {
					Message  string `json:"message"`
					ExitCode int    `json:"exit_code"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal([]byte(rj.stdout), &doc), "stdout: %q", rj.stdout)
			require.Equal(t, tc.code, doc.Error.ExitCode)
			require.NotEmpty(t, doc.Error.Message)
		})
	}
}

func TestInvalidFuncYAMLProblemsInJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "func.yaml"),
		[]byte("schema_version: 20180708\nname: f\nversion: 0.0.1\nruntime: go1.24\nentrypoint: ./func\nmemory: 100\n"), 0o644))
	r := run(t, nil, "build", dir, "--json")
	require.Equal(t, ExitUsage, r.code)
	var doc struct {
		Error struct {
			Problems []struct {
				File   string `json:"file"`
				Line   int    `json:"line"`
				Column int    `json:"column"`
				Field  string `json:"field"`
				Fix    string `json:"fix"`
			} `json:"problems"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	require.Len(t, doc.Error.Problems, 1)
	p := doc.Error.Problems[0]
	require.Equal(t, "memory", p.Field)
	require.Equal(t, 6, p.Line)
	require.Equal(t, 9, p.Column)
	require.Contains(t, p.Fix, "256")
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := run(t, nil, "version", "--json")
	require.Equal(t, ExitOK, r.code)
	var doc map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	require.NotEmpty(t, doc["version"])
}

func TestCacheDir(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"OSA_CACHE_DIR": "/c"}, "/c"},
		{map[string]string{"OSA_CACHE_DIR": "off", "HOME": "/h"}, ""},
		{map[string]string{"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/osa/layers"},
		{map[string]string{"HOME": "/h"}, "/h/.cache/osa/layers"},
		{map[string]string{}, ""},
	} {
		if got := cacheDir(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("cacheDir(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}
