package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// StartTimeout is how long a container gets to create its listener socket:
// the Fn agent's hot start timeout.
const StartTimeout = 5 * time.Second

// The Fn agent's socket directory and file name inside the container.
const (
	iofsDir      = "/tmp/iofs"
	listenerName = "lsnr.sock"
)

// tmpfsSizes maps a function's memory (MB) to the size (MB) and inode limit
// of its /tmp on OCI Functions.
var tmpfsSizes = map[int]struct{ sizeMB, inodes int }{
	128:  {32, 1024},
	256:  {64, 2048},
	512:  {128, 4096},
	1024: {256, 8192},
	2048: {512, 16384},
	3072: {768, 24576},
}

// RunOptions are the function settings RunImage gives the container.
type RunOptions struct {
	// MemoryMB is the function's memory (FN_MEMORY): 128 (the default), 256,
	// 512, 1024, 2048 or 3072. It sizes /tmp as OCI Functions does.
	MemoryMB int
	// Env is the function's configuration, appended to the environment after
	// the FN_* variables.
	Env map[string]string
	// AppID, FnID, AppName and FnName are FN_APP_ID, FN_FN_ID, FN_APP_NAME
	// and FN_FN_NAME; made-up values are used when empty.
	AppID, FnID, AppName, FnName string
	// Insecure pulls over plain HTTP or without TLS verification. It is
	// implied for a loopback registry (such as StartRegistry's).
	Insecure bool
}

// Container is a function image running under runc, as the Fn agent runs it.
type Container struct {
	// Name is the runc container id.
	Name string
	// Bundle is the OCI runtime bundle (config.json and rootfs/).
	Bundle string
	// SocketDir is the host directory mounted at /tmp/iofs.
	SocketDir string

	t      testing.TB
	runc   string
	out    *syncBuffer
	exited chan struct{} // closed when `runc run` has exited
	err    error         // `runc run`'s exit error, set before exited is closed
	client *http.Client
	stop   sync.Once
	shown  bool // the output was already part of a failure message
}

// RunImage pulls ref (from auth's registry with its credentials, or
// anonymously when auth is nil) and runs it the way the Fn agent runs a hot
// function container (fn-contract §7): as uid/gid 1000, with a read-only root,
// a tmpfs /tmp sized for the memory, a fresh host directory at /tmp/iofs, no
// capabilities, no-new-privileges, the image's own Entrypoint, Cmd,
// WorkingDir and Env, plus the FN_* variables and opts.Env. It waits up to
// StartTimeout for the listener socket, which must be a socket or a relative
// symlink in the same directory to one, and fails the test otherwise. The
// container is killed and deleted when the test ends (or on Stop).
//
// A multi-platform ref runs its linux/GOARCH child.
func RunImage(t testing.TB, ctx context.Context, ref string, auth *Registry, opts RunOptions) *Container {
	t.Helper()
	runc := LookTool(t, "runc")
	if os.Geteuid() != 0 {
		t.Fatalf("e2e: RunImage needs root (runc, umoci unpack without --rootless)")
	}
	memory := opts.MemoryMB
	if memory == 0 {
		memory = 128
	}
	tmpfs, ok := tmpfsSizes[memory]
	if !ok {
		t.Fatalf("e2e: RunOptions.MemoryMB %d is not an OCI Functions memory size (128, 256, 512, 1024, 2048, 3072)", memory)
	}

	dir := t.TempDir()
	layoutDir := filepath.Join(dir, "layout")
	bundle := filepath.Join(dir, "bundle")
	const tag = "fn"

	// 1. Pull into an OCI layout.
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("e2e: image reference %q: %v", ref, err)
	}
	args := []string{"--insecure-policy", "copy", "--quiet",
		"--override-os", "linux", "--override-arch", runtime.GOARCH}
	if opts.Insecure || r.Context().Scheme() == "http" {
		args = append(args, "--src-tls-verify=false")
	}
	if auth != nil {
		args = append(args, "--src-creds", auth.Username+":"+auth.Password)
	} else {
		args = append(args, "--src-no-creds")
	}
	args = append(args, "docker://"+r.String(), "oci:"+layoutDir+":"+tag)
	took := runTool(t, ctx, "skopeo", args...)
	t.Logf("e2e: skopeo copy %s: %v", ref, took.Round(time.Millisecond))

	// 2. Unpack into a runtime bundle.
	took = runTool(t, ctx, "umoci", "unpack", "--image", layoutDir+":"+tag, bundle)
	t.Logf("e2e: umoci unpack: %v", took.Round(time.Millisecond))

	// 3. The host side of /tmp/iofs. It lives in a short path of its own: the
	// socket path must stay under the 108-byte limit of a unix address.
	sockDir, err := os.MkdirTemp("", "osa-iofs-")
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(sockDir) })
	if err := os.Chmod(sockDir, 0o777); err != nil {
		t.Fatalf("e2e: %v", err)
	}

	env := []string{
		"FN_FORMAT=http-stream",
		"FN_LISTENER=unix:" + iofsDir + "/" + listenerName,
		"FN_MEMORY=" + strconv.Itoa(memory),
		"FN_TYPE=sync",
		"FN_APP_ID=" + orDefault(opts.AppID, "ocid1.fnapp.oc1..e2eapp"),
		"FN_FN_ID=" + orDefault(opts.FnID, "ocid1.fnfunc.oc1..e2efn"),
		"FN_APP_NAME=" + orDefault(opts.AppName, "e2e-app"),
		"FN_FN_NAME=" + orDefault(opts.FnName, "e2e-fn"),
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Env)) {
		env = append(env, k+"="+opts.Env[k])
	}
	imageEnv := layoutEnv(t, layoutDir)
	var nofile syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err != nil {
		t.Fatalf("e2e: %v", err)
	}
	sc := sandboxConfig{
		env:       env,
		sockDir:   sockDir,
		tmpSizeMB: tmpfs.sizeMB,
		tmpInodes: tmpfs.inodes,
		home:      passwdHome(filepath.Join(bundle, "rootfs", "etc", "passwd"), 1000),
		imageEnv:  imageEnv,
		maxNofile: nofile.Max,
	}
	configPath := filepath.Join(bundle, "config.json")
	if err := editSpec(configPath, func(spec map[string]any) error {
		return sandbox(spec, sc)
	}); err != nil {
		t.Fatalf("e2e: editing %s: %v", configPath, err)
	}

	// 4. Start the container and wait for its listener.
	c := &Container{
		Name:      "osa-e2e-" + randomHex(6),
		Bundle:    bundle,
		SocketDir: sockDir,
		t:         t,
		runc:      runc,
		out:       &syncBuffer{},
		exited:    make(chan struct{}),
	}
	cmd := exec.Command(runc, "run", "--bundle", bundle, c.Name)
	cmd.Stdout = c.out
	cmd.Stderr = c.out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("e2e: starting runc: %v", err)
	}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(c.Stop)

	if err := c.waitListener(start.Add(StartTimeout)); err != nil {
		c.shown = true
		t.Fatalf("e2e: container %s (%s): %v\ncontainer output:\n%s", c.Name, ref, err, tail(c.Logs(), 60))
	}
	t.Logf("e2e: listener socket ready %v after runc run", time.Since(start).Round(time.Millisecond))

	sock := filepath.Join(sockDir, listenerName)
	c.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		DisableCompression: true,
		MaxConnsPerHost:    1, // the agent keeps at most one connection
	}}
	return c
}

// waitListener waits until deadline for the listener socket and checks it
// the way the Fn agent does (checkSocketDestination).
func (c *Container) waitListener(deadline time.Time) error {
	path := filepath.Join(c.SocketDir, listenerName)
	for {
		fi, err := os.Lstat(path)
		if err == nil {
			return checkListener(c.SocketDir, fi)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		select {
		case <-c.exited:
			return fmt.Errorf("the container exited before creating %s: %w", filepath.Join(iofsDir, listenerName), c.err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %v (the Fn agent's start timeout)", filepath.Join(iofsDir, listenerName), StartTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkListener checks that lsnr.sock (described by fi) is a socket, or a
// symlink to a bare name in the same directory that is a socket, and that the
// socket is read-writable by everyone (the agent is another user).
func checkListener(dir string, fi fs.FileInfo) error {
	sock := filepath.Join(iofsDir, listenerName)
	target := fi
	if fi.Mode()&fs.ModeSymlink != 0 {
		link, err := os.Readlink(filepath.Join(dir, listenerName))
		if err != nil {
			return err
		}
		if filepath.Dir(link) != "." {
			return fmt.Errorf("%s is a symlink to %q; the Fn agent accepts only a bare file name in the same directory", sock, link)
		}
		target, err = os.Lstat(filepath.Join(dir, link))
		if err != nil {
			return fmt.Errorf("%s is a symlink to %q, which does not exist: %w", sock, link, err)
		}
		sock = filepath.Join(iofsDir, link)
	}
	if target.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s is not a unix socket (mode %v)", sock, target.Mode())
	}
	if perm := target.Mode().Perm(); perm&0o666 != 0o666 {
		return fmt.Errorf("%s has mode %v; the contract wants it read-writable by all (0666)", sock, perm)
	}
	return nil
}

// Logs returns what the container wrote to stdout and stderr so far
// (together with runc's own messages).
func (c *Container) Logs() string { return c.out.String() }

// Stop kills and deletes the container. It is safe to call more than once;
// RunImage registers it as a test cleanup.
func (c *Container) Stop() {
	c.stop.Do(func() {
		if c.client != nil {
			c.client.CloseIdleConnections()
		}
		// SIGKILL: an FDK running as PID 1 (no init) may ignore SIGTERM.
		kill := exec.Command(c.runc, "kill", c.Name, "KILL")
		if out, err := kill.CombinedOutput(); err != nil {
			select {
			case <-c.exited: // already gone
			default:
				c.t.Logf("e2e: runc kill %s: %v: %s", c.Name, err, out)
			}
		}
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.t.Logf("e2e: runc run %s did not exit 10s after SIGKILL", c.Name)
		}
		if out, err := exec.Command(c.runc, "delete", "--force", c.Name).CombinedOutput(); err != nil {
			c.t.Logf("e2e: runc delete %s: %v: %s", c.Name, err, out)
		}
		if c.t.Failed() && !c.shown {
			c.t.Logf("e2e: container %s output:\n%s", c.Name, tail(c.Logs(), 60))
		}
	})
}

// sandboxConfig is what sandbox needs besides the spec.
type sandboxConfig struct {
	env                  []string // appended to the environment (FN_*, config)
	sockDir              string   // host directory mounted at /tmp/iofs
	tmpSizeMB, tmpInodes int      // /tmp limits
	home                 string   // HOME of uid 1000 in the image, "/" if none
	imageEnv             []string // the image config's Env
	maxNofile            uint64   // our hard RLIMIT_NOFILE; runc cannot go higher
}

// sandbox edits an OCI runtime spec written by umoci into the Fn agent's
// sandbox (fn-contract §3.5).
func sandbox(spec map[string]any, sc sandboxConfig) error {
	process, err := object(spec, "process")
	if err != nil {
		return err
	}
	process["terminal"] = false
	process["user"] = map[string]any{"uid": 1000, "gid": 1000}
	process["noNewPrivileges"] = true
	process["capabilities"] = map[string]any{
		"bounding": []string{}, "effective": []string{}, "permitted": []string{},
		"inheritable": []string{}, "ambient": []string{},
	}
	// umoci adds TERM=xterm and the image user's HOME (root's) to the
	// image's Env. Docker, which the Fn agent drives, sets no TERM without a
	// terminal and sets HOME from /etc/passwd for the user it runs (1000).
	imageHas := func(key string) bool {
		return slices.ContainsFunc(sc.imageEnv, func(e string) bool { return strings.HasPrefix(e, key+"=") })
	}
	var env []any
	umociEnv, _ := process["env"].([]any)
	for _, e := range umociEnv {
		s, _ := e.(string)
		switch {
		case strings.HasPrefix(s, "TERM=") && !imageHas("TERM"):
			continue
		case strings.HasPrefix(s, "HOME=") && !imageHas("HOME"):
			e = "HOME=" + sc.home
		}
		env = append(env, e)
	}
	for _, e := range sc.env {
		env = append(env, e)
	}
	process["env"] = env

	// umoci asks for RLIMIT_NOFILE 1024; runc fails when that is above our
	// own hard limit (it cannot raise it).
	if rlimits, ok := process["rlimits"].([]any); ok && sc.maxNofile > 0 {
		for _, r := range rlimits {
			rl, _ := r.(map[string]any)
			if rl["type"] != "RLIMIT_NOFILE" {
				continue
			}
			for _, k := range []string{"soft", "hard"} {
				if v, ok := rl[k].(float64); ok && uint64(v) > sc.maxNofile {
					rl[k] = sc.maxNofile
				}
			}
		}
	}

	root, err := object(spec, "root")
	if err != nil {
		return err
	}
	root["readonly"] = true

	mounts, _ := spec["mounts"].([]any)
	// Drop anything the image or umoci put at /tmp, then mount ours.
	mounts = slices.DeleteFunc(mounts, func(m any) bool {
		mm, _ := m.(map[string]any)
		dest, _ := mm["destination"].(string)
		return dest == "/tmp" || strings.HasPrefix(dest, "/tmp/")
	})
	mounts = append(mounts,
		map[string]any{
			"destination": "/tmp",
			"type":        "tmpfs",
			"source":      "tmpfs",
			"options": []string{"nosuid", "nodev", "mode=1777",
				fmt.Sprintf("size=%dm", sc.tmpSizeMB), fmt.Sprintf("nr_inodes=%d", sc.tmpInodes)},
		},
		map[string]any{
			"destination": iofsDir,
			"type":        "bind",
			"source":      sc.sockDir,
			"options":     []string{"rbind", "rw", "nosuid", "nodev"},
		},
	)
	spec["mounts"] = mounts
	return nil
}

// editSpec rewrites the JSON file at path through edit, keeping every field
// it does not touch.
func editSpec(path string, edit func(map[string]any) error) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		return err
	}
	if err := edit(spec); err != nil {
		return err
	}
	b, err = json.MarshalIndent(spec, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// object returns spec[key] as a JSON object, creating it when absent.
func object(spec map[string]any, key string) (map[string]any, error) {
	switch v := spec[key].(type) {
	case map[string]any:
		return v, nil
	case nil:
		m := map[string]any{}
		spec[key] = m
		return m, nil
	default:
		return nil, fmt.Errorf("%q is a %T, not an object", key, v)
	}
}

// layoutEnv returns the config Env of the only image in an OCI layout.
func layoutEnv(t testing.TB, dir string) []string {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("e2e: reading the OCI layout %s: %v", dir, err)
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("e2e: OCI layout %s: want one image, got %v (%v)", dir, m, err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatalf("e2e: OCI layout %s: %v", dir, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("e2e: OCI layout %s: %v", dir, err)
	}
	return cfg.Config.Env
}

// passwdHome returns the home directory of uid in an /etc/passwd file, or "/"
// (what Docker uses) when there is none.
func passwdHome(path string, uid int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "/"
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 6 && f[2] == strconv.Itoa(uid) && f[5] != "" {
			return f[5]
		}
	}
	return "/"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// syncBuffer is a bytes buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
