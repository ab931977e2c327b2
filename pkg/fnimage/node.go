package fnimage

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// nodeRuntime builds Node.js functions (node22, node24) as fn's node runtime
// does (fn-contract.md §1.6): the build context in /function and, when
// package.json declares dependencies, /function/node_modules installed by
// npm. It differs from fn's Dockerfile on purpose:
//   - production dependencies only, exactly as locked: `npm ci --omit=dev`
//     from package-lock.json (or npm-shrinkwrap.json), which must exist when
//     there are dependencies; fn runs a plain `npm install`, which also
//     installs devDependencies and resolves afresh when there is no lock file;
//   - installed by the build machine's npm (10.2 or newer) for the target:
//     --os=linux --cpu=x64|arm64 --libc=glibc|musl (the libc of the run
//     image), so that per-platform optional packages (napi-rs, esbuild, sharp
//     and the like) match the image, not the build machine; the result is
//     checked afterwards;
//   - --ignore-scripts: install scripts would run on the build machine for
//     its own CPU. A package that needs a native build (binding.gyp,
//     node-gyp, prebuild-install, node-pre-gyp) and ships no binary for the
//     target is a *BuildError; other scripts that did not run are warnings;
//   - npm runs in a scratch copy of package.json, the lock file and .npmrc:
//     the function directory is never written to. A node_modules directory
//     in it is left out of the image (fn would ship it as it is, host-built
//     native addons included, and skip its install): add it to .dockerignore
//     to silence the warning;
//   - two layers: node_modules, cached with WithCacheDir and keyed by its
//     inputs, so a change to the source alone skips npm entirely; then the
//     source. npm's hidden lockfile (node_modules/.package-lock.json), a
//     cache of npm's whose content depends on the build machine's npm
//     configuration, is left out.
//
// Without a package.json the build context is shipped as it is.
type nodeRuntime struct{}

var _ runtimeBuilder = nodeRuntime{}

func (nodeRuntime) env() []string { return nil }

func (nodeRuntime) layers(ctx context.Context, j *job, t target) ([]layerSpec, error) {
	plan, err := j.nodePlan()
	if err != nil {
		return nil, err
	}
	if j.nodeFirstPlatform(t) {
		for _, w := range plan.warnings {
			j.o.logger.Warn(w, "function", j.dir)
		}
	}
	base, err := j.nodeBaseInfo(ctx, t)
	if err != nil {
		return nil, err
	}
	var specs []layerSpec
	if plan.install {
		spec, err := j.nodeModulesLayer(ctx, t, plan, base)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	skip := func(string) bool { return false }
	if plan.packageJSON != nil {
		skip = func(rel string) bool { return rel == nodeModules }
	}
	specs = append(specs, layerSpec{
		entries:   j.contextEntries(functionDir, skip),
		createdBy: fmt.Sprintf("osa build: ADD . %s/ (%s)", functionDir, j.runtime),
	})
	return specs, nil
}

// nodeFirstPlatform reports whether t is the first platform of the build, so
// that messages about the function itself are logged once, not per platform.
func (j *job) nodeFirstPlatform(t target) bool {
	return len(j.o.platforms) == 0 || platformString(j.o.platforms[0]) == t.String()
}

const nodeModules = "node_modules"

// nodeInputs is what the node runtime found in the function directory,
// checked before anything is installed.
type nodeInputs struct {
	packageJSON []byte            // nil without package.json
	install     bool              // package.json declares production dependencies
	lockName    string            // the lock file npm will use, when install
	locks       map[string][]byte // every lock file present, by name
	npmrc       []byte            // the function's .npmrc, nil without one
	warnings    []string
}

// nodePlan reads and checks package.json, the lock file and .npmrc, and the
// entrypoint's script. It reads only the function directory.
func (j *job) nodePlan() (*nodeInputs, error) {
	in := &nodeInputs{locks: map[string][]byte{}}
	if err := j.checkNodeEntrypoint(); err != nil {
		return nil, err
	}
	inContext := make(map[string]bool, len(j.files))
	for _, f := range j.files {
		if !strings.Contains(f.Rel, "/") {
			inContext[f.Rel] = true
		}
	}
	pkgPath := filepath.Join(j.dir, "package.json")
	if !isRegular(pkgPath) {
		if inContext[nodeModules] {
			in.warnings = append(in.warnings, "there is no package.json: node_modules is shipped as it is, as fn does (native addons in it are the build machine's)")
		}
		return in, nil
	}
	if !inContext["package.json"] {
		return nil, &ContextError{Path: pkgPath, Problem: "excluded by .dockerignore, but the build needs it",
			Fix: "remove the pattern that matches package.json from .dockerignore"}
	}
	var err error
	if in.packageJSON, err = readNodeInput(pkgPath); err != nil {
		return nil, err
	}
	pkg, err := parseNodePackage(pkgPath, in.packageJSON)
	if err != nil {
		return nil, err
	}
	if inContext[nodeModules] {
		in.warnings = append(in.warnings, "node_modules in the function directory is not shipped: osa installs the dependencies from the lock file for each target platform (add node_modules to .dockerignore to silence this)")
	}
	if in.npmrc, err = readOptionalNodeInput(filepath.Join(j.dir, ".npmrc")); err != nil {
		return nil, err
	}
	if inContext[".npmrc"] && npmrcHasCredentials(in.npmrc) {
		in.warnings = append(in.warnings, ".npmrc holds registry credentials and is copied into the image: add it to .dockerignore (osa still uses it to install)")
	}
	deps := pkg.productionDependencies()
	if len(deps) == 0 {
		return in, nil // nothing to install: npm is not run at all
	}
	if err := pkg.checkInstallable(pkgPath); err != nil {
		return nil, err
	}
	in.install = true
	for _, name := range []string{"npm-shrinkwrap.json", "package-lock.json"} { // npm prefers the shrinkwrap
		p := filepath.Join(j.dir, name)
		if !isRegular(p) {
			continue
		}
		if !inContext[name] {
			return nil, &ContextError{Path: p, Problem: "excluded by .dockerignore, but the build needs it",
				Fix: "remove the pattern that matches " + name + " from .dockerignore"}
		}
		data, err := readNodeInput(p)
		if err != nil {
			return nil, err
		}
		if _, err := parseNodeLock(p, data); err != nil {
			return nil, err
		}
		in.locks[name] = data
		if in.lockName == "" {
			in.lockName = name
		}
	}
	if in.lockName == "" {
		return nil, &ContextError{
			Path:    filepath.Join(j.dir, "package-lock.json"),
			Problem: fmt.Sprintf("missing: package.json declares dependencies (%s), and osa installs them only as a lock file pins them, so that every build of the same source gives the same image", summariseNodeNames(deps, 5)),
			Fix:     "run `npm install --package-lock-only` in the function directory and commit package-lock.json",
		}
	}
	return in, nil
}

// checkNodeEntrypoint requires the script that a `node SCRIPT` entrypoint
// runs to be in the build context, since the image would not start without
// it. Scripts given by an absolute path outside /function are the run
// image's business.
func (j *job) checkNodeEntrypoint() error {
	ep := j.fn.EntrypointArgs()
	if len(ep) < 2 || !isNodeCommand(ep[0]) {
		return nil
	}
	script := ""
	for _, a := range ep[1:] {
		if !strings.HasPrefix(a, "-") {
			script = a
			break
		}
	}
	switch path.Ext(script) {
	case ".js", ".mjs", ".cjs":
	default:
		return nil
	}
	rel := script
	if path.IsAbs(script) {
		var ok bool
		if rel, ok = strings.CutPrefix(path.Clean(script), functionDir+"/"); !ok {
			return nil
		}
	}
	rel = path.Clean(rel)
	for _, f := range j.files {
		if f.Rel == rel && (f.Mode.IsRegular() || f.LinkTarget != "") {
			return nil
		}
	}
	return &ContextError{
		Path:    filepath.Join(j.dir, filepath.FromSlash(rel)),
		Problem: fmt.Sprintf("missing from the build context, but the entrypoint %q runs it from %s", j.fn.Entrypoint, functionDir),
		Fix:     "add the file, remove it from .dockerignore, or correct the entrypoint in " + filepath.Base(j.fn.Path),
	}
}

func isNodeCommand(arg string) bool {
	b := path.Base(arg)
	return b == "node" || b == "nodejs"
}

func readNodeInput(p string) ([]byte, error) {
	data, err := readOptionalNodeInput(p)
	if err == nil && data == nil {
		data = []byte{}
	}
	return data, err
}

// summariseNodeNames lists up to max names, then how many more there are.
func summariseNodeNames(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}
