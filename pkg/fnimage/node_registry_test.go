package fnimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1" //nolint:gosec // npm's legacy "shasum" field is SHA-1
	"crypto/sha512"
	"debug/elf"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeNpmPackage is one package version served by fakeNpmRegistry.
type fakeNpmPackage struct {
	name, version string
	fields        map[string]any    // more package.json fields: dependencies, os, cpu, libc, scripts, bin...
	files         map[string][]byte // files besides package.json, by path in the package
	exec          map[string]bool   // files to mark executable
}

// fakeNpmRegistry serves packuments and tarballs the way registry.npmjs.org
// does, enough for `npm install --package-lock-only` and `npm ci`.
type fakeNpmRegistry struct {
	URL       string
	packument map[string][]byte // by package name
	tarball   map[string][]byte // by URL path
}

func startFakeNpmRegistry(pkgs ...fakeNpmPackage) *fakeNpmRegistry {
	r := &fakeNpmRegistry{packument: map[string][]byte{}, tarball: map[string][]byte{}}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = srv.URL + "/"
	versions := map[string]map[string]any{}
	latest := map[string]string{}
	for _, p := range pkgs {
		manifest := map[string]any{"name": p.name, "version": p.version}
		for k, v := range p.fields {
			manifest[k] = v
		}
		tgz := npmTarball(manifest, p.files, p.exec)
		tarPath := "/" + p.name + "/-/" + p.name[strings.LastIndex(p.name, "/")+1:] + "-" + p.version + ".tgz"
		r.tarball[tarPath] = tgz
		sum512 := sha512.Sum512(tgz)
		sum1 := sha1.Sum(tgz) //nolint:gosec // see import
		manifest["dist"] = map[string]any{
			"tarball":   srv.URL + tarPath,
			"integrity": "sha512-" + base64.StdEncoding.EncodeToString(sum512[:]),
			"shasum":    hex.EncodeToString(sum1[:]),
		}
		if versions[p.name] == nil {
			versions[p.name] = map[string]any{}
		}
		versions[p.name][p.version] = manifest
		latest[p.name] = p.version
	}
	for name, vs := range versions {
		data, err := json.Marshal(map[string]any{"name": name, "dist-tags": map[string]string{"latest": latest[name]}, "versions": vs})
		if err != nil {
			panic(err)
		}
		r.packument[name] = data
	}
	return r
}

func (r *fakeNpmRegistry) serve(w http.ResponseWriter, req *http.Request) {
	if data, ok := r.tarball[req.URL.Path]; ok {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(data)
		return
	}
	if data, ok := r.packument[strings.TrimPrefix(req.URL.Path, "/")]; ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
		return
	}
	http.Error(w, `{"error":"Not found"}`, http.StatusNotFound)
}

// npmTarball packs a package as npm publishes it: package/package.json and
// the files, gzipped.
func npmTarball(manifest map[string]any, files map[string][]byte, exec map[string]bool) []byte {
	pj, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		panic(err)
	}
	all := map[string][]byte{"package.json": pj}
	for p, data := range files {
		all[p] = data
	}
	names := make([]string, 0, len(all))
	for p := range all {
		names = append(names, p)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, p := range names {
		mode := int64(0o644)
		if exec[p] {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + p, Mode: mode, Size: int64(len(all[p])), ModTime: time.Unix(499162500, 0)}); err != nil {
			panic(err)
		}
		if _, err := tw.Write(all[p]); err != nil {
			panic(err)
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	if err := gz.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// fakeNodeAddon returns the smallest ELF header debug/elf accepts: a 64-bit
// little-endian shared object for machine, standing in for a native addon.
func fakeNodeAddon(machine elf.Machine) []byte {
	var h elf.Header64
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	h.Type = uint16(elf.ET_DYN)
	h.Machine = uint16(machine)
	h.Version = uint32(elf.EV_CURRENT)
	h.Ehsize = 64
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, h); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// fakeNodeExecutable returns the start of a 64-bit little-endian executable
// for machine whose program header names interp as its interpreter (none
// when interp is empty), standing in for a dynamically linked node.
func fakeNodeExecutable(machine elf.Machine, interp string) []byte {
	var h elf.Header64
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	h.Type = uint16(elf.ET_EXEC)
	h.Machine = uint16(machine)
	h.Version = uint32(elf.EV_CURRENT)
	h.Ehsize = 64
	h.Phoff = 64
	h.Phentsize = 56
	var phdrs []elf.Prog64
	if interp != "" {
		h.Phnum = 1
		phdrs = append(phdrs, elf.Prog64{Type: uint32(elf.PT_INTERP), Off: 64 + 56, Filesz: uint64(len(interp) + 1), Memsz: uint64(len(interp) + 1)})
	}
	var buf bytes.Buffer
	for _, v := range []any{h, phdrs} {
		if err := binary.Write(&buf, binary.LittleEndian, v); err != nil {
			panic(err)
		}
	}
	buf.WriteString(interp + "\x00")
	return buf.Bytes()
}

// testNpmPackages is the test registry's content:
//   - greet: plain JavaScript with a bin (a .bin link in node_modules);
//   - devtool: only ever a devDependency, never installed;
//   - native: a napi-rs style package with one optional package per platform
//     (x64 and arm64 for glibc, x64 for musl, darwin), each with a .node file;
//   - hello-banner: a postinstall script that prints a banner;
//   - gyp-addon: binding.gyp and nothing prebuilt, as a package built by node-gyp;
//   - prebuilt-addon: binding.gyp and `install: node-gyp-build`, with
//     prebuilds for linux x64 and arm64 (works without its script);
//   - optional-gyp: like gyp-addon, used as an optional dependency.
func testNpmPackages() []fakeNpmPackage {
	js := func(s string) map[string][]byte { return map[string][]byte{"index.js": []byte(s)} }
	platform := func(suffix, os, cpu, libc string, machine elf.Machine) fakeNpmPackage {
		fields := map[string]any{"os": []string{os}, "cpu": []string{cpu}, "main": "native." + suffix + ".node"}
		if libc != "" {
			fields["libc"] = []string{libc}
		}
		return fakeNpmPackage{name: "native-" + suffix, version: "1.0.0", fields: fields,
			files: map[string][]byte{"native." + suffix + ".node": fakeNodeAddon(machine)}}
	}
	return []fakeNpmPackage{
		{name: "greet", version: "1.0.0", fields: map[string]any{"bin": map[string]string{"greet": "bin/greet.js"}},
			files: map[string][]byte{"index.js": []byte("module.exports = n => `Hello, ${n}!`\n"), "bin/greet.js": []byte("#!/usr/bin/env node\nconsole.log(require('..')(process.argv[2]))\n")},
			exec:  map[string]bool{"bin/greet.js": true}},
		{name: "devtool", version: "1.0.0", files: js("module.exports = 'dev only'\n")},
		{name: "native", version: "1.0.0", files: js("module.exports = 'native'\n"), fields: map[string]any{"optionalDependencies": map[string]string{
			"native-linux-x64-gnu": "1.0.0", "native-linux-arm64-gnu": "1.0.0", "native-linux-x64-musl": "1.0.0", "native-darwin-arm64": "1.0.0"}}},
		platform("linux-x64-gnu", "linux", "x64", "glibc", elf.EM_X86_64),
		platform("linux-arm64-gnu", "linux", "arm64", "glibc", elf.EM_AARCH64),
		platform("linux-x64-musl", "linux", "x64", "musl", elf.EM_X86_64),
		platform("darwin-arm64", "darwin", "arm64", "", elf.EM_AARCH64),
		{name: "hello-banner", version: "1.0.0", files: js("module.exports = 1\n"),
			fields: map[string]any{"scripts": map[string]string{"postinstall": "node -e \"console.log('thanks for installing')\""}}},
		{name: "gyp-addon", version: "1.0.0", files: map[string][]byte{"index.js": []byte("module.exports = require('./build/Release/addon.node')\n"), "binding.gyp": []byte("{}\n")}},
		{name: "prebuilt-addon", version: "1.0.0",
			fields: map[string]any{"scripts": map[string]string{"install": "node-gyp-build"}},
			files: map[string][]byte{"index.js": []byte("module.exports = 1\n"), "binding.gyp": []byte("{}\n"),
				"prebuilds/linux-x64/addon.node": fakeNodeAddon(elf.EM_X86_64), "prebuilds/linux-arm64/addon.node": fakeNodeAddon(elf.EM_AARCH64)}},
		{name: "optional-gyp", version: "1.0.0", files: map[string][]byte{"index.js": []byte("module.exports = 1\n"), "binding.gyp": []byte("{}\n")}},
	}
}

var (
	testNpmOnce sync.Once
	testNpm     *fakeNpmRegistry
)

// testNpmRegistry returns the registry shared by the tests of this process.
func testNpmRegistry() *fakeNpmRegistry {
	testNpmOnce.Do(func() { testNpm = startFakeNpmRegistry(testNpmPackages()...) })
	return testNpm
}

// nodeFuncDir copies testdata/node/<name> to a new directory and points npm
// at the test registry with a private cache (a .npmrc, which the copy's
// .dockerignore may leave out of the image). With lock, package-lock.json is
// made by the real npm, as a developer would (`npm install
// --package-lock-only`).
func nodeFuncDir(t *testing.T, name string, lock bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "node", name))))
	npmrc := "registry=" + testNpmRegistry().URL + "\ncache=" + filepath.Join(t.TempDir(), "npm-cache") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".npmrc"), []byte(npmrc), 0o644))
	if lock {
		npmLock(t, dir)
	}
	return dir
}

// npmLock runs `npm install --package-lock-only` in dir.
func npmLock(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "npm install --package-lock-only:\n%s", out)
}
