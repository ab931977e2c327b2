package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"golang.org/x/crypto/bcrypt"
)

// registryStartTimeout bounds how long StartRegistry waits for /v2/ to answer.
const registryStartTimeout = 20 * time.Second

// Registry is a CNCF distribution registry ("registry" binary) serving plain
// HTTP on the loopback interface with htpasswd (Basic) auth.
type Registry struct {
	// Host is "127.0.0.1:PORT", the registry part of image references.
	Host string
	// Username and Password are the only credentials the registry accepts.
	Username, Password string
}

// Auth returns the registry's credentials for go-containerregistry.
func (r *Registry) Auth() authn.Authenticator {
	return &authn.Basic{Username: r.Username, Password: r.Password}
}

// Ref returns the reference "HOST/repo" (repo may carry ":tag" or "@digest").
func (r *Registry) Ref(repo string) string {
	return r.Host + "/" + strings.TrimPrefix(repo, "/")
}

// StartRegistry starts the distribution registry on a free loopback port with
// filesystem storage under t.TempDir() and a random password, waits until it
// answers, and stops it when the test ends. The registry's log is printed
// (its tail) only when the test fails.
func StartRegistry(t testing.TB) *Registry {
	t.Helper()
	bin := LookTool(t, "registry")
	dir := t.TempDir()

	password := randomHex(16)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatalf("e2e: hashing the registry password: %v", err)
	}
	reg := &Registry{Username: "osa-e2e", Password: password}
	htpasswd := filepath.Join(dir, "htpasswd")
	writeFile(t, htpasswd, reg.Username+":"+string(hash)+"\n", 0o600)

	// The port is picked by binding :0 and released for the registry to bind;
	// another process could take it in between, so a start that fails is
	// retried with a new port.
	var lastLog string
	for attempt := 1; attempt <= 3; attempt++ {
		port := freePort(t)
		reg.Host = fmt.Sprintf("127.0.0.1:%d", port)
		configPath := filepath.Join(dir, fmt.Sprintf("config-%d.yml", attempt))
		logPath := filepath.Join(dir, fmt.Sprintf("registry-%d.log", attempt))
		writeFile(t, configPath, registryConfig(reg.Host, filepath.Join(dir, "storage"), htpasswd, randomHex(16)), 0o600)

		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatalf("e2e: %v", err)
		}
		cmd := exec.Command(bin, "serve", configPath)
		cmd.Stdout = logFile
		cmd.Stderr = logFile
		// No OTLP exporter: the registry would otherwise try localhost:4318.
		cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_METRICS_EXPORTER=none", "OTEL_LOGS_EXPORTER=none")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			_ = logFile.Close()
			t.Fatalf("e2e: starting %s: %v", bin, err)
		}
		exited := make(chan struct{})
		var exitErr error
		go func() {
			exitErr = cmd.Wait()
			close(exited)
		}()

		ready, why := waitRegistry(reg.Host, exited, &exitErr)
		if ready {
			t.Logf("e2e: registry %s ready in %v", reg.Host, time.Since(start).Round(time.Millisecond))
			t.Cleanup(func() {
				stopProcess(cmd.Process, exited)
				_ = logFile.Close()
				if t.Failed() {
					t.Logf("e2e: registry log (%s), tail:\n%s", logPath, tail(readFileString(logPath), 40))
				}
			})
			return reg
		}
		stopProcess(cmd.Process, exited)
		_ = logFile.Close()
		lastLog = fmt.Sprintf("attempt %d on %s: %s\n%s", attempt, reg.Host, why, tail(readFileString(logPath), 40))
		t.Logf("e2e: registry did not start: %s", lastLog)
	}
	t.Fatalf("e2e: the distribution registry did not start; last %s", lastLog)
	return nil
}

// registryConfig renders the registry's configuration file.
func registryConfig(addr, storage, htpasswd, secret string) string {
	return fmt.Sprintf(`version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: %q
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %q
  secret: %q
auth:
  htpasswd:
    realm: osa-e2e
    path: %q
`, storage, addr, secret, htpasswd)
}

// waitRegistry polls GET /v2/ until it answers 401 (auth is on), the process
// exits (exited is closed after *exitErr is set) or registryStartTimeout
// passes.
func waitRegistry(host string, exited <-chan struct{}, exitErr *error) (bool, string) {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(registryStartTimeout)
	last := "no answer"
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false, fmt.Sprintf("registry exited early: %v", *exitErr)
		default:
		}
		resp, err := client.Get("http://" + host + "/v2/")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				return true, ""
			}
			last = fmt.Sprintf("GET /v2/ answered %s, want 401", resp.Status)
		} else {
			last = err.Error()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false, fmt.Sprintf("not ready after %v: %s", registryStartTimeout, last)
}

// stopProcess sends SIGTERM, then SIGKILL after 5 s, and waits until exited
// (closed when cmd.Wait returns) is closed.
func stopProcess(p *os.Process, exited <-chan struct{}) {
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(5 * time.Second):
	}
	_ = p.Kill()
	<-exited
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("e2e: finding a free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// randomHex returns 2n random hex digits.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (it crashes the program instead)
	return hex.EncodeToString(b)
}

func writeFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatalf("e2e: %v", err)
	}
}

// readFileString returns a file's content, or a note saying why it could not
// be read (it is only used for diagnostics).
func readFileString(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	return string(b)
}

// remoteAuth returns the credentials for reg, anonymous when reg is nil.
func remoteAuth(reg *Registry) authn.Authenticator {
	if reg == nil {
		return authn.Anonymous
	}
	return reg.Auth()
}
