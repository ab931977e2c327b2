package fnimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// minNpm is the oldest npm that can install for another platform: --os and
// --cpu came in 10.1, --libc in 10.2. Whatever the version, the installed
// tree is checked against the target afterwards.
var minNpm = [2]int{10, 2}

// npmCPU maps image architectures to npm's "cpu" values (Node's process.arch).
var npmCPU = map[string]string{"amd64": "x64", "arm64": "arm64"}

// npmHiddenLockfile is npm's record of what it installed, kept inside
// node_modules. Its content depends on the build machine's npm version and
// configuration (e.g. omit-lockfile-registry-resolved), and nothing reads it
// at run time, so it stays out of the image.
const npmHiddenLockfile = ".package-lock.json"

// npmArgs returns the npm command line that installs the production
// dependencies for platform p with C library libc.
func npmArgs(p v1.Platform, libc string) ([]string, error) {
	cpu, ok := npmCPU[p.Architecture]
	if !ok || p.OS != "linux" {
		return nil, &UnsupportedError{What: "the node runtime cannot install dependencies for " + platformString(p),
			Fix: "build for linux/amd64 or linux/arm64"}
	}
	// --include=prod overrides an include=dev that an npmrc may set; the
	// rest pins settings an npmrc could change and that shape node_modules.
	return []string{"ci", "--omit=dev", "--os=" + p.OS, "--cpu=" + cpu, "--libc=" + libc,
		"--ignore-scripts", "--include=prod", "--install-strategy=hoisted", "--bin-links",
		"--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=warn"}, nil
}

// npmSummary is the part of npm's command line that says what it does, for
// history and progress: up to --ignore-scripts.
func npmSummary(args []string) string {
	if i := slices.Index(args, "--ignore-scripts"); i >= 0 {
		args = args[:i+1]
	}
	return "npm " + strings.Join(args, " ")
}

// nodeModulesLayer is the layer of /function/node_modules for t. Its cache
// key covers everything npm's result depends on; on a hit npm is not run.
func (j *job) nodeModulesLayer(ctx context.Context, t target, in *nodeInputs, base nodeBase) (layerSpec, error) {
	libc := base.Libc
	if libc == "" {
		libc = "glibc" // fnproject's images (Oracle Linux) and most others
	}
	args, err := npmArgs(t.platform, libc)
	if err != nil {
		return layerSpec{}, err
	}
	tools, err := npmTools(ctx, j.runtime.String(), t.String())
	if err != nil {
		return layerSpec{}, err
	}
	parts := []string{"node-modules/v1", j.runtime.String(), "npm " + tools.npmVersion, "node " + tools.nodeVersion,
		t.String(), t.platform.Variant, t.baseDigest, strings.Join(args, " "),
		"package.json", string(in.packageJSON), ".npmrc", string(in.npmrc)}
	parts = append(parts, in.lockParts()...)
	return layerSpec{
		cacheKey:  cacheKey(parts...),
		createdBy: fmt.Sprintf("osa build: %s (%s, %s)", npmSummary(args), j.runtime, t),
		produce: func(ctx context.Context) ([]layerEntry, error) {
			return j.npmInstall(ctx, t, in, tools.npm, args, libc)
		},
	}, nil
}

// npmInstall runs npm in a scratch directory of its own (platforms build in
// parallel) holding copies of package.json, the lock files and .npmrc, then
// checks and maps node_modules.
func (j *job) npmInstall(ctx context.Context, t target, in *nodeInputs, npm string, args []string, libc string) ([]layerEntry, error) {
	dir := filepath.Join(j.tmp, "npm-"+t.platform.Architecture+t.platform.Variant)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	inputs := map[string][]byte{"package.json": in.packageJSON}
	for name, data := range in.locks {
		inputs[name] = data
	}
	if in.npmrc != nil {
		inputs[".npmrc"] = in.npmrc
	}
	for name, data := range inputs {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, err
		}
	}

	j.o.progress(Progress{Stage: StageCompile, Platform: t.String(), Message: npmSummary(args)})
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		output := trimNpmOutput(npmPathFree(out.String(), dir))
		return nil, &BuildError{Runtime: j.runtime.String(), Platform: t.String(), Step: "npm " + args[0],
			Output: output, Err: err, Fix: npmFix(output, in.lockName, t.String())}
	}
	if s := strings.TrimSpace(npmPathFree(out.String(), dir)); s != "" {
		j.o.logger.Debug("npm output", "platform", t.String(), "output", s)
	}

	modules := filepath.Join(dir, nodeModules)
	if err := j.checkNodeModules(modules, t, libc); err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(modules, npmHiddenLockfile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if !isDir(modules) { // every dependency was optional and for other platforms
		return []layerEntry{{path: imagePath(functionDir + "/" + nodeModules), mode: fs.ModeDir | 0o755}}, nil
	}
	entries, err := dirEntries(modules, functionDir+"/"+nodeModules)
	if err != nil {
		return nil, &BuildError{Runtime: j.runtime.String(), Platform: t.String(), Step: "npm " + args[0],
			Err: err, Fix: "a package installed a link that leaves node_modules; report it to its authors, or replace the package"}
	}
	return entries, nil
}

// trimNpmOutput drops the usage text npm prints after some errors.
func trimNpmOutput(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	out := make([]string, 0, len(lines))
	skipping := false
	for _, l := range lines {
		body := strings.TrimSpace(strings.TrimPrefix(l, "npm error"))
		switch {
		case strings.HasPrefix(body, "Clean install a project"), strings.HasPrefix(body, "Usage:"):
			skipping = true
		case strings.HasPrefix(body, "A complete log of this run"), strings.HasPrefix(body, "code "):
			skipping = false
		}
		if !skipping {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// npmFix says what to do about a failed npm ci, from npm's output.
func npmFix(output, lockName, platform string) string {
	switch {
	case strings.Contains(output, "in sync"), strings.Contains(output, "from lock file"):
		return "package.json and " + lockName + " do not match: run `npm install --package-lock-only` in the function directory and commit the updated " + lockName +
			" (remove node_modules first if it is there: npm then records the optional packages of every platform, not only the build machine's)"
	case strings.Contains(output, "EBADPLATFORM"):
		return "a dependency that is not optional does not support " + platform + ": use a version of it that does, make it an optional dependency, or build only for the platforms it supports"
	case strings.Contains(output, "EINTEGRITY"):
		return "a downloaded package does not match the checksum in " + lockName + ": if the registry is right, regenerate the lock file with `npm install --package-lock-only`"
	case strings.Contains(output, "E401"), strings.Contains(output, "E403"), strings.Contains(output, "ENEEDAUTH"):
		return "the registry refused the credentials: give them in the function's .npmrc (it can be left out of the image with .dockerignore) or in ~/.npmrc"
	case strings.Contains(output, "E404"), strings.Contains(output, "ETARGET"), strings.Contains(output, "ENOVERSIONS"):
		return "a locked package version is not in the registry: check the registry npm uses (.npmrc), or update the dependency and the lock file"
	case strings.Contains(output, "ENOTFOUND"), strings.Contains(output, "ECONNREFUSED"), strings.Contains(output, "ETIMEDOUT"), strings.Contains(output, "EAI_AGAIN"):
		return "npm could not reach the registry: check the network, proxy settings and the registry in .npmrc"
	}
	return "fix the problem npm reports above; osa runs `npm ci --omit=dev` in a copy of package.json, the lock file and .npmrc"
}

// npmToolchain is the npm that installs dependencies, with the versions that
// go into cache keys.
type npmToolchain struct {
	npm, npmVersion, nodeVersion string
}

// npmToolMemo keeps tool versions for this process, by binary path, size and
// time, so that a cached build does not run npm at all after the first.
var npmToolMemo sync.Map

// npmTools finds npm and node on PATH and checks npm's version.
func npmTools(ctx context.Context, runtime, platform string) (npmToolchain, error) {
	missing := func(tool string, err error) error {
		return &BuildError{Runtime: runtime, Platform: platform, Step: tool + " --version", Err: err,
			Fix: fmt.Sprintf("install Node.js with npm %d.%d or newer on the build machine: osa runs its npm to install the dependencies", minNpm[0], minNpm[1])}
	}
	npm, npmVersion, err := nodeToolVersion(ctx, "npm")
	if err != nil {
		return npmToolchain{}, missing("npm", err)
	}
	_, nodeVersion, err := nodeToolVersion(ctx, "node")
	if err != nil {
		return npmToolchain{}, missing("node", err)
	}
	if !npmVersionAtLeast(npmVersion, minNpm) {
		return npmToolchain{}, &BuildError{Runtime: runtime, Platform: platform, Step: "npm --version",
			Err: fmt.Errorf("npm %s cannot install for another platform (it needs --os, --cpu and --libc)", npmVersion),
			Fix: fmt.Sprintf("upgrade npm to %d.%d or newer, e.g. `npm install -g npm@11`", minNpm[0], minNpm[1])}
	}
	return npmToolchain{npm: npm, npmVersion: npmVersion, nodeVersion: nodeVersion}, nil
}

// nodeToolVersion runs `tool --version` once per binary for this process.
func nodeToolVersion(ctx context.Context, tool string) (string, string, error) {
	p, err := exec.LookPath(tool)
	if err != nil {
		return "", "", err
	}
	st, err := os.Stat(p)
	if err != nil {
		return "", "", err
	}
	key := fmt.Sprintf("%s\x00%d\x00%d", p, st.Size(), st.ModTime().UnixNano())
	if v, ok := npmToolMemo.Load(key); ok {
		return p, v.(string), nil
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, p, "--version")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("%s --version: %w: %s", p, err, strings.TrimSpace(stderr.String()))
	}
	v := strings.TrimPrefix(strings.TrimSpace(stdout.String()), "v")
	npmToolMemo.Store(key, v)
	return p, v, nil
}

// npmVersionAtLeast compares the major and minor numbers of a "X.Y.Z" version.
func npmVersionAtLeast(v string, least [2]int) bool {
	fields := strings.SplitN(v, ".", 3)
	if len(fields) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(fields[0])
	minor, err2 := strconv.Atoi(fields[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major > least[0] || major == least[0] && minor >= least[1]
}

// imageModulePath is where an installed package is in the image, for messages.
func imageModulePath(rel string) string { return path.Join(functionDir, nodeModules, rel) }
