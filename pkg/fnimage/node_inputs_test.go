package fnimage

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// nodeBuildErr builds dir for linux/amd64 on a base with node and returns the error.
func nodeBuildErr(t *testing.T, base, dir string, opts ...Option) error {
	t.Helper()
	_, err := newNodeBuilder(t, base, opts...).Build(context.Background(), dir)
	require.Error(t, err)
	return err
}

func TestNodeBuildErrors(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushNodeBase(t, host, "fnproject/node:22", testNodeBase{}, amd64)
	noNode := pushNodeBase(t, host, "no-node:22", testNodeBase{noNode: true}, amd64)
	write := func(t *testing.T, dir, name, content string) {
		t.Helper()
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	addDependency := func(t *testing.T, dir, dep, spec string) {
		t.Helper()
		pkg, err := os.ReadFile(filepath.Join(dir, "package.json"))
		require.NoError(t, err)
		write(t, dir, "package.json", strings.Replace(string(pkg), `"greet": "1.0.0",`, `"greet": "1.0.0", "`+dep+`": "`+spec+`",`, 1))
	}
	for _, tc := range []struct {
		name    string
		fixture string
		lock    bool
		base    string
		prepare func(t *testing.T, dir string)
		check   func(t *testing.T, dir string, err error)
	}{
		{name: "missing lock file", fixture: "deps",
			check: func(t *testing.T, dir string, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, filepath.Join(dir, "package-lock.json"), ce.Path)
				require.Contains(t, ce.Problem, "greet, native")
				require.Contains(t, ce.Fix, "npm install --package-lock-only")
			}},
		{name: "lock file out of sync", fixture: "deps", lock: true,
			prepare: func(t *testing.T, dir string) { addDependency(t, dir, "hello-banner", "1.0.0") },
			check: func(t *testing.T, dir string, err error) {
				var be *BuildError
				require.ErrorAs(t, err, &be)
				require.Equal(t, "npm ci", be.Step)
				require.Contains(t, be.Output, "Missing: hello-banner@1.0.0 from lock file", "npm's own message")
				require.NotContains(t, be.Output, "Usage:", "npm's usage text is dropped")
				require.Contains(t, be.Fix, "npm install --package-lock-only")
			}},
		{name: "lock file without other platforms' packages", fixture: "deps", lock: true,
			// As npm 10.3 and later write it when node_modules is present.
			prepare: func(t *testing.T, dir string) {
				var lock map[string]any
				data, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(data, &lock))
				delete(lock["packages"].(map[string]any), "node_modules/native-linux-arm64-gnu")
				data, err = json.Marshal(lock)
				require.NoError(t, err)
				write(t, dir, "package-lock.json", string(data))
			},
			check: func(t *testing.T, dir string, err error) {
				var be *BuildError
				require.ErrorAs(t, err, &be)
				require.Contains(t, be.Output, "native-linux-arm64-gnu")
				require.Contains(t, be.Fix, "remove node_modules first")
			}},
		{name: "package that needs node-gyp", fixture: "deps",
			prepare: func(t *testing.T, dir string) { addDependency(t, dir, "gyp-addon", "1.0.0"); npmLock(t, dir) },
			check: func(t *testing.T, dir string, err error) {
				var be *BuildError
				require.ErrorAs(t, err, &be)
				require.Contains(t, be.Output, "gyp-addon@1.0.0 (/function/node_modules/gyp-addon): install: node-gyp rebuild (implied by binding.gyp)")
				require.Contains(t, be.Fix, "prebuilt binaries for linux/amd64")
			}},
		{name: "no node in the run image", fixture: "nopkg", base: noNode,
			check: func(t *testing.T, dir string, err error) {
				var bie *BaseImageError
				require.ErrorAs(t, err, &bie)
				require.Equal(t, "fnproject/node:22", bie.Ref)
				require.Equal(t, "linux/amd64", bie.Platform)
				require.ErrorContains(t, bie, "no executable node in its PATH (/usr/local/bin:/bin)")
			}},
		{name: "dependency on a local directory", fixture: "deps",
			prepare: func(t *testing.T, dir string) { addDependency(t, dir, "mylib", "file:../mylib") },
			check: func(t *testing.T, dir string, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Contains(t, ce.Problem, "mylib (file:../mylib)")
			}},
		{name: "package.json is not JSON", fixture: "deps",
			prepare: func(t *testing.T, dir string) { write(t, dir, "package.json", "{\n  \"name\": \"x\",\n  oops\n}\n") },
			check: func(t *testing.T, dir string, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Contains(t, ce.Problem, "line 3")
			}},
		{name: "package.json excluded by .dockerignore", fixture: "deps", lock: true,
			prepare: func(t *testing.T, dir string) { write(t, dir, ".dockerignore", ".npmrc\npackage.json\n") },
			check: func(t *testing.T, dir string, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, filepath.Join(dir, "package.json"), ce.Path)
			}},
		{name: "entrypoint script missing", fixture: "nopkg",
			prepare: func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "func.js"))) },
			check: func(t *testing.T, dir string, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, filepath.Join(dir, "func.js"), ce.Path)
				require.Contains(t, ce.Problem, `"node func.js"`)
			}},
		{name: "workspaces", fixture: "nodeps",
			prepare: func(t *testing.T, dir string) {
				write(t, dir, "package.json", `{"name":"ws","workspaces":["packages/*"],"dependencies":{"greet":"1.0.0"}}`)
			},
			check: func(t *testing.T, dir string, err error) {
				var ce *ContextError
				require.ErrorAs(t, err, &ce)
				require.Contains(t, ce.Problem, "workspaces")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := nodeFuncDir(t, tc.fixture, tc.lock)
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			b := base
			if tc.base != "" {
				b = tc.base
			}
			err := nodeBuildErr(t, b, dir)
			t.Log(err)
			tc.check(t, dir, err)
		})
	}
}

func TestNodeBuildWithoutInstall(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushNodeBase(t, host, "fnproject/node:22", testNodeBase{}, amd64)
	for _, tc := range []struct {
		name    string
		fixture string
		prepare func(t *testing.T, dir string)
		want    []string // the one added layer
		warning string
	}{
		{name: "no package.json", fixture: "nopkg", want: []string{
			"function/ dir 0755", "function/.dockerignore reg 0644", "function/func.js reg 0644", "function/func.yaml reg 0644",
			"function/lib/ dir 0755", "function/lib/util.js reg 0644"}},
		{name: "no package.json, local node_modules shipped as fn does", fixture: "nopkg",
			prepare: func(t *testing.T, dir string) {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "node_modules", "x"), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "node_modules", "x", "index.js"), []byte("1"), 0o644))
			},
			want: []string{
				"function/ dir 0755", "function/.dockerignore reg 0644", "function/func.js reg 0644", "function/func.yaml reg 0644",
				"function/lib/ dir 0755", "function/lib/util.js reg 0644",
				"function/node_modules/ dir 0755", "function/node_modules/x/ dir 0755", "function/node_modules/x/index.js reg 0644"},
			warning: "there is no package.json: node_modules is shipped as it is"},
		{name: "devDependencies only, no lock file", fixture: "nodeps", want: []string{
			"function/ dir 0755", "function/.dockerignore reg 0644", "function/func.js reg 0644", "function/func.yaml reg 0644",
			"function/package.json reg 0644"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := nodeFuncDir(t, tc.fixture, false)
			if tc.prepare != nil {
				tc.prepare(t, dir)
			}
			var logs nodeLogBuffer
			var runs npmRuns
			res, err := newNodeBuilder(t, base, withNodeLogBuffer(&logs), runs.option()).Build(context.Background(), dir)
			require.NoError(t, err)
			require.Zero(t, runs.count(), "npm is not run")
			layers := nodeAddedLayers(t, res.Image)
			require.Len(t, layers, 1, "the source only")
			if diff := cmp.Diff(tc.want, nodeLayerListing(t, layers[0])); diff != "" {
				t.Errorf("source layer (-want +got):\n%s", diff)
			}
			if tc.warning != "" {
				require.Contains(t, logs.String(), tc.warning)
			}
		})
	}
}

func TestNodeBuildWarnings(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	base := pushNodeBase(t, host, "fnproject/node:22", testNodeBase{}, amd64)
	dir := nodeFuncDir(t, "deps", false)
	pkg := map[string]any{
		"name":                 "node-deps",
		"dependencies":         map[string]string{"greet": "1.0.0", "hello-banner": "1.0.0", "prebuilt-addon": "1.0.0"},
		"optionalDependencies": map[string]string{"optional-gyp": "1.0.0"},
	}
	data, err := json.Marshal(pkg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"), data, 0o644))
	npmLock(t, dir)
	// An .npmrc with a token that would be shipped.
	npmrc, err := os.ReadFile(filepath.Join(dir, ".npmrc"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".npmrc"), append(npmrc, "//127.0.0.1/:_authToken=secret\n"...), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".dockerignore"), nil, 0o644))

	var logs nodeLogBuffer
	res, err := newNodeBuilder(t, base, withNodeLogBuffer(&logs)).Build(context.Background(), dir)
	require.NoError(t, err, "scripts that did not run are warnings, and prebuilt-addon ships a binary for linux/amd64")
	got := logs.String()
	t.Log(got)
	for _, want := range []string{
		"install scripts were not run",
		"hello-banner@1.0.0 (postinstall: node -e",
		"optional packages that need a native build",
		"optional-gyp@1.0.0",
		".npmrc holds registry credentials and is copied into the image",
	} {
		require.Contains(t, got, want)
	}
	require.NotContains(t, got, "prebuilt-addon@1.0.0", "its prebuilt binary for the target makes its script unnecessary")
	files := nodeLayerListing(t, nodeAddedLayers(t, res.Image)[0])
	require.Contains(t, files, "function/node_modules/prebuilt-addon/prebuilds/linux-x64/addon.node reg 0644")
}
