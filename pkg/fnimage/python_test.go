package fnimage

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/require"
)

func TestManylinuxTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, arch, glibc string
		want              []string
		wantErr           string
	}{
		{name: "aarch64 starts at manylinux2014", arch: "aarch64", glibc: "2.19", want: []string{
			"manylinux_2_19_aarch64", "manylinux_2_18_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64",
		}},
		{name: "aarch64 on glibc 2.17", arch: "aarch64", glibc: "2.17", want: []string{"manylinux_2_17_aarch64", "manylinux2014_aarch64"}},
		{name: "x86_64 goes down to manylinux1", arch: "x86_64", glibc: "2.17", want: []string{
			"manylinux_2_17_x86_64", "manylinux2014_x86_64",
			"manylinux_2_16_x86_64", "manylinux_2_15_x86_64", "manylinux_2_14_x86_64", "manylinux_2_13_x86_64",
			"manylinux_2_12_x86_64", "manylinux2010_x86_64",
			"manylinux_2_11_x86_64", "manylinux_2_10_x86_64", "manylinux_2_9_x86_64", "manylinux_2_8_x86_64",
			"manylinux_2_7_x86_64", "manylinux_2_6_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64",
		}},
		{name: "too old for aarch64", arch: "aarch64", glibc: "2.16", wantErr: "older than"},
		{name: "not glibc 2", arch: "x86_64", glibc: "3.1", wantErr: "is not 2.N"},
		{name: "garbage", arch: "x86_64", glibc: "two", wantErr: "is not 2.N"},
		{name: "unknown architecture", arch: "riscv64", glibc: "2.36", wantErr: "no manylinux tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := manylinuxTags(tc.arch, tc.glibc)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("manylinuxTags(%q, %q) mismatch (-want +got):\n%s", tc.arch, tc.glibc, diff)
			}
		})
	}
}

func TestManylinuxTagsNewestFirst(t *testing.T) {
	t.Parallel()
	got, err := manylinuxTags("aarch64", "2.36")
	require.NoError(t, err)
	require.Len(t, got, 21) // 2.36 down to 2.17, plus manylinux2014
	require.Equal(t, "manylinux_2_36_aarch64", got[0])
	require.Equal(t, "manylinux2014_aarch64", got[len(got)-1])
}

func TestWheelArch(t *testing.T) {
	t.Parallel()
	for plat, want := range map[string]string{"amd64": "x86_64", "arm64": "aarch64"} {
		got, err := wheelArch(v1.Platform{OS: "linux", Architecture: plat})
		require.NoError(t, err)
		require.Equal(t, want, got, plat)
	}
	_, err := wheelArch(v1.Platform{OS: "linux", Architecture: "s390x"})
	require.Error(t, err)
}

func TestPipInstallArgs(t *testing.T) {
	t.Parallel()
	pt := pipTarget{version: "3.12", tags: []string{"manylinux_2_17_aarch64", "manylinux2014_aarch64"}}
	want := []string{"-m", "pip", "install", "--target", "/tmp/x/python",
		"--platform", "manylinux_2_17_aarch64", "--platform", "manylinux2014_aarch64",
		"--python-version", "3.12", "--implementation", "cp", "--abi", "cp312",
		"--only-binary=:all:", "--no-compile", "--no-warn-script-location", "--progress-bar", "off"}
	if diff := cmp.Diff(want, pt.installArgs("/tmp/x/python")); diff != "" {
		t.Errorf("installArgs mismatch (-want +got):\n%s", diff)
	}
}

func TestPipEnv(t *testing.T) {
	t.Parallel()
	got := pipEnv([]string{"PATH=/bin", "PIP_INDEX_URL=https://mirror.example/simple", "PIP_USER=1", "PIP_TARGET=/x", "PIP_REQUIRE_VIRTUALENV=true", "HOME=/root"})
	want := []string{"PATH=/bin", "PIP_INDEX_URL=https://mirror.example/simple", "HOME=/root", "PIP_NO_INPUT=1", "PIP_DISABLE_PIP_VERSION_CHECK=1"}
	require.Equal(t, want, got)
	require.Equal(t, []string{"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_INDEX_URL=https://mirror.example/simple", "PIP_NO_INPUT=1"},
		pipConfigEnv([]string{"PIP_INDEX_URL=https://mirror.example/simple", "PIP_USER=1", "LANG=C"}))
}

func TestRewritePyShebang(t *testing.T) {
	t.Parallel()
	const host = "/root/.pyenv/versions/3.11.7/bin/python3"
	const body = "# -*- coding: utf-8 -*-\nimport sys\n"
	long := "/very/long/" + strings.Repeat("x", 130) + "/bin/python3"
	tests := []struct {
		name, in, want string
		changed        bool
	}{
		{name: "pip's simple shebang", in: "#!" + host + "\n" + body, want: "#!/usr/bin/python3.11\n" + body, changed: true},
		{name: "arguments are kept", in: "#!" + host + " -u\n" + body, want: "#!/usr/bin/python3.11 -u\n" + body, changed: true},
		{name: "CRLF is kept", in: "#!" + host + "\r\n" + body, want: "#!/usr/bin/python3.11\r\n" + body, changed: true},
		{name: "the resolved host path", in: "#!/root/.pyenv/versions/3.11.7/bin/python3.11\n" + body, want: "#!/usr/bin/python3.11\n" + body, changed: true},
		{name: "distlib's /bin/sh form for long paths",
			in:   "#!/bin/sh\n'''exec' " + long + " \"$0\" \"$@\"\n' '''\n" + body,
			want: "#!/usr/bin/python3.11\n" + body, changed: true},
		{name: "the /bin/sh form with a quoted path and arguments",
			in:   "#!/bin/sh\n'''exec' \"" + long + "\" -E \"$0\" \"$@\"\n' '''\n" + body,
			want: "#!/usr/bin/python3.11 -E\n" + body, changed: true},
		{name: "another interpreter is left alone", in: "#!/usr/bin/env python3\n" + body, want: "#!/usr/bin/env python3\n" + body},
		{name: "a shell script is left alone", in: "#!/bin/sh\necho hi\n", want: "#!/bin/sh\necho hi\n"},
		{name: "a prefix of the host path is not the host path", in: "#!" + host + "-config\n", want: "#!" + host + "-config\n"},
		{name: "no shebang", in: body, want: body},
		{name: "shebang only", in: "#!" + host, want: "#!/usr/bin/python3.11", changed: true},
	}
	hosts := []string{host, "/root/.pyenv/versions/3.11.7/bin/python3.11", long}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, changed := rewritePyShebang([]byte(tc.in), hosts, "/usr/bin/python3.11")
			require.Equal(t, tc.want, string(got))
			require.Equal(t, tc.changed, changed)
		})
	}
}

// pyRecordHash is a RECORD hash: sha256=, URL-safe base64 without padding.
func pyRecordHash(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestFixPyScriptsAndRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const host = "/opt/host/bin/python3"
	fdk := "#!" + host + "\nimport fdk\n"
	other := "#!/bin/sh\necho other\n"
	pyWriteFiles(t, dir, map[string]string{
		"bin/fdk":         fdk,
		"bin/other":       other,
		"fdk/__init__.py": "",
		"fdk-1.0.dist-info/RECORD": "../../bin/fdk," + pyRecordHash([]byte(fdk)) + ",25\r\n" +
			"../../bin/other," + pyRecordHash([]byte(other)) + ",21\r\n" +
			"fdk/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n" +
			"fdk-1.0.dist-info/direct_url.json,sha256=abc,40\r\n" +
			"\"fdk/a,b.py\",sha256=xyz,1\r\n" +
			"fdk-1.0.dist-info/RECORD,,\r\n",
		"fdk-1.0.dist-info/direct_url.json": `{"url": "file:///tmp/osa-build-1/python-amd64/wheels/fdk-1.0-py3-none-any.whl"}`,
		"plain-2.0.dist-info/RECORD":        "plain/__init__.py,,\n",
	})
	removed, err := dropPyDirectURLs(dir)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"fdk-1.0.dist-info/direct_url.json": true}, removed)
	require.NoFileExists(t, filepath.Join(dir, "fdk-1.0.dist-info", "direct_url.json"))

	changed, err := fixPyScripts(dir, []string{host}, "/usr/local/bin/python3.12")
	require.NoError(t, err)
	require.Equal(t, []string{"fdk"}, changed)
	newFdk := "#!/usr/local/bin/python3.12\nimport fdk\n"
	require.Equal(t, newFdk, pyReadFile(t, dir, "bin/fdk"))
	require.Equal(t, other, pyReadFile(t, dir, "bin/other"))

	require.NoError(t, fixPyRecords(dir, changed, removed))
	want := "bin/fdk," + pyRecordHash([]byte(newFdk)) + ",39\r\n" + // 28 + 11 bytes
		"../../bin/other," + pyRecordHash([]byte(other)) + ",21\r\n" +
		"fdk/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n" +
		"\"fdk/a,b.py\",sha256=xyz,1\r\n" +
		"fdk-1.0.dist-info/RECORD,,\r\n"
	require.Equal(t, want, pyReadFile(t, dir, "fdk-1.0.dist-info/RECORD"))
	require.Equal(t, "plain/__init__.py,,\n", pyReadFile(t, dir, "plain-2.0.dist-info/RECORD"), "untouched RECORDs stay byte for byte")
}

func TestPyResolvedVersions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pyWriteFiles(t, dir, map[string]string{
		"typing_extensions-4.16.0.dist-info/METADATA": "Metadata-Version: 2.4\nName: typing_extensions\nVersion: 4.16.0\n\nName: not-a-header\n",
		"Cython-3.3.1.dist-info/METADATA":             "Metadata-Version: 2.1\r\nName: Cython\r\nVersion: 3.3.1\r\nSummary: x\r\n",
		"fdk-0.1.128.dist-info/METADATA":              "Metadata-Version: 2.1\nname: fdk\nversion: 0.1.128\n",
		"httptools-0.9.0.dist-info/METADATA":          "Metadata-Version: 2.1\nName: httptools\nVersion: 0.9.0\n",
		"pytest_asyncio-1.5.0.dist-info/METADATA":     "Metadata-Version: 2.1\nName: pytest-asyncio\nVersion: 1.5.0\n",
		"pytest-9.2.0.dist-info/METADATA":             "Metadata-Version: 2.1\nName: pytest\nVersion: 9.2.0\n",
		"fdk/__init__.py":                             "",
	})
	dists, err := installedDistributions(dir)
	require.NoError(t, err)
	want := "# Installed into /python by osa build (pip --target), one name==version per distribution.\n" +
		"Cython==3.3.1\n" +
		"fdk==0.1.128\n" +
		"httptools==0.9.0\n" +
		"pytest==9.2.0\n" +
		"pytest-asyncio==1.5.0\n" +
		"typing_extensions==4.16.0\n"
	require.Equal(t, want, string(pyResolvedVersions(dists)))

	bad := t.TempDir()
	pyWriteFiles(t, bad, map[string]string{"x-1.dist-info/METADATA": "Metadata-Version: 2.1\nSummary: no name\n"})
	_, err = installedDistributions(bad)
	require.ErrorContains(t, err, "x-1.dist-info: METADATA has no Name or Version")
}

func TestPipFailure(t *testing.T) {
	t.Parallel()
	j := &job{runtime: Runtime{Lang: "python", Version: "3.11"}}
	pt := pipTarget{version: "3.11", tags: []string{"manylinux_2_28_aarch64", "manylinux_2_27_aarch64"}}
	exit := errors.New("exit status 1")
	tests := []struct {
		name, output, wantErr, wantFix string
	}{
		{name: "no wheel", output: "ERROR: Could not find a version that satisfies the requirement docopt==0.6.2 (from versions: none)\n" +
			"ERROR: No matching distribution found for docopt==0.6.2",
			wantErr: "building python3.11 for linux/arm64: pip install failed: no wheel of docopt==0.6.2 for CPython 3.11 (cp311) on linux/arm64 with glibc 2.28 (or no such package): exit status 1",
			wantFix: "pin a version of docopt that publishes a manylinux wheel for cp311 and aarch64"},
		{name: "a transitive requirement", output: "ERROR: No matching distribution found for httptools>=0.5.0 (from fdk==0.1.128)",
			wantErr: "no wheel of httptools>=0.5.0 for CPython 3.11", wantFix: "pin a version of httptools that"},
		{name: "offline", output: "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by " +
			"'NewConnectionError(...)': /simple/fdk/\nERROR: No matching distribution found for fdk==0.1.128",
			wantErr: "cannot reach the package index to find fdk==0.1.128", wantFix: "check the network"},
		{name: "conflict", output: "ERROR: Cannot install a==1 and b==2 because these package versions have conflicting dependencies.\nERROR: ResolutionImpossible",
			wantErr: "pip install failed: exit status 1", wantFix: "the requirements conflict"},
		{name: "anything else", output: "ERROR: Invalid requirement: '%%%'",
			wantErr: "pip install failed: exit status 1", wantFix: "fix requirements.txt according to pip's output above"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			be := pipFailure(j, "linux/arm64", pt, tc.output, exit)
			require.ErrorContains(t, be, tc.wantErr)
			require.ErrorIs(t, be, exit)
			require.Contains(t, be.Fix, tc.wantFix)
			require.Contains(t, be.Error(), tc.output, "pip's output is part of the message")
		})
	}
}

func TestPyRequirementName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"docopt==0.6.2": "docopt", "httptools>=0.5.0": "httptools", "fdk": "fdk", "uvicorn[standard]": "uvicorn",
		"foo;python_version<'3.12'": "foo", "bar@https://x": "bar", "no-such-package-osa-xyz": "no-such-package-osa-xyz",
	} {
		require.Equal(t, want, pyRequirementName(in), in)
	}
}

func TestPyRequirementsReferToFiles(t *testing.T) {
	t.Parallel()
	for req, want := range map[string]bool{
		"fdk==0.1.128\n# -r comment\n":           false,
		"":                                       false,
		"fdk\n-r base.txt\n":                     true,
		"--requirement=base.txt":                 true,
		"  -c constraints.txt":                   true,
		"./vendor/pkg-1.0-py3-none-any.whl\n":    true,
		"../shared\n":                            true,
		"pkg @ file:///src/pkg\n":                true,
		"--find-links wheels/\nfdk\n":            true,
		"requests[socks]>=2; python_version>'3'": false,
	} {
		require.Equal(t, want, pyRequirementsReferToFiles([]byte(req)), "%q", req)
	}
}

// pyFile is a base image entry for the discovery tests.
func pyFile(p string) layerEntry { return layerEntry{path: p, mode: 0o755, data: []byte("\x7fELF")} }

func pyLink(p, target string) layerEntry {
	return layerEntry{path: p, mode: fs.ModeSymlink | 0o777, linkname: target}
}

func pyLibc(p, version string) layerEntry {
	return layerEntry{path: p, mode: 0o755, data: []byte("\x7fELF\x00\x00GNU C Library (Test GLIBC " + version + "-1) stable release version " + version + ".\nCopyright\x00")}
}

// pyFakeImage is an image of the given layers with PATH pathEnv (none when
// empty).
func pyFakeImage(t *testing.T, pathEnv string, layers ...[]layerEntry) v1.Image {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	for _, entries := range layers {
		l, err := writeLayer(entries, types.OCILayer, time.Unix(0, 0))
		require.NoError(t, err)
		img, err = mutate.AppendLayers(img, l)
		require.NoError(t, err)
	}
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if pathEnv != "" {
		cf.Config.Env = []string{"PATH=" + pathEnv, "LANG=C.UTF-8"}
	}
	img, err = mutate.ConfigFile(img, cf)
	require.NoError(t, err)
	return img
}

func TestScanPythonBase(t *testing.T) {
	t.Parallel()
	debian := []layerEntry{
		pyLink("bin", "usr/bin"), pyLink("lib", "usr/lib"),
		pyFile("usr/bin/python3.11"), pyLink("usr/bin/python3", "python3.11"),
		pyLibc("usr/lib/x86_64-linux-gnu/libc.so.6", "2.36"),
	}
	tests := []struct {
		name    string
		pathEnv string
		layers  [][]layerEntry
		want    pythonBaseInfo
	}{
		{name: "Debian: /usr/bin, glibc from libc.so.6's content", layers: [][]layerEntry{debian},
			want: pythonBaseInfo{Interpreters: map[string]string{"3.11": "/usr/bin/python3.11"}, Glibc: "2.36"}},
		{name: "PATH order: /bin comes first and is a link to usr/bin", pathEnv: "/bin:/usr/bin", layers: [][]layerEntry{debian},
			want: pythonBaseInfo{Interpreters: map[string]string{"3.11": "/bin/python3.11"}, Glibc: "2.36"}},
		{name: "Oracle Linux: libc-2.28.so names its version; /usr/local/bin first in PATH",
			layers: [][]layerEntry{{
				pyFile("usr/bin/python3.11"), pyFile("usr/lib64/libc-2.28.so"), pyLink("usr/lib64/libc.so.6", "libc-2.28.so"),
				pyLink("usr/local/bin/python3.11", "../../bin/python3.11"), pyLink("lib64", "usr/lib64"),
			}},
			want: pythonBaseInfo{Interpreters: map[string]string{"3.11": "/usr/local/bin/python3.11"}, Glibc: "2.28"}},
		{name: "python.org build in /usr/local, two versions", pathEnv: "/usr/local/bin:/usr/bin",
			layers: [][]layerEntry{debian, {pyFile("usr/local/bin/python3.12"), pyFile("usr/local/bin/python3.11")}},
			want:   pythonBaseInfo{Interpreters: map[string]string{"3.11": "/usr/local/bin/python3.11", "3.12": "/usr/local/bin/python3.12"}, Glibc: "2.36"}},
		{name: "a whiteout removes the interpreter", pathEnv: "/usr/bin",
			layers: [][]layerEntry{debian, {{path: "usr/bin/.wh.python3.11", mode: 0o644}}},
			want:   pythonBaseInfo{Interpreters: map[string]string{}, Glibc: "2.36"}},
		{name: "an opaque directory hides the lower layers' files", pathEnv: "/usr/bin",
			layers: [][]layerEntry{debian, {{path: "usr/bin/.wh..wh..opq", mode: 0o644}, pyFile("usr/bin/python3.12")}},
			want:   pythonBaseInfo{Interpreters: map[string]string{"3.12": "/usr/bin/python3.12"}, Glibc: "2.36"}},
		{name: "a dangling link is no interpreter", pathEnv: "/usr/local/bin",
			layers: [][]layerEntry{{pyLink("usr/local/bin/python3.11", "/opt/gone/python3.11")}},
			want:   pythonBaseInfo{Interpreters: map[string]string{}}},
		{name: "a link loop is no interpreter", pathEnv: "/a",
			layers: [][]layerEntry{{pyLink("a/python3.11", "/b/python3.11"), pyLink("b/python3.11", "/a/python3.11")}},
			want:   pythonBaseInfo{Interpreters: map[string]string{}}},
		{name: "outside PATH is found too", pathEnv: "/usr/bin",
			layers: [][]layerEntry{{pyFile("opt/python/bin/python3.12")}},
			want:   pythonBaseInfo{Interpreters: map[string]string{"3.12": "/opt/python/bin/python3.12"}}},
		{name: "a later layer replaces a link by a directory", pathEnv: "/bin",
			layers: [][]layerEntry{debian, {{path: "bin", mode: fs.ModeDir | 0o755}}},
			want:   pythonBaseInfo{Interpreters: map[string]string{"3.11": "/usr/bin/python3.11"}, Glibc: "2.36"}},
		{name: "no Python at all", layers: [][]layerEntry{{{path: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0::/:/bin/sh\n")}}},
			want: pythonBaseInfo{Interpreters: map[string]string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := scanPythonBase(context.Background(), pyFakeImage(t, tc.pathEnv, tc.layers...))
			require.NoError(t, err)
			if diff := cmp.Diff(tc.want, *got); diff != "" {
				t.Errorf("scanPythonBase mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// pyCountingImage counts the calls of Layers (every scan starts there).
type pyCountingImage struct {
	v1.Image
	reads *atomic.Int32
}

func (c pyCountingImage) Layers() ([]v1.Layer, error) {
	c.reads.Add(1)
	return c.Image.Layers()
}

func TestPythonBaseIsCachedPerDigest(t *testing.T) {
	t.Parallel()
	reads := &atomic.Int32{}
	img := pyCountingImage{Image: pyFakeImage(t, "", []layerEntry{pyFile("usr/bin/python3.12"), pyLibc("lib64/libc.so.6", "2.34")}), reads: reads}
	d, err := img.Digest()
	require.NoError(t, err)
	// A digest of its own: the process-wide memo is shared with other tests.
	tg := target{platform: v1.Platform{OS: "linux", Architecture: "amd64"}, base: img, baseDigest: "sha256:" + strings.Repeat("1", 48) + d.Hex[:16]}
	cache := t.TempDir()
	want := &pythonBaseInfo{Interpreters: map[string]string{"3.12": "/usr/bin/python3.12"}, Glibc: "2.34"}

	got, err := pythonBase(context.Background(), cache, tg)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.EqualValues(t, 1, reads.Load(), "the first discovery reads the image")

	got, err = pythonBase(context.Background(), cache, tg)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.EqualValues(t, 1, reads.Load(), "the second comes from memory")

	pythonBaseMemo.Delete(tg.baseDigest) // as in a new process
	got, err = pythonBase(context.Background(), cache, tg)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.EqualValues(t, 1, reads.Load(), "a new process reads the cache directory")
	files, err := filepath.Glob(filepath.Join(cache, "python-bases", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1)
}

func TestPythonBaseReadError(t *testing.T) {
	t.Parallel()
	img := pyBrokenImage{pyFakeImage(t, "")}
	_, err := pythonBase(context.Background(), "", target{base: img, baseDigest: "sha256:" + strings.Repeat("2", 64)})
	require.ErrorContains(t, err, "layers unavailable")
}

type pyBrokenImage struct{ v1.Image }

func (pyBrokenImage) Layers() ([]v1.Layer, error) { return nil, errors.New("layers unavailable") }

func pyWriteFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
}

func pyReadFile(t *testing.T, dir, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	require.NoError(t, err)
	return string(data)
}
