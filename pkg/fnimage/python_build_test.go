package fnimage

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/require"
)

// pyWheel is a wheel the tests write into a function's .pip_cache/.
type pyWheel struct {
	name, version string
	tags          string            // "py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"
	files         map[string]string // path in the wheel -> content
	scripts       map[string]string // console script -> "module:function"
}

// write writes w as a wheel file into dir.
func (w pyWheel) write(t *testing.T, dir string) {
	t.Helper()
	distInfo := w.name + "-" + w.version + ".dist-info"
	files := map[string]string{}
	for p, c := range w.files {
		files[p] = c
	}
	files[distInfo+"/METADATA"] = "Metadata-Version: 2.1\nName: " + w.name + "\nVersion: " + w.version + "\n"
	wheel := "Wheel-Version: 1.0\nGenerator: osa-test\nRoot-Is-Purelib: " + fmt.Sprint(strings.HasPrefix(w.tags, "py3-")) + "\n"
	parts := strings.SplitN(w.tags, "-", 3)
	for _, plat := range strings.Split(parts[2], ".") {
		wheel += "Tag: " + parts[0] + "-" + parts[1] + "-" + plat + "\n"
	}
	files[distInfo+"/WHEEL"] = wheel
	if len(w.scripts) > 0 {
		ep := "[console_scripts]\n"
		for s, target := range w.scripts {
			ep += s + " = " + target + "\n"
		}
		files[distInfo+"/entry_points.txt"] = ep
	}
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	var record strings.Builder
	for _, p := range names {
		fmt.Fprintf(&record, "%s,%s,%d\n", p, pyRecordHash([]byte(files[p])), len(files[p]))
	}
	record.WriteString(distInfo + "/RECORD,,\n")
	files[distInfo+"/RECORD"] = record.String()
	names = append(names, distInfo+"/RECORD")

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range names {
		f, err := zw.Create(p)
		require.NoError(t, err)
		_, err = f.Write([]byte(files[p]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, w.name+"-"+w.version+"-"+w.tags+".whl"), buf.Bytes(), 0o644))
}

// The wheels of testdata/python/hello: osahello (pure Python, with the
// console script the entrypoint runs) and osanative (an extension module
// per architecture).
var (
	pyHelloWheel = pyWheel{name: "osahello", version: "1.0", tags: "py3-none-any",
		files:   map[string]string{"osahello/__init__.py": "def main():\n    print('hello')\n"},
		scripts: map[string]string{"osahello": "osahello:main"}}
	pyNativeX86 = pyWheel{name: "osanative", version: "1.0", tags: "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		files: map[string]string{"osanative/_speed.cpython-311-x86_64-linux-gnu.so": "compiled for x86_64"}}
	pyNativeArm = pyWheel{name: "osanative", version: "1.0", tags: "cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64",
		files: map[string]string{"osanative/_speed.cpython-311-aarch64-linux-gnu.so": "compiled for aarch64"}}
)

// pyHelloFunc copies testdata/python/hello to a new directory, adds
// .pip_cache/ with the given wheels, and returns the directory.
func pyHelloFunc(t *testing.T, wheels ...pyWheel) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "hello")
	require.NoError(t, os.CopyFS(dir, os.DirFS("testdata/python/hello")))
	for _, w := range wheels {
		w.write(t, filepath.Join(dir, pipCacheDir))
	}
	return dir
}

// pyRegistry starts ggcr's in-process registry and returns its host.
func pyRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// pyPushBase pushes a stand-in for fnproject/python (an OCI index, one
// child per platform, with the entries files gives for its wheel
// architecture) to host/repo and returns its reference.
func pyPushBase(t *testing.T, host, repo string, files func(arch string) []layerEntry, platforms ...v1.Platform) string {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		arch, err := wheelArch(p)
		require.NoError(t, err)
		entries := append([]layerEntry{{path: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0::/root:/bin/sh\nfn:x:1000:1000::/home/fn:/sbin/nologin\n")}},
			files(arch)...)
		img := pyFakeImage(t, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", entries)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		cf = cf.DeepCopy()
		cf.Architecture, cf.Variant = p.Architecture, p.Variant
		cf.Config.Cmd = []string{"python3"}
		img, err = mutate.ConfigFile(img, cf)
		require.NoError(t, err)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	ref := host + "/" + repo
	tag, err := name.NewTag(ref)
	require.NoError(t, err)
	require.NoError(t, remote.WriteIndex(tag, idx))
	return ref
}

// pyDebianFiles is a Debian-like Python 3.11 with glibc 2.31.
func pyDebianFiles(arch string) []layerEntry {
	return []layerEntry{
		pyLink("bin", "usr/bin"), pyFile("usr/bin/python3.11"), pyLink("usr/bin/python3", "python3.11"),
		pyLibc("usr/lib/"+arch+"-linux-gnu/libc.so.6", "2.31"),
	}
}

// pyProgress counts the pip runs a build reports.
type pyProgress struct {
	mu   sync.Mutex
	pips []string
}

func (p *pyProgress) record(ev Progress) {
	if ev.Stage == StageCompile && strings.HasPrefix(ev.Message, "pip ") {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.pips = append(p.pips, ev.Platform+": "+ev.Message)
	}
}

func (p *pyProgress) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pips)
}

func pyBuild(t *testing.T, dir, base string, opts ...Option) (*Result, error) {
	t.Helper()
	b, err := NewBuilder(append([]Option{WithBaseImages(map[string]string{"fnproject/python:3.11": base})}, opts...)...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return b.Build(ctx, dir)
}

// pyLayerFiles reads a layer's entries: headers and contents by path.
func pyLayerFiles(t *testing.T, l v1.Layer) (map[string]*tar.Header, map[string][]byte) {
	t.Helper()
	rc, err := l.Uncompressed()
	require.NoError(t, err)
	defer rc.Close()
	hdrs, data := map[string]*tar.Header{}, map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		p := strings.TrimSuffix(h.Name, "/")
		hdrs[p] = h
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		data[p] = b
	}
	return hdrs, data
}

// pyChild returns the image of res for the architecture.
func pyChild(t *testing.T, res *Result, arch string) v1.Image {
	t.Helper()
	if res.Index == nil {
		return res.Image
	}
	im, err := res.Index.IndexManifest()
	require.NoError(t, err)
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.Architecture == arch {
			img, err := res.Index.Image(d.Digest)
			require.NoError(t, err)
			return img
		}
	}
	t.Fatalf("no %s child", arch)
	return nil
}

func pyLayers(t *testing.T, img v1.Image) []v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	require.NoError(t, err)
	return ls
}

// pyHostExecutable is the interpreter pip runs under on this machine: what
// pip writes into shebangs, and must not reach an image.
func pyHostExecutable(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func TestPythonBuildTwoPlatformsOffline(t *testing.T) {
	t.Parallel()
	base := pyPushBase(t, pyRegistry(t), "fnproject/python:3.11", pyDebianFiles, amd64, arm64)
	dir := pyHelloFunc(t, pyHelloWheel, pyNativeX86, pyNativeArm)
	progress := &pyProgress{}
	res, err := pyBuild(t, dir, base, WithPlatforms("linux/amd64", "linux/arm64"), WithCacheDir(t.TempDir()), WithProgress(progress.record))
	require.NoError(t, err)
	require.Equal(t, 2, progress.count(), "one pip run per platform: %v", progress.pips)

	hostExe := pyHostExecutable(t)
	for arch, so := range map[string]string{"amd64": "x86_64", "arm64": "aarch64"} {
		img := pyChild(t, res, arch)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		require.Equal(t, "/function", cf.Config.WorkingDir)
		require.Equal(t, []string{"/python/bin/osahello", "/function/func.py", "handler"}, cf.Config.Entrypoint)
		require.Empty(t, cf.Config.Cmd, "the base's CMD is reset when func.yaml sets an entrypoint")
		require.Contains(t, cf.Config.Env, "PYTHONPATH=/function:/python")
		require.Contains(t, cf.Config.Env, "LANG=C.UTF-8", "the base's Env is kept")

		layers := pyLayers(t, img)
		require.Len(t, layers, 3, "base, dependencies, source")
		hdrs, data := pyLayerFiles(t, layers[1])
		require.Equal(t, "#!/usr/bin/python3.11\n", strings.SplitAfter(string(data["python/bin/osahello"]), "\n")[0])
		require.EqualValues(t, 0o755, hdrs["python/bin/osahello"].Mode)
		require.Equal(t, "compiled for "+so, string(data["python/osanative/_speed.cpython-311-"+so+"-linux-gnu.so"]), arch)
		require.Equal(t, "# Installed into /python by osa build (pip --target), one name==version per distribution.\n"+
			"osahello==1.0\nosanative==1.0\n", string(data["python/.osa-requirements.txt"]))
		require.Contains(t, string(data["python/osahello-1.0.dist-info/RECORD"]),
			"bin/osahello,"+pyRecordHash(data["python/bin/osahello"])+fmt.Sprintf(",%d", len(data["python/bin/osahello"])))
		for p, h := range hdrs {
			require.True(t, strings.HasPrefix(p, "python"), "%s is outside /python", p)
			require.Zero(t, h.Uid+h.Gid, p)
			require.NotContains(t, p, "__pycache__")
			require.False(t, strings.HasSuffix(p, ".pyc"), p)
			for _, leak := range []string{hostExe, os.TempDir() + "/", dir} {
				require.NotContains(t, string(data[p]), leak, "%s holds a build-machine path", p)
			}
		}

		hdrs, _ = pyLayerFiles(t, layers[2])
		var source []string
		for p, h := range hdrs {
			if h.Typeflag == tar.TypeReg {
				source = append(source, p)
			}
		}
		sort.Strings(source)
		require.Equal(t, []string{"function/func.py", "function/func.yaml", "function/requirements.txt"}, source, ".pip_cache stays out")
	}
}

func TestPythonRebuildAfterSourceEditRunsNoPip(t *testing.T) {
	t.Parallel()
	base := pyPushBase(t, pyRegistry(t), "fnproject/python:3.11", pyDebianFiles, amd64, arm64)
	dir := pyHelloFunc(t, pyHelloWheel, pyNativeX86, pyNativeArm)
	cache := t.TempDir()
	plats := WithPlatforms("linux/amd64", "linux/arm64")

	first := &pyProgress{}
	res1, err := pyBuild(t, dir, base, plats, WithCacheDir(cache), WithProgress(first.record))
	require.NoError(t, err)
	require.Equal(t, 2, first.count())

	// Another copy, other file times, an empty cache: pip runs again and
	// the image is the same.
	again := pyHelloFunc(t, pyHelloWheel, pyNativeX86, pyNativeArm)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	require.NoError(t, filepath.WalkDir(again, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, old, old)
	}))
	res2, err := pyBuild(t, again, base, plats, WithCacheDir(t.TempDir()))
	require.NoError(t, err)
	d1, err := res1.Digest()
	require.NoError(t, err)
	d2, err := res2.Digest()
	require.NoError(t, err)
	require.Equal(t, d1, d2, "two copies of a function give the same image")

	// Edit func.py only: the dependency layer comes from the cache.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "func.py"), []byte("def handler(ctx, data=None):\n    return 'edited'\n"), 0o644))
	second := &pyProgress{}
	res3, err := pyBuild(t, dir, base, plats, WithCacheDir(cache), WithProgress(second.record))
	require.NoError(t, err)
	require.Zero(t, second.count(), "pip ran: %v", second.pips)
	for _, arch := range []string{"amd64", "arm64"} {
		before, after := pyLayers(t, pyChild(t, res1, arch)), pyLayers(t, pyChild(t, res3, arch))
		require.Len(t, after, len(before))
		for i := range before {
			db, err := before[i].Digest()
			require.NoError(t, err)
			da, err := after[i].Digest()
			require.NoError(t, err)
			if i == len(before)-1 {
				require.NotEqual(t, db, da, "%s: the source layer changes", arch)
			} else {
				require.Equal(t, db, da, "%s: layer %d changed", arch, i)
			}
		}
	}

	// A changed requirements.txt installs again.
	require.NoError(t, os.WriteFile(filepath.Join(dir, requirementsTx), []byte("osahello==1.0\n"), 0o644))
	third := &pyProgress{}
	_, err = pyBuild(t, dir, base, plats, WithCacheDir(cache), WithProgress(third.record))
	require.NoError(t, err)
	require.Equal(t, 2, third.count())
}

func TestPythonBuildErrors(t *testing.T) {
	t.Parallel()
	host := pyRegistry(t)
	debian := pyPushBase(t, host, "debian-python:3.11", pyDebianFiles, amd64, arm64)
	old := pyPushBase(t, host, "old-python:3.9", func(string) []layerEntry {
		return []layerEntry{pyFile("usr/bin/python3.9"), pyFile("usr/bin/python3.12")}
	}, amd64)
	onlyX86 := pyWheel{name: "osaxonly", version: "1.0", tags: "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
		files: map[string]string{"osaxonly/_x.cpython-311-x86_64-linux-gnu.so": "x86_64"}}
	tooNew := pyWheel{name: "osanew", version: "2.0", tags: "cp311-cp311-manylinux_2_34_aarch64",
		files: map[string]string{"osanew/_n.cpython-311-aarch64-linux-gnu.so": "aarch64"}}

	tests := []struct {
		name     string
		base     string
		platform string
		edit     func(t *testing.T, dir string)
		check    func(t *testing.T, err error)
	}{
		{name: "a requirement without a wheel for the platform", base: debian, platform: "linux/arm64",
			edit: func(t *testing.T, dir string) {
				onlyX86.write(t, filepath.Join(dir, pipCacheDir))
				pyAppend(t, dir, requirementsTx, "osaxonly==1.0\n")
			},
			check: func(t *testing.T, err error) {
				var be *BuildError
				require.ErrorAs(t, err, &be)
				require.Equal(t, "linux/arm64", be.Platform)
				require.Equal(t, "pip install", be.Step)
				require.ErrorContains(t, err, "no wheel of osaxonly==1.0 for CPython 3.11 (cp311) on linux/arm64 with glibc 2.31")
				require.Contains(t, be.Fix, "pin a version of osaxonly that publishes a manylinux wheel for cp311 and aarch64")
				require.Contains(t, be.Fix, "vendor")
			}},
		{name: "a wheel needing a newer glibc than the run image's", base: debian, platform: "linux/arm64",
			edit: func(t *testing.T, dir string) {
				tooNew.write(t, filepath.Join(dir, pipCacheDir))
				pyAppend(t, dir, requirementsTx, "osanew\n")
			},
			check: func(t *testing.T, err error) {
				var be *BuildError
				require.ErrorAs(t, err, &be)
				require.ErrorContains(t, err, "no wheel of osanew for CPython 3.11 (cp311) on linux/arm64 with glibc 2.31")
			}},
		{name: "a run image without Python", base: scratch, platform: "linux/amd64",
			check: func(t *testing.T, err error) {
				var be *BaseImageError
				require.ErrorAs(t, err, &be)
				require.Equal(t, "fnproject/python:3.11", be.Ref)
				require.ErrorContains(t, err, "no Python 3.11 interpreter for linux/amd64")
				require.ErrorContains(t, err, "it has none")
				require.Contains(t, be.Fix, "fnproject/python:3.11")
			}},
		{name: "a run image with other Pythons", base: old, platform: "linux/amd64",
			check: func(t *testing.T, err error) {
				var be *BaseImageError
				require.ErrorAs(t, err, &be)
				require.ErrorContains(t, err, "it has /usr/bin/python3.12 (Python 3.12), /usr/bin/python3.9 (Python 3.9)")
				require.Contains(t, be.Fix, "set runtime: python3.12 in func.yaml")
			}},
		{name: "no requirements.txt for an entrypoint under /python", base: debian, platform: "linux/amd64",
			edit: func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, requirementsTx))) },
			check: func(t *testing.T, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, requirementsTx, filepath.Base(ce.Path))
				require.Contains(t, ce.Problem, "the entrypoint runs /python/bin/osahello")
			}},
		{name: "requirements.txt excluded by .dockerignore", base: debian, platform: "linux/amd64",
			edit: func(t *testing.T, dir string) { pyAppend(t, dir, ".dockerignore", "requirements.txt\n") },
			check: func(t *testing.T, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Contains(t, ce.Problem, "excluded by .dockerignore")
			}},
		{name: "the entrypoint's func.py is missing", base: debian, platform: "linux/amd64",
			edit: func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "func.py"))) },
			check: func(t *testing.T, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, "func.py", filepath.Base(ce.Path))
				require.Contains(t, ce.Problem, "the entrypoint runs /function/func.py")
			}},
		{name: "requirements that do not install the entrypoint", base: debian, platform: "linux/amd64",
			edit: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, requirementsTx), []byte("osanative==1.0\n"), 0o644))
			},
			check: func(t *testing.T, err error) {
				var be *BuildError
				require.ErrorAs(t, err, &be)
				require.Equal(t, "checking the entrypoint", be.Step)
				require.ErrorContains(t, err, "the entrypoint runs /python/bin/osahello, which the requirements do not install (installed: osanative)")
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := pyHelloFunc(t, pyHelloWheel, pyNativeX86, pyNativeArm)
			if tc.edit != nil {
				tc.edit(t, dir)
			}
			_, err := pyBuild(t, dir, tc.base, WithPlatforms(tc.platform))
			require.Error(t, err)
			tc.check(t, err)
		})
	}
}

func pyAppend(t *testing.T, dir, file, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(text)
	require.NoError(t, errors.Join(err, f.Close()))
}

func TestPythonSetupPyProject(t *testing.T) {
	t.Parallel()
	base := pyPushBase(t, pyRegistry(t), "fnproject/python:3.11", pyDebianFiles, amd64)
	dir := pyHelloFunc(t, pyHelloWheel)
	require.NoError(t, os.WriteFile(filepath.Join(dir, requirementsTx), []byte("osahello==1.0\n"), 0o644))
	pyWriteFiles(t, dir, map[string]string{
		"setup.py": "from setuptools import setup\n" +
			"setup(name='osaproj', version='0.1', py_modules=['osaproj'], install_requires=['osahello'],\n" +
			"      entry_points={'console_scripts': ['osaproj = osaproj:main']})\n",
		"osaproj.py": "def main():\n    print('project')\n",
	})
	before := pyTree(t, dir)

	res, err := pyBuild(t, dir, base, WithPlatforms("linux/amd64"))
	require.NoError(t, err)
	require.Equal(t, before, pyTree(t, dir), "the build leaves the function directory as it was (no build/, no *.egg-info)")
	layers := pyLayers(t, res.Image)
	_, data := pyLayerFiles(t, layers[1])
	require.Equal(t, "#!/usr/bin/python3.11\n", strings.SplitAfter(string(data["python/bin/osaproj"]), "\n")[0])
	require.Contains(t, data, "python/osaproj.py")
	require.Contains(t, string(data["python/.osa-requirements.txt"]), "\nosahello==1.0\nosaproj==0.1\n")
	hostExe := pyHostExecutable(t)
	for p, content := range data {
		require.NotContains(t, p, "direct_url.json", "it would hold the wheel's path on the build machine")
		require.NotContains(t, string(content), os.TempDir()+"/osa-build-", p)
		require.NotContains(t, string(content), hostExe, p)
	}
}

func TestPythonSetupPyWithExtensionIsRefused(t *testing.T) {
	t.Parallel()
	base := pyPushBase(t, pyRegistry(t), "fnproject/python:3.11", pyDebianFiles, arm64)
	dir := pyHelloFunc(t, pyHelloWheel)
	pyWriteFiles(t, dir, map[string]string{
		"setup.py": "from setuptools import setup, Extension\n" +
			"setup(name='osafast', version='0.1', ext_modules=[Extension('osafast', ['osafast.c'])])\n",
		"osafast.c": "#include <Python.h>\nstatic struct PyModuleDef m = {PyModuleDef_HEAD_INIT, \"osafast\", NULL, -1, NULL};\n" +
			"PyMODINIT_FUNC PyInit_osafast(void) { return PyModule_Create(&m); }\n",
	})
	_, err := pyBuild(t, dir, base, WithPlatforms("linux/arm64"))
	var be *BuildError
	require.ErrorAs(t, err, &be)
	require.Equal(t, "pip wheel (setup.py)", be.Step)
	require.Equal(t, "linux/arm64", be.Platform)
	// The build machine has a C compiler (hack/install-tools.sh): the wheel
	// is built for this machine, then refused.
	require.ErrorContains(t, err, "setup.py builds a platform-specific wheel (osafast-0.1-cp311-cp311-linux_")
	require.ErrorContains(t, err, "osa cannot compile extension modules for linux/arm64")
	require.Contains(t, be.Fix, "manylinux wheels")
}

// pyTree lists a directory's entries with their sizes.
func pyTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, fmt.Sprintf("%s %v %d", rel, d.Type(), info.Size()))
		return nil
	}))
	return out
}

func TestPython312OnAnOracleLinuxLikeBase(t *testing.T) {
	t.Parallel()
	// Oracle Linux 8 keeps glibc in /usr/lib64/libc-2.28.so; this base also
	// has a python.org-style interpreter in /usr/local/bin.
	base := pyPushBase(t, pyRegistry(t), "fnproject/python:3.12", func(string) []layerEntry {
		return []layerEntry{
			pyLink("lib64", "usr/lib64"), pyFile("usr/lib64/libc-2.28.so"), pyLink("usr/lib64/libc.so.6", "libc-2.28.so"),
			pyFile("usr/local/bin/python3.12"), pyLink("usr/local/bin/python3", "python3.12"), pyFile("usr/bin/python3.6"),
		}
	}, arm64)
	native312 := pyWheel{name: "osanative", version: "1.0", tags: "cp312-cp312-manylinux_2_28_aarch64",
		files: map[string]string{"osanative/_speed.cpython-312-aarch64-linux-gnu.so": "cp312 aarch64"}}
	native311 := pyNativeArm // the cp311 wheel must not be taken for 3.12
	dir := pyHelloFunc(t, pyHelloWheel, native311, native312)
	yaml := strings.ReplaceAll(pyReadFile(t, dir, "func.yaml"), "3.11", "3.12")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "func.yaml"), []byte(yaml), 0o644))

	b, err := NewBuilder(WithPlatforms("linux/arm64"), WithBaseImages(map[string]string{"fnproject/python:3.12": base}))
	require.NoError(t, err)
	res, err := b.Build(context.Background(), dir)
	require.NoError(t, err)
	layers := pyLayers(t, res.Image)
	_, data := pyLayerFiles(t, layers[1])
	require.Equal(t, "#!/usr/local/bin/python3.12\n", strings.SplitAfter(string(data["python/bin/osahello"]), "\n")[0])
	require.Equal(t, "cp312 aarch64", string(data["python/osanative/_speed.cpython-312-aarch64-linux-gnu.so"]))
	require.NotContains(t, data, "python/osanative/_speed.cpython-311-aarch64-linux-gnu.so")
	cf, err := res.Image.ConfigFile()
	require.NoError(t, err)
	require.Equal(t, "osa build: pip install --target /python -r requirements.txt (python3.12, cp312, linux/arm64, glibc 2.28)",
		cf.History[len(cf.History)-2].CreatedBy)
}
