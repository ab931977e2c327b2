package fnimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// hostPython is the build machine's Python, as pip runs it.
type hostPython struct {
	version    string // "3.11.7"
	pip        string // "23.2.1"
	executable string // sys.executable, which pip writes into scripts' shebangs
}

// probeHostPython asks the host's python3 for its version, pip's version and
// its executable path (about 0.1 s).
func probeHostPython(ctx context.Context, python, rt, plat string) (*hostPython, error) {
	cmd := exec.CommandContext(ctx, python, "-c",
		"import sys, pip; print(sys.version.split()[0]); print(pip.__version__); print(sys.executable)")
	cmd.Env = pipEnv(os.Environ())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		what := python + " was not found"
		if errors.As(err, &ee) {
			what = python + " cannot import pip"
		}
		return nil, &BuildError{Runtime: rt, Platform: plat, Step: "finding pip", Output: strings.TrimSpace(stderr.String()), Err: fmt.Errorf("%s: %w", what, err),
			Fix: "install Python 3 with pip on the build machine (e.g. apt-get install python3-pip) and put python3 on PATH, or name one with WithPythonCommand; " +
				"pip only downloads wheels for the target, so any Python 3.8+ works"}
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 {
		return nil, &BuildError{Runtime: rt, Platform: plat, Step: "finding pip", Output: stdout.String(), Err: fmt.Errorf("unexpected answer from %s", python),
			Fix: "check that python3 on PATH is a CPython 3 interpreter"}
	}
	return &hostPython{version: strings.TrimSpace(lines[0]), pip: strings.TrimSpace(lines[1]), executable: strings.TrimSpace(lines[2])}, nil
}

// pipEnv returns the environment pip runs with: the host's (so that index
// URLs, certificates and proxies configured for pip still apply) without the
// settings that would contradict the flags osa passes.
func pipEnv(host []string) []string {
	drop := map[string]bool{
		"PIP_USER": true, "PIP_TARGET": true, "PIP_PREFIX": true, "PIP_ROOT": true, "PIP_HOME": true,
		"PIP_REQUIRE_VIRTUALENV": true, "PIP_NO_BINARY": true, "PIP_ONLY_BINARY": true,
		"PIP_PLATFORM": true, "PIP_PYTHON_VERSION": true, "PIP_IMPLEMENTATION": true, "PIP_ABI": true,
		"PIP_COMPILE": true, "PIP_NO_COMPILE": true, "PIP_EDITABLE": true, "PIP_UPGRADE": true,
		"PIP_NO_DEPS": true, "PIP_PRE": true, "PIP_CONSTRAINT": true, "PIP_REQUIREMENT": true,
		"PYTHONHOME": true,
	}
	env := make([]string, 0, len(host)+2)
	for _, kv := range host {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	return append(env, "PIP_NO_INPUT=1", "PIP_DISABLE_PIP_VERSION_CHECK=1")
}

// pipConfigEnv returns the PIP_* settings of env that reach pip, sorted,
// for cache keys: another index can resolve other versions.
func pipConfigEnv(env []string) []string {
	var out []string
	for _, kv := range pipEnv(env) {
		if strings.HasPrefix(kv, "PIP_") {
			out = append(out, kv)
		}
	}
	slices.Sort(out)
	return out
}

// wheelArch is the architecture name of wheel platform tags for p.
func wheelArch(p v1.Platform) (string, error) {
	switch p.Architecture {
	case "amd64":
		return "x86_64", nil
	case "arm64":
		return "aarch64", nil
	}
	return "", fmt.Errorf("no wheel platform for architecture %s", p.Architecture)
}

// pyMinGlibc is the oldest glibc a manylinux tag names for each wheel
// architecture: manylinux1 (glibc 2.5) for x86_64; manylinux2014 (2.17),
// the first to define aarch64, for aarch64.
var pyMinGlibc = map[string]int{"x86_64": 5, "aarch64": 17}

// pyAssumedGlibc is the glibc assumed when the run image's cannot be found:
// manylinux2014's, the oldest any current run image has.
const pyAssumedGlibc = "2.17"

// manylinuxTags returns the wheel platform tags (PEP 600) a run image with
// glibc 2.<minor> accepts for arch, newest first, with the legacy aliases
// (manylinux2014 = 2.17, manylinux2010 = 2.12, manylinux1 = 2.5) next to the
// tags they stand for. pip takes them as it would on that machine.
func manylinuxTags(arch, glibc string) ([]string, error) {
	floor, ok := pyMinGlibc[arch]
	if !ok {
		return nil, fmt.Errorf("no manylinux tags for %s", arch)
	}
	major, minor, ok := strings.Cut(glibc, ".")
	top, err := strconv.Atoi(minor)
	if !ok || major != "2" || err != nil {
		return nil, fmt.Errorf("glibc version %q is not 2.N", glibc)
	}
	if top < floor {
		return nil, fmt.Errorf("glibc %s is older than any manylinux wheel for %s needs (2.%d)", glibc, arch, floor)
	}
	aliases := map[int]string{17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
	var tags []string
	for v := top; v >= floor; v-- {
		tags = append(tags, fmt.Sprintf("manylinux_2_%d_%s", v, arch))
		if a, ok := aliases[v]; ok {
			tags = append(tags, a+"_"+arch)
		}
	}
	return tags, nil
}

// pipTarget is what pip installs for: one platform of one Python.
type pipTarget struct {
	version string   // "3.11"
	tags    []string // manylinux tags, newest first
}

// abi is the CPython ABI tag of the version ("cp311").
func (pt pipTarget) abi() string { return "cp" + strings.ReplaceAll(pt.version, ".", "") }

// installArgs returns pip's arguments that select wheels for the target and
// install them, uncompiled, into dir.
func (pt pipTarget) installArgs(dir string) []string {
	args := []string{"-m", "pip", "install", "--target", dir}
	for _, tag := range pt.tags {
		args = append(args, "--platform", tag)
	}
	return append(args,
		"--python-version", pt.version,
		"--implementation", "cp",
		"--abi", pt.abi(),
		"--only-binary=:all:",
		"--no-compile",
		"--no-warn-script-location",
		"--progress-bar", "off",
	)
}

var (
	pipNoMatchingDist = regexp.MustCompile(`(?m)No matching distribution found for (\S+)`)
	pipNetworkTrouble = regexp.MustCompile(`(?m)Retrying \(Retry\(|NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|ConnectTimeoutError|ReadTimeoutError|ProxyError|SSLError|CERTIFICATE_VERIFY_FAILED`)
)

// pipFailure turns a failed pip install into a *BuildError that says which
// requirement has no wheel for the target, if that is the reason.
func pipFailure(j *job, plat string, pt pipTarget, output string, err error) *BuildError {
	be := &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "pip install", Output: output, Err: err}
	wheels := fmt.Sprintf("CPython %s (%s) on %s with glibc %s", pt.version, pt.abi(), plat, glibcOfTags(pt.tags))
	switch m := pipNoMatchingDist.FindStringSubmatch(output); {
	case m != nil && pipNetworkTrouble.MatchString(output):
		be.Err = fmt.Errorf("cannot reach the package index to find %s: %w", m[1], err)
		be.Fix = "check the network, the proxy and pip's index settings (PIP_INDEX_URL, pip.conf); pip's own retries were used up"
	case m != nil:
		pkg := m[1]
		be.Err = fmt.Errorf("no wheel of %s for %s (or no such package): %w", pkg, wheels, err)
		be.Fix = fmt.Sprintf("osa installs only wheels, because it cannot compile for %s: pin a version of %s that publishes "+
			"a manylinux wheel for %s and %s (or a pure-Python py3-none-any wheel) — see its files on PyPI — "+
			"or vendor the package's source into the function directory, or put a wheel built for the target in .pip_cache/",
			plat, pyRequirementName(pkg), pt.abi(), wheelArchOfTags(pt.tags))
	case pipNetworkTrouble.MatchString(output):
		be.Err = fmt.Errorf("cannot reach the package index: %w", err)
		be.Fix = "check the network, the proxy and pip's index settings (PIP_INDEX_URL, pip.conf); pip's own retries were used up"
	case strings.Contains(output, "ResolutionImpossible") || strings.Contains(output, "conflicting dependencies"):
		be.Fix = "the requirements conflict with each other (see pip's explanation above): relax or change the pins in requirements.txt"
	default:
		be.Fix = "fix requirements.txt according to pip's output above; osa runs pip with --only-binary=:all: for " + wheels
	}
	return be
}

// pyRequirementName returns the project name of a requirement ("httptools"
// for "httptools>=0.5.0").
func pyRequirementName(req string) string {
	if i := strings.IndexAny(req, "<>=!~;[ @("); i > 0 {
		return req[:i]
	}
	return req
}

// glibcOfTags returns the newest glibc the tags accept ("2.36").
func glibcOfTags(tags []string) string {
	for _, t := range tags {
		if rest, ok := strings.CutPrefix(t, "manylinux_2_"); ok {
			minor, _, _ := strings.Cut(rest, "_")
			return "2." + minor
		}
	}
	return "unknown"
}

// wheelArchOfTags returns the architecture of manylinux tags ("aarch64").
func wheelArchOfTags(tags []string) string {
	for _, a := range []string{"x86_64", "aarch64"} {
		if len(tags) > 0 && strings.HasSuffix(tags[0], "_"+a) {
			return a
		}
	}
	return "the target architecture"
}

// runHostPython runs the host's python3 with args in dir and returns its
// combined output.
func runHostPython(ctx context.Context, python, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = dir
	cmd.Env = pipEnv(os.Environ())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}
