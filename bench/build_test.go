package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/oci-serverless/oci-serverless-api/internal/e2e"
)

// Runs of BenchmarkBuildPushVsKo: OSA_BENCH_RUNS measured runs of each tool,
// 5 by default and never fewer.
const (
	envRuns     = "OSA_BENCH_RUNS"
	defaultRuns = 5
	minRuns     = 5
)

// toolTimeout bounds one build and push by either tool.
const toolTimeout = 10 * time.Minute

const (
	module     = "github.com/oci-serverless/oci-serverless-api"
	example    = "examples/hello-go" // the function both tools build
	funcName   = "hello-go"          // its func.yaml name
	platform   = "linux/amd64"
	runImage   = "fnproject/go:1.24" // hello-go's run_image, mapped to the registry's stand-in
	koRepo     = "ko/" + funcName    // under the registry host
	osaRepoDir = "osa"               // --registry HOST/osa pushes HOST/osa/hello-go
)

// benchLine is the line appended to the copy of func.go and rewritten before
// every build, so that the main package is recompiled and relinked into a
// new binary each time (its value is checked in init, so the string is in
// the binary). Every build, of either tool, gets a value of its own: the
// second tool of a run then cannot reuse the first one's compiled package from
// Go's build cache, and the nonce keeps earlier benchmark runs' cache entries
// from matching.
var benchLine = regexp.MustCompile(`(?m)^var benchRun = ".*"$`)

const benchSuffix = `
// benchRun is rewritten before every benchmark build (see bench/build_test.go).
var benchRun = "warm-up"

func init() {
	if benchRun == "" {
		panic("benchRun is empty")
	}
}
`

// result is what the benchmark measured. It is kept for the framework's
// second call of the benchmark function under -benchtime Nx with N > 1, which
// reports it again instead of measuring again; every call with b.N == 1 (as
// each -count repetition of -benchtime 1x is) measures afresh.
type result struct {
	osaMs, koMs, ratio float64
	runs               int
	measured           time.Duration // wall time of the measured runs
}

var measured *result

// BenchmarkBuildPushVsKo builds examples/hello-go and pushes it to a local
// CNCF distribution registry (htpasswd auth, credentials from a Docker
// config) with ko and with osa build, on the same base image, alternating,
// and reports the median wall time of each and their ratio (target: osa/ko <=
// 1.0). Before every build one line of func.go changes, so both compile the
// function again and push a new function layer; Go's build cache and the
// registry already hold everything else for both (one untimed warm-up build
// each). Each measured osa build must upload exactly its function layer.
//
// All the work is done once, whatever b.N is: run it with -benchtime 1x.
func BenchmarkBuildPushVsKo(b *testing.B) {
	b.StopTimer()
	if b.N == 1 || measured == nil {
		measured = measure(b)
	}
	r := measured
	b.ReportMetric(r.osaMs, "osa-ms")
	b.ReportMetric(r.koMs, "ko-ms")
	b.ReportMetric(r.ratio, "osa/ko")
	// ns/op: the measured runs of both tools, once, whatever b.N is.
	b.ReportMetric(float64(r.measured.Nanoseconds())/float64(b.N), "ns/op")
}

// harness runs the two tools on one function directory.
type harness struct {
	b      *testing.B
	ctx    context.Context
	fnDir  string // the copy of examples/hello-go
	osaBin string
	koBin  string
	reg    *e2e.Registry
	base   name.Digest
	env    []string // the environment both tools get
	nonce  string
}

// build is one build and push by one tool.
type build struct {
	took   time.Duration
	digest string // of the pushed image
	note   string // what was uploaded (osa only)
}

func measure(b *testing.B) *result {
	runs := benchRuns(b)
	ctx := b.Context()
	root := moduleRoot(b)

	osaBin := filepath.Join(b.TempDir(), "osa")
	goBuild := exec.CommandContext(ctx, "go", "build", "-o", osaBin, "./cmd/osa")
	goBuild.Dir = root
	if out, err := goBuild.CombinedOutput(); err != nil {
		b.Fatalf("building osa: go build -o %s ./cmd/osa: %v\n%s", osaBin, err, out)
	}
	koBin := e2e.LookTool(b, "ko")

	reg := e2e.StartRegistry(b)
	base := e2e.PushGoBase(b, ctx, reg, "fnproject/go")

	h := &harness{
		b:      b,
		ctx:    ctx,
		fnDir:  filepath.Join(b.TempDir(), funcName),
		osaBin: osaBin,
		koBin:  koBin,
		reg:    reg,
		base:   base,
		env:    append(toolEnv(os.Environ()), "DOCKER_CONFIG="+dockerConfig(b, reg)),
		nonce:  randomHex(4),
	}
	copyDir(b, filepath.Join(root, example), h.fnDir)
	appendFile(b, filepath.Join(h.fnDir, "func.go"), benchSuffix)

	fmt.Printf("osa build vs ko build: build + push of %s (%s) to %s, base %s\n", example, platform, reg.Host, base)
	fmt.Printf("ko: %s (%s); osa: %s; %s\n", koBin, h.koVersion(), osaBin, goVersion(ctx, root))
	fmt.Printf("%-6s %-8s %8s %8s %7s  %s\n", "run", "order", "ko ms", "osa ms", "osa/ko", "osa uploaded")

	// Warm-up: Go's build cache gets the dependencies as each tool compiles
	// them, and each repository gets the base layer. Not timed.
	wk := h.ko(0)
	wo := h.osa(0, false)
	printRow("warm", "ko,osa", wk, wo)

	var koTimes, osaTimes []time.Duration
	lastKo, lastOsa := wk.digest, wo.digest
	b.ResetTimer()
	b.StartTimer()
	start := time.Now()
	for i := 1; i <= runs; i++ {
		var k, o build
		order := "ko,osa"
		if i%2 == 1 {
			k = h.ko(i)
			o = h.osa(i, true)
		} else {
			order = "osa,ko"
			o = h.osa(i, true)
			k = h.ko(i)
		}
		printRow(strconv.Itoa(i), order, k, o)
		if k.digest == lastKo {
			b.Errorf("run %d: ko pushed the same image as the run before (%s): the source change did not reach the binary", i, k.digest)
		}
		if o.digest == lastOsa {
			b.Errorf("run %d: osa pushed the same image as the run before (%s): the source change did not reach the binary", i, o.digest)
		}
		lastKo, lastOsa = k.digest, o.digest
		koTimes = append(koTimes, k.took)
		osaTimes = append(osaTimes, o.took)
	}
	elapsed := time.Since(start)
	b.StopTimer()

	r := &result{
		osaMs:    median(osaTimes),
		koMs:     median(koTimes),
		runs:     runs,
		measured: elapsed,
	}
	r.ratio = r.osaMs / r.koMs
	fmt.Printf("%-6s %-8s %8.0f %8.0f %7.2f\n", "median", "", r.koMs, r.osaMs, r.ratio)
	fmt.Printf("osa/ko = %.2f (median of %d: osa %.0f ms, ko %.0f ms)\n", r.ratio, runs, r.osaMs, r.koMs)
	return r
}

func printRow(run, order string, k, o build) {
	fmt.Printf("%-6s %-8s %8d %8d %7.2f  %s\n", run, order, k.took.Milliseconds(), o.took.Milliseconds(),
		float64(o.took)/float64(k.took), o.note)
}

// setSource rewrites func.go's benchRun line for build run of tool.
func (h *harness) setSource(tool string, run int) {
	h.b.Helper()
	path := filepath.Join(h.fnDir, "func.go")
	src, err := os.ReadFile(path)
	if err != nil {
		h.b.Fatal(err)
	}
	if n := len(benchLine.FindAllIndex(src, -1)); n != 1 {
		h.b.Fatalf("%s has %d benchRun lines, want 1", path, n)
	}
	line := fmt.Sprintf("var benchRun = %q", fmt.Sprintf("%s run %d %s", tool, run, h.nonce))
	src = benchLine.ReplaceAllLiteral(src, []byte(line))
	if err := os.WriteFile(path, src, 0o644); err != nil {
		h.b.Fatal(err)
	}
}

func tagFor(run int) string {
	if run == 0 {
		return "warm-up"
	}
	return "run-" + strconv.Itoa(run)
}

// ko builds and pushes with ko build --bare --sbom=none; run 0 is the warm-up.
func (h *harness) ko(run int) build {
	h.b.Helper()
	h.setSource("ko", run)
	refs := filepath.Join(h.b.TempDir(), "image-refs")
	env := append(slices.Clip(h.env),
		"KO_DOCKER_REPO="+h.reg.Host+"/"+koRepo,
		"KO_DEFAULTBASEIMAGE="+h.base.String(),
		"GOFLAGS=",
		"CGO_ENABLED=0",
	)
	stdout, took := h.run("ko", h.koBin, env,
		"build", "--bare", "--sbom=none", "--platform="+platform, "--tags="+tagFor(run), "--image-refs="+refs, ".")
	ref, err := os.ReadFile(refs)
	if err != nil {
		h.b.Fatalf("ko (run %d) wrote no --image-refs file: %v\nstdout:\n%s", run, err, stdout)
	}
	d, err := name.NewDigest(strings.TrimSpace(string(ref)))
	if err != nil {
		h.b.Fatalf("ko (run %d) --image-refs: %v", run, err)
	}
	if want := h.reg.Host + "/" + koRepo; d.Context().String() != want {
		h.b.Fatalf("ko (run %d) pushed %s, want it in %s", run, d, want)
	}
	return build{took: took, digest: d.DigestStr()}
}

// osaOutput is the part of osa build --json the benchmark checks.
type osaOutput struct {
	Image  string `json:"image"`
	Digest string `json:"digest"`
	Pushed bool   `json:"pushed"`
	Layers []struct {
		Digest   string `json:"digest"`
		Size     int64  `json:"size"`
		Uploaded bool   `json:"uploaded"`
	} `json:"layers"`
}

// osa builds and pushes with osa build; run 0 is the warm-up. When
// onlyFunction is set, exactly the last layer (the function) must have been
// uploaded.
func (h *harness) osa(run int, onlyFunction bool) build {
	h.b.Helper()
	h.setSource("osa", run)
	tag := tagFor(run)
	stdout, took := h.run("osa", h.osaBin, h.env,
		"build", h.fnDir, "--registry", h.reg.Host+"/"+osaRepoDir, "--platform", platform, "--tag", tag,
		"--base-image", runImage+"="+h.base.String(), "--json")
	var out osaOutput
	if err := json.Unmarshal(stdout, &out); err != nil {
		h.b.Fatalf("osa build (run %d) --json: %v\n%s", run, err, stdout)
	}
	d, err := name.NewDigest(out.Image)
	if err != nil {
		h.b.Fatalf("osa build (run %d): image %q has no digest: %v", run, out.Image, err)
	}
	wantPrefix := h.reg.Host + "/" + osaRepoDir + "/" + funcName + ":" + tag + "@"
	if !out.Pushed || !strings.HasPrefix(out.Image, wantPrefix) || d.DigestStr() != out.Digest {
		h.b.Fatalf("osa build (run %d): image %q, digest %q, pushed %v; want %s<digest> pushed", run, out.Image, out.Digest, out.Pushed, wantPrefix)
	}
	if len(out.Layers) == 0 {
		h.b.Fatalf("osa build (run %d) reports no layers:\n%s", run, stdout)
	}
	var uploaded []int
	var bytesUp int64
	for i, l := range out.Layers {
		if l.Uploaded {
			uploaded = append(uploaded, i)
			bytesUp += l.Size
		}
	}
	fn := len(out.Layers) - 1
	note := fmt.Sprintf("%d of %d layers, %s", len(uploaded), len(out.Layers), mb(bytesUp))
	if len(uploaded) == 1 && uploaded[0] == fn {
		note = fmt.Sprintf("function layer only (%s, %s; 1 of %d layers)", shortDigest(out.Layers[fn].Digest), mb(bytesUp), len(out.Layers))
	} else if onlyFunction {
		h.b.Errorf("osa build (run %d) uploaded layers %v of %d; want exactly the function layer (%d)", run, uploaded, len(out.Layers), fn)
	}
	if run == 0 {
		note += " [warm-up]"
	}
	return build{took: took, digest: out.Digest, note: note}
}

// run runs a tool to completion and returns its stdout and wall time. A
// failure (any non-zero exit) fails the benchmark with the tool's output.
func (h *harness) run(tool, bin string, env []string, args ...string) ([]byte, time.Duration) {
	h.b.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, toolTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = h.fnDir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		h.b.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", tool, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes(), took
}

func (h *harness) koVersion() string {
	out, err := exec.CommandContext(h.ctx, h.koBin, "version").Output()
	if err != nil {
		return "version unknown"
	}
	return strings.TrimSpace(string(out))
}

func goVersion(ctx context.Context, dir string) string {
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "go version unknown"
	}
	return strings.TrimSpace(string(out))
}

// toolEnv is the environment both tools run with: this process's, without
// anything that would give one tool other credentials, base images or build
// settings than the other.
func toolEnv(environ []string) []string {
	drop := map[string]bool{
		"DOCKER_CONFIG":         true,
		"OSA_REGISTRY_USERNAME": true,
		"OSA_REGISTRY_PASSWORD": true,
		"OSA_BASE_IMAGES":       true,
		"KO_DOCKER_REPO":        true,
		"KO_DEFAULTBASEIMAGE":   true,
		"KO_DEFAULTPLATFORMS":   true,
		"KO_CONFIG_PATH":        true,
		"GOFLAGS":               true,
		"CGO_ENABLED":           true,
	}
	var env []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	return env
}

// dockerConfig writes a Docker config directory with reg's credentials, the
// credentials path both tools read (DOCKER_CONFIG).
func dockerConfig(b *testing.B, reg *e2e.Registry) string {
	b.Helper()
	dir := b.TempDir()
	cfg := map[string]any{"auths": map[string]any{
		reg.Host: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(reg.Username + ":" + reg.Password))},
	}}
	data, err := json.Marshal(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchRuns reads OSA_BENCH_RUNS.
func benchRuns(b *testing.B) int {
	b.Helper()
	s := os.Getenv(envRuns)
	if s == "" {
		return defaultRuns
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		b.Fatalf("%s=%q is not a number of runs", envRuns, s)
	}
	if n < minRuns {
		b.Logf("%s=%d is below the minimum; running %d", envRuns, n, minRuns)
		n = minRuns
	}
	return n
}

// moduleRoot returns the module's root directory, the parent of the test's
// working directory (bench/).
func moduleRoot(b *testing.B) string {
	b.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		b.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.Contains(gomod, []byte("module "+module+"\n")) {
		b.Fatalf("%s is not the root of %s (run the benchmark from bench/): %v", root, module, err)
	}
	return root
}

// copyDir copies the regular files and directories under src to dst.
func copyDir(b *testing.B, src, dst string) {
	b.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		}
		return nil
	})
	if err != nil {
		b.Fatalf("copying %s: %v", src, err)
	}
}

func appendFile(b *testing.B, path, text string) {
	b.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// median returns the median of ds in milliseconds.
func median(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	n := len(s)
	if n%2 == 1 {
		return ms(s[n/2])
	}
	return (ms(s[n/2-1]) + ms(s[n/2])) / 2
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func shortDigest(d string) string {
	if _, h, ok := strings.Cut(d, ":"); ok && len(h) > 12 {
		return h[:12]
	}
	return d
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
