package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// fdkGoVersion is the Go FDK the test function uses (v0.0.60 fails checksum
// verification through the module proxy).
const fdkGoVersion = "v0.0.61"

// funcSource is a Go FDK function that echoes the gateway request and
// reports what it sees of its sandbox.
const funcSource = `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	fdk "github.com/fnproject/fdk-go"
)

func main() {
	fdk.Handle(fdk.HandlerFunc(handle))
}

func handle(ctx context.Context, in io.Reader, out io.Writer) {
	body, _ := io.ReadAll(in)
	reply := map[string]any{
		"body":     string(body),
		"appName":  os.Getenv("FN_APP_NAME"),
		"memory":   os.Getenv("FN_MEMORY"),
		"greeting": os.Getenv("GREETING"),
		"uid":      os.Getuid(),
		"gid":      os.Getgid(),
		"contentType": fdk.GetContext(ctx).ContentType(),
		"home":        os.Getenv("HOME"),
		"term":        os.Getenv("TERM"),
	}
	if hctx, ok := fdk.GetContext(ctx).(fdk.HTTPContext); ok {
		reply["method"] = hctx.RequestMethod()
		reply["url"] = hctx.RequestURL()
		reply["xTest"] = hctx.Header().Get("X-Test")
	}
	reply["tmpWritable"] = os.WriteFile("/tmp/probe", []byte("x"), 0o600) == nil
	reply["rootWritable"] = os.WriteFile("/function/probe", []byte("x"), 0o600) == nil
	fmt.Fprintln(os.Stderr, "e2e function: handled a call")

	fdk.SetHeader(out, "X-Echo", "yes")
	fdk.SetHeader(out, "Content-Type", "application/json")
	fdk.WriteStatus(out, 201)
	json.NewEncoder(out).Encode(reply)
}
`

// echo is funcSource's reply.
type echo struct {
	Body         string `json:"body"`
	AppName      string `json:"appName"`
	Memory       string `json:"memory"`
	Greeting     string `json:"greeting"`
	UID          int    `json:"uid"`
	GID          int    `json:"gid"`
	ContentType  string `json:"contentType"`
	Home         string `json:"home"`
	Term         string `json:"term"`
	Method       string `json:"method"`
	URL          string `json:"url"`
	XTest        string `json:"xTest"`
	TmpWritable  bool   `json:"tmpWritable"`
	RootWritable bool   `json:"rootWritable"`
}

// buildFunc compiles funcSource for linux/GOARCH in a module of its own and
// returns the binary.
func buildFunc(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not on PATH: %v", err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/e2efunc\n\ngo 1.23\n\nrequire github.com/fnproject/fdk-go "+fdkGoVersion+"\n", 0o644)
	writeFile(t, filepath.Join(dir, "func.go"), funcSource, 0o644)
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	for _, args := range [][]string{
		{"mod", "tidy"},
		{"build", "-trimpath", "-ldflags=-s -w", "-o", "func", "."},
	} {
		cmd := exec.CommandContext(ctx, goBin, args...)
		cmd.Dir = dir
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "func"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoFunction builds a Go FDK function on the Go base stand-in with ggcr
// only, pushes it to the registry and runs it in the Fn sandbox.
func TestGoFunction(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	testStart := time.Now()

	reg := StartRegistry(t)

	base := PushGoBase(t, ctx, reg, "fnproject/go")
	if again := PushGoBase(t, ctx, reg, "fnproject/go"); again != base {
		t.Errorf("PushGoBase twice = %s, then %s; want the same digest", base, again)
	}
	if mirror := PushGoBase(t, ctx, reg, "mirror/fnproject/go:1.24"); mirror.DigestStr() != base.DigestStr() || mirror.Context().RepositoryStr() != "mirror/fnproject/go" {
		t.Errorf("PushGoBase(mirror/fnproject/go:1.24) = %s, want %s in mirror/fnproject/go", mirror, base.DigestStr())
	}
	t.Logf("Go base: %s", base)

	buildStart := time.Now()
	bin := buildFunc(t, ctx)
	t.Logf("built the function (go mod tidy + go build) in %v", time.Since(buildStart).Round(time.Millisecond))
	baseImg := RemoteImage(t, ctx, base.String(), reg, "")
	img, err := mutate.Append(baseImg, mutate.Addendum{Layer: Layer(t,
		TarEntry{Path: "function/", Mode: 0o755},
		TarEntry{Path: "function/func", Mode: 0o755, Content: bin},
	)})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.Config.WorkingDir = "/function"
	cfg.Config.Entrypoint = []string{"./func"}
	cfg.Config.Cmd = nil
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	ref := reg.Ref("e2e/hello:0.0.1")
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	pushStart := time.Now()
	if err := remote.Write(tag, img, remote.WithAuth(reg.Auth()), remote.WithContext(ctx)); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	t.Logf("pushed %s in %v", ref, time.Since(pushStart).Round(time.Millisecond))

	gotCfg := ImageConfig(t, ctx, ref, reg)
	if gotCfg.Config.WorkingDir != "/function" || !slices.Equal(gotCfg.Config.Entrypoint, []string{"./func"}) {
		t.Errorf("ImageConfig(%s): WorkingDir %q, Entrypoint %q; want /function, [./func]", ref, gotCfg.Config.WorkingDir, gotCfg.Config.Entrypoint)
	}
	if gotCfg.Architecture != runtime.GOARCH || gotCfg.OS != "linux" {
		t.Errorf("ImageConfig(%s): platform %s/%s, want linux/%s", ref, gotCfg.OS, gotCfg.Architecture, runtime.GOARCH)
	}
	files := ImageFiles(t, ctx, ref, reg, "")
	for p, mode := range map[string]int64{"function/func": 0o755, "etc/passwd": 0o644, "etc/group": 0o644, "tmp": 0o1777} {
		h, ok := files[p]
		if !ok {
			t.Errorf("ImageFiles(%s) has no %s; got %d files", ref, p, len(files))
			continue
		}
		if h.Mode != mode || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("ImageFiles(%s)[%s]: mode %o owner %d:%d, want %o 0:0", ref, p, h.Mode, h.Uid, h.Gid, mode)
		}
	}
	for _, p := range []string{"linux/arm64/v8", "linux/arm64", "linux/amd64"} {
		if files := ImageFiles(t, ctx, base.String(), reg, p); files["etc/passwd"] == nil {
			t.Errorf("ImageFiles(%s, %s) has no etc/passwd", base, p)
		}
	}

	c := RunImage(t, ctx, ref, reg, RunOptions{
		MemoryMB: 256,
		AppName:  "e2e-app",
		Env:      map[string]string{"GREETING": "hello"},
	})

	resp, err := c.Invoke(ctx, InvokeRequest{
		Gateway: true,
		Method:  http.MethodPost,
		URL:     "http://example.com/hello?x=1",
		Header:  http.Header{"X-Test": {"abc"}, "Content-Type": {"text/plain"}},
		Body:    []byte("ping"),
	})
	if err != nil {
		t.Fatalf("Invoke(gateway): %v\ncontainer output:\n%s", err, c.Logs())
	}
	if resp.Status != http.StatusOK || resp.HTTPStatus != http.StatusCreated {
		t.Errorf("Invoke(gateway): Status %d, HTTPStatus %d; want 200, 201\nbody: %s", resp.Status, resp.HTTPStatus, resp.Body)
	}
	if got := resp.Header.Get("X-Echo"); got != "yes" {
		t.Errorf("Invoke(gateway): header X-Echo = %q, want yes (raw headers %v)", got, resp.RawHeader)
	}
	if got := resp.RawHeader.Get("Fn-Http-H-X-Echo"); got != "yes" {
		t.Errorf("Invoke(gateway): raw header Fn-Http-H-X-Echo = %q, want yes", got)
	}
	if got := resp.RawHeader.Get("Fn-Fdk-Version"); !strings.HasPrefix(got, "fdk-go/") {
		t.Errorf("Invoke(gateway): Fn-Fdk-Version = %q, want fdk-go/...", got)
	}
	var got echo
	if err := json.Unmarshal(resp.Body, &got); err != nil {
		t.Fatalf("Invoke(gateway) body %q: %v", resp.Body, err)
	}
	want := echo{
		Body: "ping", AppName: "e2e-app", Memory: "256", Greeting: "hello",
		UID: 1000, GID: 1000, ContentType: "text/plain", Home: "/home/fn", Term: "",
		Method: http.MethodPost, URL: "http://example.com/hello?x=1", XTest: "abc",
		TmpWritable: true, RootWritable: false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Invoke(gateway) echo mismatch (-want +got):\n%s", diff)
	}

	resp, err = c.Invoke(ctx, InvokeRequest{Body: []byte("plain")})
	if err != nil {
		t.Fatalf("Invoke(plain): %v", err)
	}
	if resp.Status != http.StatusOK || resp.HTTPStatus != 0 {
		t.Errorf("Invoke(plain): Status %d, HTTPStatus %d; want 200, 0", resp.Status, resp.HTTPStatus)
	}
	// The container's output reaches Logs() asynchronously: wait for it.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(c.Logs(), "e2e function: handled a call"); {
		if time.Now().After(deadline) {
			t.Errorf("Logs() = %q, want the function's stderr", c.Logs())
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.Stop()

	// A multi-platform function image runs its host child.
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
		mutate.IndexAddendum{Add: RemoteImage(t, ctx, base.String(), reg, "linux/"+other), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: other}}},
	)
	multi, err := name.NewTag(reg.Ref("e2e/hello:multi"))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(multi, idx, remote.WithAuth(reg.Auth()), remote.WithContext(ctx)); err != nil {
		t.Fatalf("pushing %s: %v", multi, err)
	}
	mc := RunImage(t, ctx, multi.String(), reg, RunOptions{})
	resp, err = mc.Invoke(ctx, InvokeRequest{Body: []byte("multi")})
	if err != nil || resp.Status != http.StatusOK {
		t.Errorf("Invoke(%s) = %v, %v; want status 200", multi, resp, err)
	}
	mc.Stop()
	t.Logf("TestGoFunction total %v", time.Since(testStart).Round(time.Millisecond))
}

// TestRegistryAuth checks that the registry refuses pushes without the right
// password.
func TestRegistryAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reg := StartRegistry(t)
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(reg.Ref("e2e/auth:latest"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		auth authn.Authenticator
	}{
		{"anonymous", authn.Anonymous},
		{"wrong password", &authn.Basic{Username: reg.Username, Password: "not-" + reg.Password}},
	} {
		err := remote.Write(ref, img, remote.WithAuth(tc.auth), remote.WithContext(ctx))
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode != http.StatusUnauthorized {
			t.Errorf("push %s: err = %v, want a 401 transport error", tc.name, err)
		}
	}
	if err := remote.Write(ref, img, remote.WithAuth(reg.Auth()), remote.WithContext(ctx)); err != nil {
		t.Errorf("push with the registry's credentials: %v", err)
	}
}

// TestCheckListener covers the socket checks of the Fn agent.
func TestCheckListener(t *testing.T) {
	dir, err := os.MkdirTemp("", "osa-lsnr-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	l, err := net.Listen("unix", filepath.Join(dir, "phony.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Chmod(filepath.Join(dir, "phony.sock"), 0o666); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "file"), "", 0o666)

	for _, tc := range []struct {
		name    string
		target  string // symlink target; "" to make lsnr.sock the socket itself
		wantErr string
	}{
		{name: "relative symlink to socket", target: "phony.sock"},
		{name: "socket itself"},
		{name: "absolute symlink", target: filepath.Join(dir, "phony.sock"), wantErr: "bare file name"},
		{name: "symlink to missing", target: "missing", wantErr: "does not exist"},
		{name: "symlink to file", target: "file", wantErr: "not a unix socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, listenerName)
			os.Remove(path)
			if tc.target != "" {
				if err := os.Symlink(tc.target, path); err != nil {
					t.Fatal(err)
				}
			} else {
				l, err := net.Listen("unix", path)
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				if err := os.Chmod(path, 0o666); err != nil {
					t.Fatal(err)
				}
			}
			fi, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			err = checkListener(dir, fi)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("checkListener() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("checkListener() = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestSandbox checks the edits made to a runtime spec written by umoci.
func TestSandbox(t *testing.T) {
	spec := map[string]any{
		"process": map[string]any{
			"terminal": true,
			"user":     map[string]any{"uid": 0.0, "gid": 0.0},
			"env":      []any{"PATH=/usr/bin", "TERM=xterm", "HOME=/root", "LANG=C"},
			"rlimits":  []any{map[string]any{"type": "RLIMIT_NOFILE", "soft": 1024.0, "hard": 1024.0}},
			"args":     []any{"./func"},
			"cwd":      "/function",
			"capabilities": map[string]any{
				"bounding": []any{"CAP_KILL"},
			},
		},
		"root":   map[string]any{"path": "rootfs"},
		"mounts": []any{map[string]any{"destination": "/proc", "type": "proc"}, map[string]any{"destination": "/tmp", "type": "bind"}},
	}
	if err := sandbox(spec, sandboxConfig{
		env:       []string{"FN_MEMORY=512"},
		sockDir:   "/host/iofs",
		tmpSizeMB: 128,
		tmpInodes: 4096,
		home:      "/home/fn",
		imageEnv:  []string{"PATH=/usr/bin", "LANG=C"},
		maxNofile: 512,
	}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Process struct {
			Terminal        bool
			User            struct{ UID, GID int }
			Env             []string
			Args            []string
			Cwd             string
			NoNewPrivileges bool
			Capabilities    map[string][]string
			Rlimits         []struct {
				Type       string
				Soft, Hard uint64
			}
		}
		Root   struct{ Readonly bool }
		Mounts []struct {
			Destination, Type, Source string
			Options                   []string
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	p := got.Process
	if p.Terminal || p.User.UID != 1000 || p.User.GID != 1000 || !p.NoNewPrivileges || !got.Root.Readonly {
		t.Errorf("sandbox: terminal %v user %d:%d noNewPrivileges %v readonly %v; want false 1000:1000 true true",
			p.Terminal, p.User.UID, p.User.GID, p.NoNewPrivileges, got.Root.Readonly)
	}
	if diff := cmp.Diff([]string{"PATH=/usr/bin", "HOME=/home/fn", "LANG=C", "FN_MEMORY=512"}, p.Env); diff != "" {
		t.Errorf("sandbox env (-want +got):\n%s", diff)
	}
	if len(p.Rlimits) != 1 || p.Rlimits[0].Soft != 512 || p.Rlimits[0].Hard != 512 {
		t.Errorf("sandbox rlimits = %+v, want RLIMIT_NOFILE lowered to the hard limit 512", p.Rlimits)
	}
	if p.Cwd != "/function" || !slices.Equal(p.Args, []string{"./func"}) {
		t.Errorf("sandbox changed cwd/args: %q %q", p.Cwd, p.Args)
	}
	for _, set := range []string{"bounding", "effective", "permitted", "inheritable", "ambient"} {
		if caps, ok := p.Capabilities[set]; !ok || len(caps) != 0 {
			t.Errorf("sandbox capabilities %s = %v (present %v), want an empty set", set, caps, ok)
		}
	}
	var dests []string
	for _, m := range got.Mounts {
		dests = append(dests, m.Destination+":"+m.Type)
	}
	if diff := cmp.Diff([]string{"/proc:proc", "/tmp:tmpfs", "/tmp/iofs:bind"}, dests); diff != "" {
		t.Errorf("sandbox mounts (-want +got):\n%s", diff)
	}
	if tmp := got.Mounts[1]; !slices.Contains(tmp.Options, "size=128m") || !slices.Contains(tmp.Options, "nr_inodes=4096") {
		t.Errorf("sandbox /tmp options = %q, want size=128m and nr_inodes=4096", tmp.Options)
	}
	if iofs := got.Mounts[2]; iofs.Source != "/host/iofs" {
		t.Errorf("sandbox /tmp/iofs source = %q, want /host/iofs", iofs.Source)
	}
}

// fatalTB records the first Fatalf instead of failing the real test, so that
// a test can check the rig's failure messages.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// expectFatal runs f with a fatalTB and returns its Fatalf message ("" when
// f returned normally).
func expectFatal(t *testing.T, f func(tb testing.TB)) string {
	t.Helper()
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(tb)
	}()
	<-done
	return tb.msg
}

// TestRunImageReportsExit checks that a container that exits without
// creating its socket fails RunImage with the container's output.
func TestRunImageReportsExit(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reg := StartRegistry(t)
	base := PushGoBase(t, ctx, reg, "fnproject/go")
	img, err := mutate.Config(RemoteImage(t, ctx, base.String(), reg, ""), v1.Config{
		Env:        []string{basePath},
		Entrypoint: []string{"/no/such/entrypoint"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ref := reg.Ref("e2e/broken:0.0.1")
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img, remote.WithAuth(reg.Auth()), remote.WithContext(ctx)); err != nil {
		t.Fatal(err)
	}
	msg := expectFatal(t, func(tb testing.TB) { RunImage(tb, ctx, ref, reg, RunOptions{}) })
	for _, want := range []string{"exited", "before creating /tmp/iofs/lsnr.sock", "/no/such/entrypoint"} {
		if !strings.Contains(msg, want) {
			t.Errorf("RunImage(broken image) failure = %q, want it to mention %q", msg, want)
		}
	}
	msg = expectFatal(t, func(tb testing.TB) { RunImage(tb, ctx, ref, reg, RunOptions{MemoryMB: 100}) })
	if !strings.Contains(msg, "MemoryMB 100") {
		t.Errorf("RunImage(MemoryMB 100) failure = %q, want it to name the bad memory size", msg)
	}
}

// TestLookTool checks the tool lookup order and the failure message.
func TestLookTool(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OSA_TOOLS_DIR", dir)
	if got := ToolsDir(); got != dir {
		t.Errorf("ToolsDir() = %q, want $OSA_TOOLS_DIR %q", got, dir)
	}
	bin := filepath.Join(dir, "bin", "osa-e2e-fake-tool")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, bin, "#!/bin/sh\n", 0o755)
	if got := LookTool(t, "osa-e2e-fake-tool"); got != bin {
		t.Errorf("LookTool(osa-e2e-fake-tool) = %q, want %q", got, bin)
	}
	msg := expectFatal(t, func(tb testing.TB) { LookTool(tb, "osa-e2e-missing-tool") })
	if !strings.Contains(msg, "osa-e2e-missing-tool") || !strings.Contains(msg, "hack/install-tools.sh") {
		t.Errorf("LookTool(missing) failure = %q, want the tool's name and hack/install-tools.sh", msg)
	}

	t.Setenv("OSA_TOOLS_DIR", "")
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatalf("no home directory: %v", err)
	}
	if got, want := ToolsDir(), filepath.Join(home, ".cache", "osa", "tools"); got != want {
		t.Errorf("ToolsDir() without $OSA_TOOLS_DIR = %q, want %q", got, want)
	}
}
