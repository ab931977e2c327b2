package fnimage

import (
	"archive/tar"
	"context"
	"debug/elf"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/require"
)

func TestNpmArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		platform v1.Platform
		libc     string
		want     string
	}{
		{amd64, "glibc", "ci --omit=dev --os=linux --cpu=x64 --libc=glibc --ignore-scripts --include=prod --install-strategy=hoisted --bin-links --no-audit --no-fund --no-update-notifier --loglevel=warn"},
		{arm64, "musl", "ci --omit=dev --os=linux --cpu=arm64 --libc=musl --ignore-scripts --include=prod --install-strategy=hoisted --bin-links --no-audit --no-fund --no-update-notifier --loglevel=warn"},
	} {
		got, err := npmArgs(tc.platform, tc.libc)
		require.NoError(t, err)
		require.Equal(t, tc.want, strings.Join(got, " "), "npmArgs(%s, %s)", platformString(tc.platform), tc.libc)
	}
	_, err := npmArgs(v1.Platform{OS: "linux", Architecture: "s390x"}, "glibc")
	var ue *UnsupportedError
	require.ErrorAs(t, err, &ue)
}

func TestNodeListAllows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		list  nodeList
		value string
		want  bool
	}{
		{nil, "x64", true},
		{nodeList{"any"}, "arm64", true},
		{nodeList{"x64"}, "x64", true},
		{nodeList{"x64"}, "arm64", false},
		{nodeList{"x64", "arm64"}, "arm64", true},
		{nodeList{"!arm64"}, "x64", true},
		{nodeList{"!arm64"}, "arm64", false},
		{nodeList{"!ia32", "x64"}, "x64", true},
		{nodeList{"!ia32", "x64"}, "arm64", false},
		{nodeList{"glibc"}, "musl", false},
	} {
		require.Equal(t, tc.want, tc.list.allows(tc.value), "%v.allows(%q)", tc.list, tc.value)
	}
}

func TestNodeListUnmarshal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want nodeList
	}{
		{`{"cpu":"x64"}`, nodeList{"x64"}},
		{`{"cpu":["x64","!arm"]}`, nodeList{"x64", "!arm"}},
		{`{}`, nil},
	} {
		pkg, err := parseNodePackage("package.json", []byte(tc.in))
		require.NoError(t, err)
		require.Equal(t, tc.want, pkg.CPU, "cpu of %s", tc.in)
	}
	_, err := parseNodePackage("package.json", []byte(`{"cpu": 3}`))
	var ce *ContextError
	require.ErrorAs(t, err, &ce)
}

func TestProductionDependencies(t *testing.T) {
	t.Parallel()
	pkg, err := parseNodePackage("package.json", []byte(`{
		"dependencies": {"b": "1", "a": "2"},
		"optionalDependencies": {"c": "1", "a": "2"},
		"peerDependencies": {"d": "^3"},
		"devDependencies": {"e": "1"}
	}`))
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c", "d"}, pkg.productionDependencies())
}

func TestIsLocalNodeSpec(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]bool{
		"1.0.0": false, "^2": false, "latest": false, "npm:other@1": false, "github:a/b": false,
		"https://example.com/x.tgz": false, "git+https://example.com/x.git": false,
		"file:../lib": true, "file:vendor/x.tgz": true, "link:../x": true, "./lib": true, "../lib": true,
		"/abs/lib": true, "~/lib": true, ".": true,
	} {
		require.Equal(t, want, isLocalNodeSpec(spec), "isLocalNodeSpec(%q)", spec)
	}
}

func TestNpmrcHasCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		npmrc string
		want  bool
	}{
		{"registry=https://registry.example.com/\n", false},
		{"//registry.example.com/:_authToken=abc\n", true},
		{"  //r.example.com/:_auth = dXNlcjpwYXNz\n", true},
		{"_password=x\n", true},
		{"# //registry.example.com/:_authToken=abc\n", false},
		{"; _auth=x\n", false},
		{"@scope:registry=https://r.example.com/\nalways-auth=true\n", false},
	} {
		require.Equal(t, tc.want, npmrcHasCredentials([]byte(tc.npmrc)), "npmrcHasCredentials(%q)", tc.npmrc)
	}
}

func TestTrimNpmOutput(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		"npm error code EUSAGE",
		"npm error",
		"npm error `npm ci` can only install packages when your package.json and package-lock.json are in sync.",
		"npm error Missing: x@1.0.0 from lock file",
		"npm error",
		"npm error Clean install a project",
		"npm error",
		"npm error Usage:",
		"npm error npm ci",
		"npm error   --omit",
		"npm error Run \"npm help ci\" for more info",
		"npm error A complete log of this run can be found in: /root/.npm/_logs/x.log",
	}, "\n")
	want := strings.Join([]string{
		"npm error code EUSAGE",
		"npm error",
		"npm error `npm ci` can only install packages when your package.json and package-lock.json are in sync.",
		"npm error Missing: x@1.0.0 from lock file",
		"npm error",
		"npm error A complete log of this run can be found in: /root/.npm/_logs/x.log",
	}, "\n")
	require.Equal(t, want, trimNpmOutput(in))
	require.Equal(t, "npm error code E404\nnpm error 404 Not Found", trimNpmOutput("npm error code E404\nnpm error 404 Not Found\n"))
}

func TestNpmFix(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		output, want string
	}{
		{"npm error Missing: x@1 from lock file", "npm install --package-lock-only"},
		{"npm error code EBADPLATFORM", "does not support linux/arm64"},
		{"npm error code EINTEGRITY", "checksum"},
		{"npm error code E401", "credentials"},
		{"npm error code E404\nnpm error 404 Not Found - GET https://r.example/x", "not in the registry"},
		{"npm error code ENOTFOUND", "could not reach the registry"},
		{"npm error something else", "npm ci --omit=dev"},
	} {
		require.Contains(t, npmFix(tc.output, "package-lock.json", "linux/arm64"), tc.want, "npmFix(%q)", tc.output)
	}
}

func TestNpmVersionAtLeast(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{
		"11.19.1": true, "10.2.0": true, "10.9.2": true, "10.1.0": false, "9.9.9": false,
		"12.0.0-pre": true, "garbage": false, "": false, "10": false,
	} {
		require.Equal(t, want, npmVersionAtLeast(v, [2]int{10, 2}), "npmVersionAtLeast(%q)", v)
	}
}

func TestNodeBaseFSLookPath(t *testing.T) {
	t.Parallel()
	dir := func() nodeBaseFile { return nodeBaseFile{typeflag: tar.TypeDir, mode: 0o755} }
	exe := func() nodeBaseFile { return nodeBaseFile{typeflag: tar.TypeReg, mode: 0o755} }
	link := func(to string) nodeBaseFile { return nodeBaseFile{typeflag: tar.TypeSymlink, linkname: to} }
	files := nodeBaseFS{
		"usr": dir(), "usr/bin": dir(), "usr/local": dir(), "usr/local/bin": dir(), "etc": dir(), "etc/alternatives": dir(),
		"bin":                   link("usr/bin"),
		"usr/bin/nodejs":        exe(),
		"usr/bin/node":          link("/etc/alternatives/node"),
		"etc/alternatives/node": link("../../usr/bin/nodejs"),
		"usr/local/bin/readme":  {typeflag: tar.TypeReg, mode: 0o644},
		"usr/local/bin/loop":    link("loop"),
		"usr/local/bin/hard":    {typeflag: tar.TypeLink, linkname: "usr/bin/nodejs"},
		"usr/local/bin/dangles": link("/nowhere"),
		"opt":                   link("/usr/local"),
	}
	for _, tc := range []struct {
		cmd, path, want string
	}{
		{"node", "/usr/local/bin:/usr/bin", "/usr/bin/node"},
		{"node", "/bin", "/bin/node"},
		{"nodejs", "/opt/bin:/bin", "/bin/nodejs"},
		{"/usr/bin/node", "", "/usr/bin/node"},
		{"/opt/bin/hard", "", "/opt/bin/hard"},
		{"readme", "/usr/local/bin", ""}, // not executable
		{"loop", "/usr/local/bin", ""},
		{"dangles", "/usr/local/bin", ""},
		{"node", "relative/bin:/sbin", ""},
		{"/usr/bin", "", ""}, // a directory
	} {
		require.Equal(t, tc.want, files.lookPath(tc.cmd, tc.path), "lookPath(%q, %q)", tc.cmd, tc.path)
	}
}

func TestCheckNodeEntrypoint(t *testing.T) {
	t.Parallel()
	files := []ContextFile{
		{Rel: "func.js", Mode: 0o644},
		{Rel: "lib", Mode: fs.ModeDir | 0o755},
		{Rel: "lib/main.mjs", Mode: 0o644},
		{Rel: "link.js", Mode: fs.ModeSymlink | 0o777, LinkTarget: "func.js"},
	}
	for _, tc := range []struct {
		entrypoint string
		missing    string // the file reported, "" for no error
	}{
		{"node func.js", ""},
		{"node --enable-source-maps lib/main.mjs", ""},
		{"/usr/bin/node /function/func.js", ""},
		{"node ./lib/main.mjs", ""},
		{"node link.js", ""},
		{"node server.js", "server.js"},
		{"nodejs /function/lib/other.cjs", "lib/other.cjs"},
		{"node /opt/app/main.js", ""}, // the run image's business
		{"node dist", ""},             // a directory or a name node resolves itself
		{"./func", ""},
		{"", ""},
	} {
		j := &job{dir: "/src", fn: &FuncFile{Entrypoint: tc.entrypoint, Path: "/src/func.yaml"}, files: files}
		err := j.checkNodeEntrypoint()
		if tc.missing == "" {
			require.NoError(t, err, "entrypoint %q", tc.entrypoint)
			continue
		}
		var ce *ContextError
		require.True(t, errors.As(err, &ce), "entrypoint %q: %v", tc.entrypoint, err)
		require.Equal(t, filepath.Join("/src", tc.missing), ce.Path)
	}
}

func TestSummariseNodeNames(t *testing.T) {
	t.Parallel()
	require.Equal(t, "a, b", summariseNodeNames([]string{"a", "b"}, 2))
	require.Equal(t, "a, b and 2 more", summariseNodeNames([]string{"a", "b", "c", "d"}, 2))
}

func TestNodeELFInterpreter(t *testing.T) {
	t.Parallel()
	full := fakeNodeExecutable(elf.EM_AARCH64, "/lib/ld-linux-aarch64.so.1")
	for _, tc := range []struct {
		name string
		head []byte
		want string
	}{
		{"dynamic", full, "/lib/ld-linux-aarch64.so.1"},
		{"musl", fakeNodeExecutable(elf.EM_X86_64, "/lib/ld-musl-x86_64.so.1"), "/lib/ld-musl-x86_64.so.1"},
		{"static", fakeNodeExecutable(elf.EM_X86_64, ""), ""},
		{"truncated", full[:100], ""},
		{"a script", []byte("#!/bin/sh\nexec /opt/node/bin/node \"$@\"\n"), ""},
		{"empty", nil, ""},
	} {
		require.Equal(t, tc.want, nodeELFInterpreter(tc.head), tc.name)
	}
}

func TestScanNodeBase(t *testing.T) {
	t.Parallel()
	image := func(t *testing.T, entries ...layerEntry) v1.Image {
		t.Helper()
		l, err := writeLayer(entries, types.OCILayer, time.Unix(0, 0))
		require.NoError(t, err)
		img, err := mutate.AppendLayers(empty.Image, l)
		require.NoError(t, err)
		return img
	}
	musl := fakeNodeExecutable(elf.EM_X86_64, "/lib/ld-musl-x86_64.so.1")
	for _, tc := range []struct {
		name    string
		entries []layerEntry
		cmd     string
		path    string
		want    nodeBase
	}{
		{"node in PATH names its C library", []layerEntry{{path: "usr/local/bin/node", mode: 0o755, data: musl}},
			"node", "/usr/local/bin:/usr/bin", nodeBase{Node: "/usr/local/bin/node", Libc: "musl"}},
		{"node through a link, C library from the loader", []layerEntry{
			{path: "bin", mode: fs.ModeSymlink | 0o777, linkname: "usr/bin"},
			{path: "usr/bin/node", mode: 0o755, data: []byte("#!/bin/sh\n")},
			{path: "usr/lib64/ld-linux-x86-64.so.2", mode: 0o755, data: []byte("x")},
		}, "node", "/bin", nodeBase{Node: "/bin/node", Libc: "glibc"}},
		{"absolute entrypoint", []layerEntry{{path: "opt/node/bin/node", mode: 0o755, data: musl}},
			"/opt/node/bin/node", "/usr/bin", nodeBase{Node: "/opt/node/bin/node", Libc: "musl"}},
		{"node not executable", []layerEntry{{path: "usr/bin/node", mode: 0o644, data: musl}},
			"node", "/usr/bin", nodeBase{}},
		{"no node", []layerEntry{{path: "lib/ld-musl-aarch64.so.1", mode: 0o755, data: []byte("x")}},
			"node", "/usr/bin", nodeBase{Libc: "musl"}},
		{"not looking for node", []layerEntry{{path: "usr/bin/node", mode: 0o755, data: musl}, {path: "lib64/ld-linux-x86-64.so.2", mode: 0o755, data: []byte("x")}},
			"", "/usr/bin", nodeBase{Libc: "glibc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := scanNodeBase(context.Background(), image(t, tc.entries...), tc.cmd, tc.path)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
