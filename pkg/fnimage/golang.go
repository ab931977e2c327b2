package fnimage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// goRuntime builds Go functions as fn's go runtime does (fn-contract.md §1.6):
// one static binary at /function/func, compiled from the module in the
// function directory. It differs from fn's Dockerfile in ways that make the
// result reproducible and portable, not different in behaviour:
//   - cross-compiled by the go command on the build machine, for each target
//     platform, with CGO_ENABLED=0 (fn's build image has no C compiler, so
//     its binaries are static too);
//   - -trimpath and -buildvcs=false, so no host path or checkout state lands
//     in the binary;
//   - GOAMD64=v1 and GOARM64=v8.0, the baseline every OCI shape runs,
//     whatever the build machine's environment says;
//   - go.mod and go.sum are used as they are (fn runs `go mod tidy` in its
//     build container); -mod=vendor when vendor/modules.txt exists;
//   - files excluded by .dockerignore are hidden from the compiler.
type goRuntime struct{}

var _ runtimeBuilder = goRuntime{}

// goBinary is where the binary goes, and what fn's `./func` entrypoint runs.
const goBinary = functionDir + "/func"

func (goRuntime) env() []string { return nil }

func (goRuntime) layers(ctx context.Context, j *job, t target) ([]layerSpec, error) {
	p, plat := t.platform, t.String()
	if err := j.checkGoModule(); err != nil {
		return nil, err
	}
	if ep := j.fn.EntrypointArgs(); len(ep) > 0 && ep[0] != "./func" && ep[0] != goBinary {
		j.o.logger.Warn("the entrypoint does not run the Go binary "+goBinary, "entrypoint", j.fn.Entrypoint, "file", j.fn.Path)
	}
	out := filepath.Join(j.tmp, "func-"+p.Architecture)
	args := []string{"build", "-trimpath", "-buildvcs=false", "-o", out}
	if isRegular(filepath.Join(j.dir, "vendor", "modules.txt")) {
		args = append(args, "-mod=vendor")
	}
	overlay, err := j.goOverlay()
	if err != nil {
		return nil, err
	}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	args = append(args, ".")

	j.o.progress(Progress{Stage: StageCompile, Platform: plat, Message: "go build"})
	cmd := exec.CommandContext(ctx, j.o.goCommand, args...)
	cmd.Dir = j.dir
	cmd.Env = goEnv(os.Environ(), j.o.goEnv, p)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &BuildError{
			Runtime: j.runtime.String(), Platform: plat, Step: "go build",
			Output: strings.ReplaceAll(strings.TrimSpace(stderr.String()), out, "func"), Err: err,
			Fix: "fix the compile error above; the build runs `go build` in the function directory with CGO_ENABLED=0 GOOS=linux GOARCH=" + p.Architecture,
		}
	}
	return []layerSpec{{
		entries:   []layerEntry{{path: imagePath(goBinary), mode: 0o755, src: out}},
		createdBy: fmt.Sprintf("osa build: go build -trimpath -o %s . (%s, %s)", goBinary, j.runtime, plat),
	}}, nil
}

// checkGoModule requires a go.mod that the build context does not exclude.
func (j *job) checkGoModule() error {
	if !isRegular(filepath.Join(j.dir, "go.mod")) {
		return &ContextError{Path: filepath.Join(j.dir, "go.mod"), Problem: "missing: the go runtime builds a Go module",
			Fix: "run `go mod init func && go get github.com/fnproject/fdk-go && go mod tidy` in the function directory"}
	}
	for _, f := range j.files {
		if f.Rel == "go.mod" {
			return nil
		}
	}
	return &ContextError{Path: filepath.Join(j.dir, "go.mod"), Problem: "excluded by .dockerignore, but the build needs it",
		Fix: "remove the pattern that matches go.mod from .dockerignore"}
}

// goOverlay hides the Go sources that .dockerignore excludes, as they would
// be missing from fn's build container, by writing a `go build -overlay`
// file that deletes them. It returns "" when nothing is excluded.
func (j *job) goOverlay() (string, error) {
	included := make(map[string]bool, len(j.files))
	for _, f := range j.files {
		included[f.Rel] = true
	}
	replace := map[string]string{}
	err := filepath.WalkDir(j.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(j.dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if !included[rel] && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and friends hold no Go sources
			}
			return nil
		}
		if !included[rel] && isGoSource(d.Name()) {
			replace[p] = ""
		}
		return nil
	})
	if err != nil || len(replace) == 0 {
		return "", err
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", err
	}
	path := filepath.Join(j.tmp, "overlay.json")
	return path, os.WriteFile(path, data, 0o600)
}

func isGoSource(name string) bool {
	switch filepath.Ext(name) {
	case ".go", ".s", ".c", ".h", ".syso":
		return true
	}
	return name == "go.sum" || name == "go.work"
}

// goEnv returns the go command's environment: the host's, then extra, then
// the settings that make the binary static and reproducible for p.
func goEnv(host, extra []string, p v1.Platform) []string {
	forced := map[string]string{
		"CGO_ENABLED": "0",
		"GOOS":        p.OS,
		"GOARCH":      p.Architecture,
		"GOAMD64":     "v1",
		"GOARM64":     "v8.0",
		"GOFLAGS":     "",
		"GOWORK":      "off",
	}
	env := make([]string, 0, len(host)+len(extra)+len(forced))
	for _, kv := range append(append([]string(nil), host...), extra...) {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := forced[k]; !ok {
			env = append(env, kv)
		}
	}
	for _, k := range []string{"CGO_ENABLED", "GOOS", "GOARCH", "GOAMD64", "GOARM64", "GOFLAGS", "GOWORK"} {
		env = append(env, k+"="+forced[k])
	}
	return env
}

func isRegular(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
