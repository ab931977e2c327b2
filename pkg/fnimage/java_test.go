package fnimage

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
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

// javaRunImage is the run image func.yaml of testdata/java/hello names.
const javaRunImage = "fnproject/fn-java-fdk:jre17-1.1.12"

// jre17Entrypoint is the ENTRYPOINT of fnproject/fn-java-fdk:jre17, as fn
// restates it (fn-contract.md §1.6).
var jre17Entrypoint = []string{"/usr/local/openjdk-17/bin/java", "-XX:-UsePerfData", "-XX:+UseSerialGC", "-Xshare:auto",
	"-Djava.awt.headless=true", "-Djava.library.path=/function/runtime/lib",
	"-cp", "/function/app/*:/function/runtime/*:/function/app:/function/app/resources", "com.fnproject.fn.runtime.EntryPoint"}

// pushJavaBase pushes a stand-in for fnproject/fn-java-fdk:jre17 to host:
// an OCI index of the given platforms whose config has the FDK's
// entrypoint, a Cmd that the function's must replace, Env and User.
func pushJavaBase(t *testing.T, host string, platforms ...v1.Platform) string {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
		img, err := mutate.Append(img, mutate.Addendum{Layer: baseLayer(t, types.OCILayer), MediaType: types.OCILayer,
			History: v1.History{CreatedBy: "base layer"}})
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
		cf.Config = v1.Config{
			Env:        []string{"PATH=/usr/local/openjdk-17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"},
			User:       "fn",
			Entrypoint: jre17Entrypoint,
			Cmd:        []string{"com.example.base.Placeholder::run"},
		}
		img, err = mutate.ConfigFile(img, cf)
		require.NoError(t, err)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	ref := host + "/" + javaRunImage
	tag, err := name.NewTag(ref)
	require.NoError(t, err)
	require.NoError(t, remote.WriteIndex(tag, idx))
	return ref
}

// copyJavaFunc copies testdata/java/hello to a new directory and returns it.
func copyJavaFunc(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "hello-java")
	require.NoError(t, os.CopyFS(dst, os.DirFS("testdata/java/hello")))
	return dst
}

// javaTestBuilder returns a Builder for testdata/java/hello's run image
// mapped to base, whose warnings and progress are recorded.
type javaTestBuilder struct {
	*Builder
	logs *bytes.Buffer // slog's handler serialises its writes

	mu       sync.Mutex
	progress []Progress
}

func newJavaBuilder(t *testing.T, base string, opts ...Option) *javaTestBuilder {
	t.Helper()
	jb := &javaTestBuilder{logs: &bytes.Buffer{}}
	all := append([]Option{
		WithBaseImages(map[string]string{javaRunImage: base}),
		WithLogger(slog.New(slog.NewTextHandler(jb.logs, nil))),
		WithProgress(func(p Progress) {
			jb.mu.Lock()
			defer jb.mu.Unlock()
			jb.progress = append(jb.progress, p)
		}),
	}, opts...)
	b, err := NewBuilder(all...)
	require.NoError(t, err)
	jb.Builder = b
	return jb
}

// messages returns the progress messages of one stage.
func (jb *javaTestBuilder) messages(stage Stage) []string {
	jb.mu.Lock()
	defer jb.mu.Unlock()
	var out []string
	for _, p := range jb.progress {
		if p.Stage == stage {
			out = append(out, p.Message)
		}
	}
	return out
}

// imageLayers returns the layers of img that the build added to the base.
func imageLayers(t *testing.T, img v1.Image, base int) []v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	require.NoError(t, err)
	return ls[base:]
}

func TestBuildJavaMatchesFnContract(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushJavaBase(t, host, amd64, arm64)
	jb := newJavaBuilder(t, base, WithPlatforms("linux/amd64", "linux/arm64"))
	res, err := jb.Build(context.Background(), copyJavaFunc(t))
	require.NoError(t, err)
	require.NoError(t, validate.Index(res.Index))
	imgs, err := res.Images()
	require.NoError(t, err)
	require.Len(t, imgs, 2)

	t.Run("config", func(t *testing.T) {
		var want struct {
			WorkingDir string
			Entrypoint []string
			Cmd        []string
			Env        []string
			User       string
		}
		data, err := os.ReadFile("testdata/java/golden-config.json")
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &want))
		for _, img := range imgs {
			cf, err := img.ConfigFile()
			require.NoError(t, err)
			c := cf.Config
			got := want
			got.WorkingDir, got.Entrypoint, got.Cmd, got.Env, got.User = c.WorkingDir, c.Entrypoint, c.Cmd, c.Env, c.User
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s image config (-want +got):\n%s", cf.Architecture, diff)
			}
			require.Len(t, cf.History, 3, "the base's entry, then the dependencies and the function")
		}
	})
	t.Run("files", func(t *testing.T) {
		var got []string
		for i, l := range imageLayers(t, imgs[0], 1) {
			for _, f := range layerFiles(t, l) {
				got = append(got, []string{"dependencies", "function"}[i]+" "+f)
			}
		}
		if diff := cmp.Diff(readGoldenLines(t, "testdata/java/golden-files.txt"), got); diff != "" {
			t.Errorf("added layers (-want +got):\n%s", diff)
		}
	})
	t.Run("bytecode is shared by the platforms", func(t *testing.T) {
		a, b := imageLayers(t, imgs[0], 1), imageLayers(t, imgs[1], 1)
		for i := range a {
			da, err := a[i].Digest()
			require.NoError(t, err)
			db, err := b[i].Digest()
			require.NoError(t, err)
			require.Equal(t, da, db, "layer %d differs between amd64 and arm64", i)
		}
		require.Len(t, jb.messages(StageCompile), 1, "Maven runs once for both platforms: %q", jb.messages(StageCompile))
	})
	t.Run("the function jar", func(t *testing.T) {
		jar := fileFromLayer(t, imageLayers(t, imgs[0], 1)[1], "function/app/hello-1.0.0.jar")
		zr, err := zip.NewReader(bytes.NewReader(jar), int64(len(jar)))
		require.NoError(t, err)
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
			require.True(t, f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)), "time of %s: %v", f.Name, f.Modified)
		}
		require.Equal(t, []string{"META-INF/", "META-INF/MANIFEST.MF"}, names[:2], "the manifest comes first")
		require.Contains(t, names, "com/example/fn/HelloFunction.class")
		require.Contains(t, names, "META-INF/maven/com.example.fn/hello/pom.xml")
		require.True(t, slicesSorted(names[2:]), "entries after the manifest are sorted: %q", names)
		manifest := readZipEntry(t, zr, "META-INF/MANIFEST.MF")
		require.NotContains(t, manifest, "Built-By", "the manifest names no user")
		require.Contains(t, manifest, "Manifest-Version: 1.0")
		require.NotContains(t, readZipEntry(t, zr, "META-INF/maven/com.example.fn/hello/pom.properties"), "#", "no build date")
		class := []byte(readZipEntry(t, zr, "com/example/fn/HelloFunction.class"))
		require.Equal(t, uint16(61), binary.BigEndian.Uint16(class[6:8]), "compiled for Java 17 (class file version 61)")
	})
	require.Empty(t, jb.logs.String(), "no warnings")
}

func slicesSorted(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

func readZipEntry(t *testing.T, zr *zip.Reader, name string) string {
	t.Helper()
	rc, err := zr.Open(name)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(data)
}

func TestBuildJavaIsReproducible(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushJavaBase(t, host, amd64, arm64)
	first, second := copyJavaFunc(t), copyJavaFunc(t)
	when := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	require.NoError(t, filepath.WalkDir(second, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, when, when)
	}))
	require.NoError(t, os.Chmod(filepath.Join(second, "pom.xml"), 0o600))
	build := func(dir string) *Result {
		res, err := newJavaBuilder(t, base, WithPlatforms("linux/amd64", "linux/arm64")).Build(context.Background(), dir)
		require.NoError(t, err)
		return res
	}
	r1, r2 := build(first), build(second)
	d1, err := r1.Digest()
	require.NoError(t, err)
	d2, err := r2.Digest()
	require.NoError(t, err)
	require.Equal(t, d1, d2, "two copies of the same function with different file times")

	t.Run("no host paths", func(t *testing.T) {
		home, _ := os.UserHomeDir()
		wd, _ := os.Getwd()
		forbidden := []string{first, filepath.Dir(first), wd, os.TempDir() + "/", "osa-build-", "/root/", ".m2"}
		if home != "" && home != "/" {
			forbidden = append(forbidden, home)
		}
		imgs, err := r1.Images()
		require.NoError(t, err)
		for _, img := range imgs {
			cfg, err := img.RawConfigFile()
			require.NoError(t, err)
			blobs := map[string][]byte{"config": cfg}
			for i, l := range imageLayers(t, img, 1) {
				for name, data := range layerContents(t, l) {
					blobs[name] = data
					if strings.HasSuffix(name, ".jar") && i == 1 {
						for entry, content := range jarContents(t, data) {
							blobs[name+"!"+entry] = content
						}
					}
				}
			}
			for what, data := range blobs {
				for _, s := range forbidden {
					if bytes.Contains(data, []byte(s)) {
						t.Errorf("%s contains the host path %q", what, s)
					}
				}
			}
		}
	})
}

// layerContents returns the regular files of a layer by path.
func layerContents(t *testing.T, l v1.Layer) map[string][]byte {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		out[h.Name] = data
	}
}

// jarContents returns the entries of a jar by name, uncompressed.
func jarContents(t *testing.T, jar []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(jar), int64(len(jar)))
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			out[f.Name] = []byte(readZipEntry(t, zr, f.Name))
		}
	}
	return out
}

func TestBuildJavaSourceOnlyRebuild(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushJavaBase(t, host, amd64, arm64)
	cache := t.TempDir()
	dir := copyJavaFunc(t)
	build := func() (*javaTestBuilder, []v1.Layer) {
		jb := newJavaBuilder(t, base, WithPlatforms("linux/amd64", "linux/arm64"), WithCacheDir(cache))
		res, err := jb.Build(context.Background(), dir)
		require.NoError(t, err)
		imgs, err := res.Images()
		require.NoError(t, err)
		return jb, append(imageLayers(t, imgs[0], 1), imageLayers(t, imgs[1], 1)...)
	}
	first, before := build()
	require.Equal(t, []string{"mvn package dependency:copy-dependencies -DskipTests"}, first.messages(StageCompile))

	src := filepath.Join(dir, "src/main/java/com/example/fn/HelloFunction.java")
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(src, bytes.Replace(data, []byte(`"Hello, "`), []byte(`"Hi, "`), 1), 0o644))

	second, after := build()
	require.Equal(t, []string{"mvn package -DskipTests"}, second.messages(StageCompile), "dependencies are not copied again")
	cached := 0
	for _, m := range second.messages(StageLayer) {
		if strings.HasPrefix(m, "cached: ") && strings.Contains(m, "copy-dependencies") {
			cached++
		}
	}
	require.Equal(t, 2, cached, "the dependency layer comes from the cache for both platforms: %q", second.messages(StageLayer))
	for i := range before {
		db, err := before[i].Digest()
		require.NoError(t, err)
		da, err := after[i].Digest()
		require.NoError(t, err)
		if i%2 == 0 {
			require.Equal(t, db, da, "the dependency layer is reused")
		} else {
			require.NotEqual(t, db, da, "the function layer changes with the source")
		}
	}
}

// fixturePOM returns testdata/java/hello/pom.xml with each old string of
// the pairs replaced by the new one.
func fixturePOM(t *testing.T, oldNew ...string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/java/hello/pom.xml")
	require.NoError(t, err)
	s := string(data)
	for i := 0; i < len(oldNew); i += 2 {
		require.Contains(t, s, oldNew[i])
		s = strings.Replace(s, oldNew[i], oldNew[i+1], 1)
	}
	return s
}

const javaRelease17 = "<maven.compiler.release>17</maven.compiler.release>"

func TestBuildJavaBadInput(t *testing.T) {
	t.Parallel()
	const source = "src/main/java/com/example/fn/HelloFunction.java"
	const fullBuild = "mvn package dependency:copy-dependencies"
	buildError := func(step string, output, fix []string) func(*testing.T, error, string) {
		return func(t *testing.T, err error, _ string) {
			var be *BuildError
			require.ErrorAs(t, err, &be)
			require.Equal(t, step, be.Step)
			for _, s := range output {
				require.Contains(t, be.Output, s)
			}
			for _, s := range fix {
				require.Contains(t, be.Fix, s)
			}
			for _, noise := range []string{"[Help 1]", "Re-run Maven", "full stack trace", "osa-build-", "[INFO]"} {
				require.NotContains(t, be.Output, noise)
			}
		}
	}
	contextError := func(path, problem string) func(*testing.T, error, string) {
		return func(t *testing.T, err error, _ string) {
			var ce *ContextError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, path, filepath.Base(ce.Path))
			require.Contains(t, ce.Problem, problem)
			require.NotEmpty(t, ce.Fix)
		}
	}
	for _, tc := range []struct {
		name  string
		edit  map[string]string // relative path -> new content; "" deletes the file
		check func(t *testing.T, err error, logs string)
	}{
		{
			name:  "missing pom.xml",
			edit:  map[string]string{"pom.xml": ""},
			check: contextError("pom.xml", "missing"),
		},
		{
			name:  "pom.xml excluded by .dockerignore",
			edit:  map[string]string{".dockerignore": "*.xml\n"},
			check: contextError("pom.xml", "excluded by .dockerignore"),
		},
		{
			name:  "no sources",
			edit:  map[string]string{".dockerignore": "src\n"},
			check: contextError("src", "missing"),
		},
		{
			name:  "pom.xml is not XML",
			edit:  map[string]string{"pom.xml": "<project><modelVersion>4.0.0</modelVersion>\n<groupId>x</groupId><artifactId>y\n"},
			check: buildError(fullBuild, []string{"Non-readable POM", "hello-java/pom.xml", "@3:1"}, []string{"fix pom.xml"}),
		},
		{
			name: "compile error",
			edit: map[string]string{source: "package com.example.fn;\n\npublic class HelloFunction {\n    public String handleRequest(String in) {\n        return undefinedName;\n    }\n}\n"},
			check: func(t *testing.T, err error, logs string) {
				buildError(fullBuild, []string{"Compilation failure", "HelloFunction.java:[5,16] cannot find symbol", "symbol:   variable undefinedName"}, []string{"compile errors"})(t, err, logs)
				var be *BuildError
				require.ErrorAs(t, err, &be)
				require.Contains(t, be.Output, filepath.FromSlash("/hello-java/src/main/java/com/example/fn/HelloFunction.java"),
					"the error names the function's own file")
			},
		},
		{
			name:  "unknown dependency",
			edit:  map[string]string{"pom.xml": fixturePOM(t, "<artifactId>api</artifactId>", "<artifactId>osa-no-such-artifact</artifactId>")},
			check: buildError(fullBuild, []string{"com.fnproject.fn:osa-no-such-artifact:jar:1.0.212"}, []string{"coordinates"}),
		},
		{
			name: "Java newer than the build machine's JDK and the runtime",
			edit: map[string]string{"pom.xml": fixturePOM(t, javaRelease17, "<maven.compiler.release>99</maven.compiler.release>")},
			check: func(t *testing.T, err error, logs string) {
				buildError(fullBuild, []string{"99"}, []string{"JAVA_HOME", "Java 99"})(t, err, logs)
				require.Contains(t, logs, "pom.xml compiles for Java 99 (maven.compiler.release=99), but runtime java17 runs Java 17")
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyJavaFunc(t)
			for rel, content := range tc.edit {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if content == "" {
					require.NoError(t, os.Remove(p))
					continue
				}
				require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
			}
			jb := newJavaBuilder(t, scratch)
			_, err := jb.Build(context.Background(), dir)
			require.Error(t, err)
			tc.check(t, err, jb.logs.String())
		})
	}
}

// javaFuncYAML is a func.yaml for testdata/java/hello with another runtime
// and cmd, and fn's default images.
func javaFuncYAML(runtime, cmd string) string {
	return "schema_version: 20180708\nname: hello-java\nversion: 0.0.1\nruntime: " + runtime + "\ncmd: " + cmd + "\n"
}

func TestBuildJavaWarnings(t *testing.T) {
	t.Parallel()
	const handler = "com.example.fn.HelloFunction::handleRequest"
	for _, tc := range []struct {
		name, runtime, cmd, pom, want string
	}{
		{
			name:    "the pom's release is newer than the runtime's Java",
			runtime: "java8", cmd: handler,
			pom:  fixturePOM(t, javaRelease17, "<maven.compiler.release>11</maven.compiler.release>"),
			want: "pom.xml compiles for Java 11 (maven.compiler.release=11), but runtime java8 runs Java 8: the function would fail at start with UnsupportedClassVersionError",
		},
		{
			name:    "the classes are, where the pom's setting is out of sight",
			runtime: "java8", cmd: handler,
			pom: fixturePOM(t, javaRelease17, "", "</project>", "<profiles><profile><id>java11</id>"+
				"<activation><activeByDefault>true</activeByDefault></activation>"+
				"<properties><maven.compiler.release>11</maven.compiler.release></properties></profile></profiles></project>"),
			want: "hello-1.0.0.jar holds classes for Java 11 (class file version 55), but runtime java8 runs Java 8: the function would fail at start with UnsupportedClassVersionError",
		},
		{
			name:    "cmd names a class no jar holds",
			runtime: "java17", cmd: "com.example.fn.GoodbyeFunction::handleRequest",
			pom:  fixturePOM(t),
			want: "func.yaml's cmd names class com.example.fn.GoodbyeFunction, which is in none of the function's jars and dependencies",
		},
		{
			name:    "cmd is not Class::method",
			runtime: "java17", cmd: "com.example.fn.HelloFunction.handleRequest",
			pom:  fixturePOM(t),
			want: "func.yaml's cmd should name the function as Class::method",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyJavaFunc(t)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "pom.xml"), []byte(tc.pom), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "func.yaml"), []byte(javaFuncYAML(tc.runtime, tc.cmd)), 0o644))
			rt, err := ParseRuntime(tc.runtime)
			require.NoError(t, err)
			var logs bytes.Buffer
			b, err := NewBuilder(WithBaseImages(map[string]string{rt.DefaultRunImage(): scratch}),
				WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), WithPlatforms("linux/amd64", "linux/arm64"))
			require.NoError(t, err)
			_, err = b.Build(context.Background(), dir)
			require.NoError(t, err, "a warning, not an error: the run image may be a custom one")
			require.Contains(t, logs.String(), tc.want)
			require.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), "one warning for both platforms: %s", logs.String())
		})
	}
}

func TestJavaBuildIsSharedByPlatforms(t *testing.T) {
	t.Parallel()
	dir := copyJavaFunc(t)
	o, err := makeOptions()
	require.NoError(t, err)
	fn, err := LoadFuncFile(dir)
	require.NoError(t, err)
	files, err := ReadContext(dir)
	require.NoError(t, err)
	tmp := t.TempDir()
	j := &job{o: o, dir: dir, fn: fn, runtime: fn.ParsedRuntime(), files: files, tmp: tmp}

	// layers is called once per platform, possibly at the same time.
	builds := make([]*javaBuild, 4)
	var wg sync.WaitGroup
	for i := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := javaBuildFor(context.Background(), j)
			require.NoError(t, err)
			builds[i] = b
		}()
	}
	wg.Wait()
	for _, b := range builds[1:] {
		require.Same(t, builds[0], b, "one Maven build per job")
	}
	require.FileExists(t, filepath.Join(tmp, "java", "project", "pom.xml"), "the project is copied to the job's scratch space")
	require.NoFileExists(t, filepath.Join(tmp, "java", "project", "func.yaml"), "only pom.xml and src/, as fn's Dockerfile adds")
}
