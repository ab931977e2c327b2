package fnimage

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ocilayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/stretchr/testify/require"
)

var fastRetry = withRetry(remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 2})

func buildAndPublish(t *testing.T, b *Builder, dir, host string, opts ...Option) *Published {
	t.Helper()
	res, err := b.Build(context.Background(), dir)
	require.NoError(t, err)
	tag, err := res.Reference(host + "/fns")
	require.NoError(t, err)
	pub, err := Publish(context.Background(), res, tag, opts...)
	require.NoError(t, err)
	return pub
}

func uploaded(pub *Published) (n int) {
	for _, l := range pub.Layers {
		if l.Uploaded {
			n++
		}
	}
	return n
}

func TestPublishUploadsOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushBase(t, host, "fnproject/go:1.24", true, amd64)
	b := newTestBuilder(t, base)
	dir := copyFunc(t)

	first := buildAndPublish(t, b, dir, host)
	require.Equal(t, host+"/fns/gofunc:1.2.3", first.Tag.String())
	require.Equal(t, first.Tag.String()+"@"+first.Digest.String(), first.String())
	require.Len(t, first.Layers, 2)
	require.False(t, first.Layers[0].Uploaded, "the base layer is already in the registry")
	require.True(t, first.Layers[1].Uploaded, "the function layer is new")

	// The pushed tag resolves to the reported digest.
	desc, err := remote.Head(first.Tag)
	require.NoError(t, err)
	require.Equal(t, first.Digest, desc.Digest)

	again := buildAndPublish(t, b, dir, host)
	require.Equal(t, first.Digest, again.Digest)
	require.Zero(t, uploaded(again), "nothing changed, nothing uploaded: %+v", again.Layers)

	main := filepath.Join(dir, "main.go")
	src, err := os.ReadFile(main)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(main, []byte(strings.Replace(string(src), `"hello"`, `"hello again"`, 1)), 0o644))
	changed := buildAndPublish(t, b, dir, host)
	require.NotEqual(t, first.Digest, changed.Digest)
	require.Equal(t, 1, uploaded(changed), "only the function layer: %+v", changed.Layers)
	require.True(t, changed.Layers[1].Uploaded)
}

func TestPublishFailureLeavesNoTag(t *testing.T) {
	t.Parallel()
	failUploads := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/fns/") && strings.Contains(r.URL.Path, "/blobs/uploads/") && r.Method != http.MethodPost {
				http.Error(w, "disk full", http.StatusInsufficientStorage)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	host := newRegistry(t, failUploads)
	base := pushBase(t, host, "fnproject/go:1.24", true, amd64)
	res, err := newTestBuilder(t, base).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	tag, err := res.Reference(host + "/fns")
	require.NoError(t, err)
	_, err = Publish(context.Background(), res, tag, fastRetry)
	var re *RegistryError
	require.ErrorAs(t, err, &re)
	require.Equal(t, "pushing", re.Op)
	_, err = remote.Head(tag)
	require.Error(t, err, "the tag must not exist after a failed push")
}

func TestPublishNeedsCredentials(t *testing.T) {
	t.Parallel()
	basicAuth := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "ns/alice" || p != "tok3n" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	host := newRegistry(t, basicAuth)
	res, err := newTestBuilder(t, scratch).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	tag, err := res.Reference(host + "/fns")
	require.NoError(t, err)

	_, err = Publish(context.Background(), res, tag, fastRetry)
	var re *RegistryError
	require.ErrorAs(t, err, &re)
	require.Equal(t, http.StatusUnauthorized, re.StatusCode)
	require.Contains(t, re.Fix, "docker login "+host)
	require.NotContains(t, err.Error(), "tok3n")

	pub, err := Publish(context.Background(), res, tag, WithAuth(host, "ns/alice", "tok3n"))
	require.NoError(t, err)
	require.Equal(t, 1, uploaded(pub))
}

func TestPublishUnreachableRegistry(t *testing.T) {
	t.Parallel()
	res, err := newTestBuilder(t, scratch).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	tag, err := res.Reference("127.0.0.1:1/fns")
	require.NoError(t, err)
	_, err = Publish(context.Background(), res, tag, fastRetry)
	var re *RegistryError
	require.ErrorAs(t, err, &re)
	require.Contains(t, re.Fix, "unreachable")
}

func TestReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, fn, registry, want, wantErr string
	}{
		{name: "prefix", fn: "hello", registry: "iad.ocir.io/ns/fns", want: "iad.ocir.io/ns/fns/hello:0.0.1"},
		{name: "trailing slash", fn: "hello", registry: "iad.ocir.io/ns/", want: "iad.ocir.io/ns/hello:0.0.1"},
		{name: "name is a full repository", fn: "localhost:5000/x/hello", registry: "", want: "localhost:5000/x/hello:0.0.1"},
		{name: "no registry", fn: "hello", wantErr: "no registry"},
		{name: "upper case registry", fn: "hello", registry: "iad.ocir.io/NS", wantErr: "lower case"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &Result{Func: &FuncFile{Name: tc.fn}, Tag: "0.0.1"}
			got, err := r.Reference(tc.registry)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got.String())
		})
	}
}

func TestBaseImageProblems(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	amdOnly := pushBase(t, host, "fnproject/go:amd64-only", true, amd64)
	dir := copyFunc(t)

	t.Run("platform missing", func(t *testing.T) {
		t.Parallel()
		_, err := newTestBuilder(t, amdOnly, WithPlatforms("linux/amd64,linux/arm64")).Build(context.Background(), dir)
		var be *BaseImageError
		require.ErrorAs(t, err, &be)
		require.Equal(t, "linux/arm64", be.Platform)
		require.Equal(t, []string{"linux/amd64"}, be.Available)
		require.Contains(t, be.Error(), "fnproject/go:1.24 (mapped to "+amdOnly+") has no linux/arm64 image (it has linux/amd64)")
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		_, err := newTestBuilder(t, "127.0.0.1:1/fnproject/go:1.24", fastRetry).Build(context.Background(), dir)
		var be *BaseImageError
		require.ErrorAs(t, err, &be)
		require.Contains(t, be.Fix, "--base-image fnproject/go:1.24=")
	})
	t.Run("tag missing", func(t *testing.T) {
		t.Parallel()
		_, err := newTestBuilder(t, host+"/fnproject/go:nope").Build(context.Background(), dir)
		var be *BaseImageError
		require.ErrorAs(t, err, &be)
	})
}

func TestBuildRefusesWhatItCannotBuild(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, funcYAML string, files map[string]string) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "func.yaml"), []byte(funcYAML), 0o644))
		for name, content := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
		}
		return dir
	}
	const goYAML = "schema_version: 20180708\nname: f\nversion: 0.0.1\nruntime: go1.24\nentrypoint: ./func\n"
	for _, tc := range []struct {
		name   string
		dir    func(t *testing.T) string
		target any
		want   string
	}{
		{
			name: "runtime docker",
			dir: func(t *testing.T) string {
				return write(t, "schema_version: 20180708\nname: f\nversion: 0.0.1\nruntime: docker\n", nil)
			},
			target: new(*UnsupportedError),
			want:   "deploy it by reference",
		},
		{
			name: "no go.mod",
			dir: func(t *testing.T) string {
				return write(t, goYAML, map[string]string{"main.go": "package main\nfunc main(){}\n"})
			},
			target: new(*ContextError),
			want:   "go mod init",
		},
		{
			name: "go.mod excluded",
			dir: func(t *testing.T) string {
				return write(t, goYAML, map[string]string{"go.mod": "module func\n", "main.go": "package main\nfunc main(){}\n", ".dockerignore": "go.*\n"})
			},
			target: new(*ContextError),
			want:   ".dockerignore",
		},
		{
			name: "symlink escaping the function directory",
			dir: func(t *testing.T) string {
				dir := write(t, goYAML, map[string]string{"go.mod": "module func\n", "main.go": "package main\nfunc main(){}\n"})
				require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")))
				return dir
			},
			target: new(*ContextError),
			want:   "passwd",
		},
		{
			name: "compile error",
			dir: func(t *testing.T) string {
				return write(t, goYAML, map[string]string{"go.mod": "module func\n", "main.go": "package main\nfunc main(){ undefinedThing() }\n"})
			},
			target: new(*BuildError),
			want:   "undefinedThing",
		},
		{
			name: "invalid func.yaml",
			dir: func(t *testing.T) string {
				return write(t, "schema_version: 20180708\nname: f\nruntime: go1.24\n", nil)
			},
			target: new(*InvalidInputError),
			want:   "entrypoint",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := newTestBuilder(t, scratch).Build(context.Background(), tc.dir(t))
			require.Error(t, err)
			require.ErrorAs(t, err, tc.target)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestWriteLayout(t *testing.T) {
	t.Parallel()
	res, err := newTestBuilder(t, scratch, WithPlatforms("linux/amd64,linux/arm64")).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "layout")
	require.NoError(t, WriteLayout(dir, res, "gofunc:1.2.3"))
	require.NoError(t, WriteLayout(dir, res, "gofunc:1.2.3"), "writing again replaces")
	p, err := ocilayout.FromPath(dir)
	require.NoError(t, err)
	idx, err := p.ImageIndex()
	require.NoError(t, err)
	im, err := idx.IndexManifest()
	require.NoError(t, err)
	require.Len(t, im.Manifests, 1)
	want, err := res.Digest()
	require.NoError(t, err)
	require.Equal(t, want, im.Manifests[0].Digest)
	require.Equal(t, "gofunc:1.2.3", im.Manifests[0].Annotations["org.opencontainers.image.ref.name"])
}

func TestOCIRUsernames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host, user string
		ok         bool
	}{
		{"iad.ocir.io", "ns/jdoe@acme.com", true},
		{"iad.ocir.io", "jdoe@acme.com", false},
		{"ocir.us-ashburn-1.oci.oraclecloud.com", "ns/oracleidentitycloudservice/jdoe", true},
		{"ocir.us-ashburn-1.oci.oraclecloud.com", "jdoe", false},
		{"artifacts.eu-frankfurt-1.oci.oraclecloud.com:443", "jdoe", false},
		{"registry.example.com", "jdoe", true},
	} {
		err := checkOCIRUsername(tc.host, tc.user)
		if (err == nil) != tc.ok {
			t.Errorf("checkOCIRUsername(%q, %q) = %v, want ok=%v", tc.host, tc.user, err, tc.ok)
		}
	}
}

// TestPublishUsesDockerCredentialHelpers runs a real credential helper
// program named by a Docker config file, as `docker login` users have them.
// It changes the process environment, so it does not run in parallel.
func TestPublishUsesDockerCredentialHelpers(t *testing.T) {
	basicAuth := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "ns/helper-user" || p != "helper-token" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	host := newRegistry(t, basicAuth)
	bin, cfg := t.TempDir(), t.TempDir()
	helper := "#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = \"" + host + "\" ] || exit 1\n" +
		`echo '{"ServerURL":"'"$server"'","Username":"ns/helper-user","Secret":"helper-token"}'` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker-credential-osatest"), []byte(helper), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"credHelpers":{"`+host+`":"osatest"}}`), 0o600))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_CONFIG", cfg)

	res, err := newTestBuilder(t, scratch).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	tag, err := res.Reference(host + "/fns")
	require.NoError(t, err)
	pub, err := Publish(context.Background(), res, tag)
	require.NoError(t, err)
	require.Equal(t, 1, uploaded(pub))
}

func TestPublishReportsProgress(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	res, err := newTestBuilder(t, scratch).Build(context.Background(), copyFunc(t))
	require.NoError(t, err)
	tag, err := res.Reference(host + "/fns")
	require.NoError(t, err)
	var mu sync.Mutex
	var events []Progress
	_, err = Publish(context.Background(), res, tag, WithProgress(func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, p)
	}))
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	var last Progress
	for _, e := range events {
		if e.Stage == StagePush {
			require.LessOrEqual(t, e.Done, e.Total)
			require.GreaterOrEqual(t, e.Done, last.Done, "monotonic")
			last = e
		}
	}
	layers, err := res.Layers()
	require.NoError(t, err)
	require.Greater(t, last.Done, layers[0].Size, "the function layer and the config were sent")
	require.Equal(t, last.Total, last.Done, "an empty registry gets every blob")
	require.Equal(t, StageDone, events[len(events)-1].Stage)
}
