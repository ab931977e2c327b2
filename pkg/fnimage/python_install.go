package fnimage

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// pipInstall installs the function's requirements (and its setup.py
// project) for t into a directory of its own, makes the result independent
// of the build machine, and returns it as entries under /python.
func (j *job) pipInstall(ctx context.Context, t target, pt pipTarget, host *hostPython, interp string, in *pythonInputs) ([]layerEntry, error) {
	plat := t.String()
	work := filepath.Join(j.tmp, "python-"+t.platform.Architecture)
	dest := filepath.Join(work, "python")
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, err
	}
	args := pt.installArgs(dest)
	if in.pipCache {
		// As fn does when the function ships its own wheels.
		args = append(args, "--no-index", "--find-links", filepath.Join(j.dir, pipCacheDir))
	}
	if in.requirements != nil {
		args = append(args, "-r", filepath.Join(j.dir, requirementsTx))
	}
	if in.setupPy {
		wheel, err := j.buildProjectWheel(ctx, work, plat)
		if err != nil {
			return nil, err
		}
		args = append(args, wheel)
	}
	j.o.progress(Progress{Stage: StageCompile, Platform: plat,
		Message: fmt.Sprintf("pip install for %s (%s, glibc %s)", plat, pt.abi(), glibcOfTags(pt.tags))})
	out, err := runHostPython(ctx, j.o.python, j.dir, args...)
	out = strings.ReplaceAll(out, dest, pythonDir)
	if err != nil {
		return nil, pipFailure(j, plat, pt, out, err)
	}

	removed, err := dropPyDirectURLs(dest)
	if err != nil {
		return nil, err
	}
	exes := []string{host.executable}
	if real, err := filepath.EvalSymlinks(host.executable); err == nil && real != host.executable {
		exes = append(exes, real)
	}
	scripts, err := fixPyScripts(dest, exes, interp)
	if err != nil {
		return nil, err
	}
	if err := fixPyRecords(dest, scripts, removed); err != nil {
		return nil, err
	}
	dists, err := installedDistributions(dest)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dest, pyResolvedFile), pyResolvedVersions(dists), 0o644); err != nil {
		return nil, err
	}
	if ep := j.fn.EntrypointArgs(); len(ep) > 0 && strings.HasPrefix(ep[0], pythonDir+"/") {
		rel := strings.TrimPrefix(ep[0], pythonDir+"/")
		if !isRegular(filepath.Join(dest, filepath.FromSlash(rel))) {
			return nil, &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "checking the entrypoint",
				Err: fmt.Errorf("the entrypoint runs %s, which the requirements do not install (installed: %s)", ep[0], pyDistNames(dists)),
				Fix: "add the FDK to requirements.txt (a line fdk==0.1.128), or fix the entrypoint in func.yaml"}
		}
	}
	entries, err := dirEntries(dest, pythonDir)
	if err != nil {
		return nil, &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "reading what pip installed", Err: err,
			Fix: "a package installed something that cannot go into an image; see the error"}
	}
	return entries, nil
}

func pyDistNames(dists []pyDist) string {
	if len(dists) == 0 {
		return "nothing"
	}
	names := make([]string, len(dists))
	for i, d := range dists {
		names[i] = d.name
	}
	return strings.Join(names, ", ")
}

// buildProjectWheel builds the function's setup.py project into a wheel, in
// a copy of the build context (building in place would leave build/ and
// *.egg-info in the function directory), and returns the wheel's path. Only
// a pure-Python wheel can be installed for another machine.
func (j *job) buildProjectWheel(ctx context.Context, work, plat string) (string, error) {
	src := filepath.Join(work, "project")
	wheels := filepath.Join(work, "wheels")
	if err := j.copyPythonContext(src, func(rel string) bool {
		return rel == pipCacheDir || strings.HasPrefix(rel, pipCacheDir+"/")
	}); err != nil {
		return "", err
	}
	j.o.progress(Progress{Stage: StageCompile, Platform: plat, Message: "pip wheel --no-deps . (setup.py)"})
	out, err := runHostPython(ctx, j.o.python, src, "-m", "pip", "wheel", "--no-deps", "--progress-bar", "off",
		"--wheel-dir", wheels, src)
	out = strings.ReplaceAll(out, src, functionDir)
	if err != nil {
		return "", &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "pip wheel (setup.py)", Output: out, Err: err,
			Fix: "fix setup.py according to pip's output above; osa builds the project with `pip wheel --no-deps .` on the build machine"}
	}
	found, err := filepath.Glob(filepath.Join(wheels, "*.whl"))
	if err != nil {
		return "", err
	}
	if len(found) != 1 {
		return "", &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "pip wheel (setup.py)", Output: out,
			Err: fmt.Errorf("expected one wheel, got %d", len(found)), Fix: "check setup.py"}
	}
	name := filepath.Base(found[0])
	if !strings.HasSuffix(name, "-none-any.whl") {
		return "", &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "pip wheel (setup.py)",
			Err: fmt.Errorf("setup.py builds a platform-specific wheel (%s): osa cannot compile extension modules for %s", name, plat),
			Fix: "move the compiled part into a package that publishes manylinux wheels and require it in requirements.txt, " +
				"or make the project pure Python"}
	}
	return found[0], nil
}

// copyPythonContext copies the build context, but for the entries skip accepts,
// to dir: files, directories and symbolic links as they are.
func (j *job) copyPythonContext(dir string, skip func(rel string) bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range j.files {
		if skip(f.Rel) {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		var err error
		switch {
		case f.Mode.IsDir():
			err = os.MkdirAll(dst, 0o755)
		case f.Mode&os.ModeSymlink != 0:
			err = os.Symlink(f.LinkTarget, dst)
		case f.Mode.IsRegular():
			var data []byte
			if data, err = os.ReadFile(filepath.Join(j.dir, filepath.FromSlash(f.Rel))); err == nil {
				err = os.WriteFile(dst, data, f.Mode.Perm()|0o600) //nolint:gosec // f.Rel is a checked build-context path (ReadContext)
			}
		}
		if err != nil {
			return fmt.Errorf("copying %s for the setup.py build: %w", path.Clean(f.Rel), err)
		}
	}
	return nil
}
