package fnimage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pythonRuntime builds python3.11 and python3.12 functions as fn's python
// runtime does (fn-contract.md §1.6, §7): the dependencies of
// requirements.txt (and the function's own project when it has a setup.py)
// installed by `pip install --target /python` in one layer, the build context
// minus .pip_cache in /function in another, and PYTHONPATH=/function:/python.
//
// It differs from fn's Dockerfile where a build without the run image's
// machine requires it:
//   - pip runs on the build machine (python3 from PATH) for the TARGET:
//     --platform with every manylinux tag the run image's glibc accepts for
//     the architecture, --python-version and --abi of the runtime,
//     --implementation cp and --only-binary=:all:. A requirement without a
//     wheel for the target is an error that names it (osa cannot compile C
//     extensions for another machine); fn would build the sdist in its build
//     image instead.
//   - --no-compile: no .pyc files (they would be compiled by another Python
//     and record the build machine's file times); Python compiles in memory
//     at start-up, as the root file system is read-only.
//   - console scripts such as /python/bin/fdk get the run image's
//     interpreter in their shebang, found in the run image's files (pip
//     writes the build machine's interpreter there), and their RECORD rows
//     follow; direct_url.json files, which record build-machine paths, are
//     dropped.
//   - /python/.osa-requirements.txt lists every installed distribution as
//     name==version, sorted.
//   - with setup.py, the project is built into a wheel on the build machine
//     (`pip wheel --no-deps`, in a copy of the build context) and installed
//     with the requirements; a project that compiles extension modules (a
//     platform wheel) is refused.
//
// The dependency layer is cached (WithCacheDir) under a key of everything it
// is made from, so a rebuild that changes only source files runs no pip.
type pythonRuntime struct{}

var _ runtimeBuilder = pythonRuntime{}

const (
	pythonDir      = "/python"
	pipCacheDir    = ".pip_cache"
	requirementsTx = "requirements.txt"
	setupPy        = "setup.py"
	// pythonLayerFormat versions how the dependency layer is made; change it
	// when the layer's content changes for the same inputs.
	pythonLayerFormat = "python-deps-v1"
)

// env adds PYTHONPATH=/function:/python, as fn's Dockerfile does.
func (pythonRuntime) env() []string {
	return []string{"PYTHONPATH=" + functionDir + ":" + pythonDir}
}

func (pythonRuntime) layers(ctx context.Context, j *job, t target) ([]layerSpec, error) {
	plat, version := t.String(), j.runtime.Version
	in, err := j.pythonInputs()
	if err != nil {
		return nil, err
	}
	interp, pt, err := j.pythonTarget(ctx, t)
	if err != nil {
		return nil, err
	}
	source := layerSpec{
		entries:   j.contextEntries(functionDir, func(rel string) bool { return rel == pipCacheDir }),
		createdBy: fmt.Sprintf("osa build: ADD . %s/ (%s)", functionDir, j.runtime),
	}
	if !in.install() {
		return []layerSpec{source}, nil
	}
	host, err := probeHostPython(ctx, j.o.python, j.runtime.String(), plat)
	if err != nil {
		return nil, err
	}
	what := "-r " + requirementsTx
	switch {
	case in.setupPy && in.requirements != nil:
		what += " ."
	case in.setupPy:
		what = "."
	}
	key := []string{
		pythonLayerFormat, version, "pip " + host.pip, plat, t.baseDigest, interp,
		strings.Join(pt.installArgs(pythonDir), " "),
		"requirements:" + string(in.requirements), "requirements-present:" + fmt.Sprint(in.requirements != nil),
		"pip-cache:" + in.pipCacheDigest, "project:" + in.projectDigest,
		"entrypoint:" + strings.Join(j.fn.EntrypointArgs(), " "),
	}
	key = append(key, pipConfigEnv(os.Environ())...)
	deps := layerSpec{
		produce: func(ctx context.Context) ([]layerEntry, error) {
			return j.pipInstall(ctx, t, pt, host, interp, in)
		},
		cacheKey: cacheKey(key...),
		createdBy: fmt.Sprintf("osa build: pip install --target %s %s (%s, %s, %s, glibc %s)",
			pythonDir, what, j.runtime, pt.abi(), plat, glibcOfTags(pt.tags)),
	}
	return []layerSpec{deps, source}, nil
}

// pythonTarget finds the run image's interpreter for the runtime's version
// and the wheel tags its glibc accepts.
func (j *job) pythonTarget(ctx context.Context, t target) (string, pipTarget, error) {
	plat, version := t.String(), j.runtime.Version
	ref := j.fn.RunImage
	if ref == "" {
		ref = j.runtime.DefaultRunImage()
	}
	baseErr := func(err error, fix string) error {
		return &BaseImageError{Ref: ref, Resolved: j.o.mapBase(ref), Platform: plat, Err: err, Fix: fix}
	}
	info, err := pythonBase(ctx, j.cache.dir, t)
	if err != nil {
		return "", pipTarget{}, baseErr(fmt.Errorf("reading its %s files to find Python %s: %w", plat, version, err),
			"check that the run image can be pulled (see the error above)")
	}
	interp := info.Interpreters[version]
	if interp == "" {
		fix := fmt.Sprintf("use a run image with Python %s, such as fnproject/python:%s (any image with /usr/bin/python%s or "+
			"/usr/local/bin/python%s works)", version, version, version, version)
		var others []string
		for v := range info.Interpreters {
			if _, err := ParseRuntime("python" + v); err == nil {
				others = append(others, "python"+v)
			}
		}
		if len(others) > 0 {
			slices.Sort(others)
			fix += ", or set runtime: " + strings.Join(others, " or ") + " in func.yaml to match the image"
		}
		return "", pipTarget{}, baseErr(fmt.Errorf("no Python %s interpreter for %s: looked for python%s in the directories of "+
			"its PATH, then anywhere in its files; it has %s", version, plat, version, info.otherInterpreters()), fix)
	}
	glibc := info.Glibc
	if glibc == "" {
		glibc = pyAssumedGlibc
		j.o.logger.Warn("no GNU C library found in the run image; installing wheels for glibc "+pyAssumedGlibc+" (manylinux2014)",
			"platform", plat, "run_image", ref)
	}
	arch, err := wheelArch(t.platform)
	if err != nil {
		return "", pipTarget{}, &UnsupportedError{What: fmt.Sprintf("%s: %v", j.fn.Path, err), Fix: "build for linux/amd64 or linux/arm64"}
	}
	tags, err := manylinuxTags(arch, glibc)
	if err != nil {
		return "", pipTarget{}, baseErr(err, "use a run image with glibc 2.17 or newer, such as fnproject/python:"+version)
	}
	return interp, pipTarget{version: version, tags: tags}, nil
}

// pythonInputs is what the function directory gives a Python build.
type pythonInputs struct {
	requirements   []byte // requirements.txt; nil when there is none
	setupPy        bool
	pipCache       bool   // .pip_cache/ is in the build context
	pipCacheDigest string // of .pip_cache's files, when present
	projectDigest  string // of the whole build context, when setupPy or requirements.txt names local files
}

// install reports whether there is anything for pip to install.
func (in *pythonInputs) install() bool { return in.requirements != nil || in.setupPy }

// pythonInputs reads and checks the function's Python inputs: the files the
// entrypoint names must be in the build context, and an entrypoint under
// /python needs something that installs it.
func (j *job) pythonInputs() (*pythonInputs, error) {
	in := &pythonInputs{}
	kinds := map[string]os.FileMode{}
	for _, f := range j.files {
		kinds[f.Rel] = f.Mode
	}
	if m, ok := kinds[requirementsTx]; ok && !m.IsDir() {
		data, err := os.ReadFile(filepath.Join(j.dir, requirementsTx))
		if err != nil {
			return nil, &ContextError{Path: filepath.Join(j.dir, requirementsTx), Problem: "cannot be read", Err: err,
				Fix: "make it a readable file"}
		}
		in.requirements = data
	} else if isRegular(filepath.Join(j.dir, requirementsTx)) {
		return nil, &ContextError{Path: filepath.Join(j.dir, requirementsTx), Problem: "excluded by .dockerignore, but the build needs it",
			Fix: "remove the pattern that matches requirements.txt from .dockerignore"}
	}
	if m, ok := kinds[setupPy]; ok && !m.IsDir() {
		in.setupPy = true
	}
	if m, ok := kinds[pipCacheDir]; ok && m.IsDir() {
		in.pipCache = true
	}
	ep := j.fn.EntrypointArgs()
	if len(ep) > 0 && strings.HasPrefix(ep[0], pythonDir+"/") && !in.install() {
		return nil, &ContextError{Path: filepath.Join(j.dir, requirementsTx),
			Problem: fmt.Sprintf("missing: the entrypoint runs %s, which pip installs from requirements.txt", ep[0]),
			Fix:     "add a requirements.txt that names the FDK, e.g. a line fdk==0.1.128"}
	}
	for _, arg := range ep {
		rel, ok := strings.CutPrefix(arg, functionDir+"/")
		if !ok {
			continue
		}
		if m, found := kinds[rel]; !found || m.IsDir() {
			return nil, &ContextError{Path: filepath.Join(j.dir, filepath.FromSlash(rel)),
				Problem: fmt.Sprintf("missing from the build context, but the entrypoint runs %s", arg),
				Fix:     "add the file, fix the entrypoint in func.yaml, or remove the .dockerignore pattern that excludes it"}
		}
	}
	var err error
	if in.pipCache {
		if in.pipCacheDigest, err = j.contextDigest(func(rel string) bool { return strings.HasPrefix(rel, pipCacheDir+"/") }); err != nil {
			return nil, err
		}
	}
	if in.setupPy || pyRequirementsReferToFiles(in.requirements) {
		// The project is installed into /python, or requirements.txt names
		// other files (-r, -c, local paths): all of the context is an input.
		if in.projectDigest, err = j.contextDigest(func(rel string) bool {
			return rel != pipCacheDir && !strings.HasPrefix(rel, pipCacheDir+"/")
		}); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// pyRequirementsReferToFiles reports whether a requirements file names other
// files of the function: nested requirements or constraints, or local paths
// and file: URLs to install from.
func pyRequirementsReferToFiles(req []byte) bool {
	for _, line := range strings.Split(string(req), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, p := range []string{"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-f", "--find-links", ".", "/", "~"} {
			if strings.HasPrefix(line, p) {
				return true
			}
		}
		if strings.Contains(line, "file:") {
			return true
		}
	}
	return false
}

// contextDigest digests the names, kinds and contents of the build context's
// entries that keep accepts.
func (j *job) contextDigest(keep func(rel string) bool) (string, error) {
	parts := []string{}
	for _, f := range j.files {
		if !keep(f.Rel) {
			continue
		}
		parts = append(parts, f.Rel, f.Mode.Type().String(), fmt.Sprint(f.Mode.Perm()&0o111 != 0), f.LinkTarget)
		if f.Mode.IsRegular() {
			data, err := os.ReadFile(filepath.Join(j.dir, filepath.FromSlash(f.Rel)))
			if err != nil {
				return "", &ContextError{Path: filepath.Join(j.dir, f.Rel), Problem: "cannot be read", Err: err, Fix: "make it readable"}
			}
			parts = append(parts, string(data))
		}
	}
	return cacheKey(parts...), nil
}
