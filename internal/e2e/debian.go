package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// DebianMirror is where debootstrap fetches packages (a Debian package
// registry this machine reaches).
const DebianMirror = "http://deb.debian.org/debian"

// DebianBaseOptions describes a run image made from Debian packages, standing
// in for an fnproject/* run image that cannot be pulled here.
type DebianBaseOptions struct {
	// Packages are installed on top of debootstrap's minbase (e.g. python3).
	Packages []string
	// Arches are Debian architectures ("amd64", "arm64"); default: the
	// host's. A foreign architecture is unpacked without being configured
	// (debootstrap --foreign): its files are all there, but it cannot run here.
	Arches []string
	// Suite is the Debian release; default "bookworm".
	Suite string
	// Env is added to the config's PATH.
	Env []string
	// Entrypoint and Cmd of the config, as a run image's (Java's FDK image
	// has an entrypoint).
	Entrypoint, Cmd []string
	// Files go into a second layer on top of the root file system.
	Files []TarEntry
}

// BasesDir is where Debian root file systems are cached between runs.
func BasesDir() string {
	if d := os.Getenv("OSA_BASES_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	return filepath.Join(home, ".cache", "osa", "bases")
}

// DebianBase makes a run image from Debian packages with a user and group
// fn (uid and gid 1000), as fnproject's run images have, pushes it to
// reg/repo (an image index when several arches are given) and returns it by
// digest. The root file systems are made with debootstrap once and cached
// under BasesDir() (about a minute each when cold).
func DebianBase(t testing.TB, ctx context.Context, reg *Registry, repo string, opts DebianBaseOptions) name.Digest {
	t.Helper()
	if opts.Suite == "" {
		opts.Suite = "bookworm"
	}
	if len(opts.Arches) == 0 {
		opts.Arches = []string{runtime.GOARCH}
	}
	var imgs []v1.Image
	var plats []v1.Platform
	for _, arch := range opts.Arches {
		rootfs := debianLayer(t, ctx, opts.Suite, arch, opts.Packages)
		img, err := mutate.Append(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON),
			mutate.Addendum{Layer: rootfs, MediaType: types.OCILayer, History: v1.History{CreatedBy: "debootstrap " + opts.Suite + " " + strings.Join(opts.Packages, ",")}})
		if err != nil {
			t.Fatalf("e2e: debian base: %v", err)
		}
		if len(opts.Files) > 0 {
			img, err = mutate.AppendLayers(img, Layer(t, opts.Files...))
			if err != nil {
				t.Fatalf("e2e: debian base: %v", err)
			}
		}
		p := v1.Platform{OS: "linux", Architecture: arch}
		if arch == "arm64" {
			p.Variant = "v8"
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatalf("e2e: debian base: %v", err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
		cf.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
		cf.Config.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, opts.Env...)
		cf.Config.Entrypoint, cf.Config.Cmd = opts.Entrypoint, opts.Cmd
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatalf("e2e: debian base: %v", err)
		}
		imgs, plats = append(imgs, img), append(plats, p)
	}
	tag, err := name.NewTag(reg.Host+"/"+repo, name.Insecure)
	if err != nil {
		t.Fatalf("e2e: debian base: %v", err)
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(reg.Auth())}
	var digest v1.Hash
	if len(imgs) == 1 {
		err = remote.Write(tag, imgs[0], ropts...)
		digest, _ = imgs[0].Digest()
	} else {
		idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
		for i := range imgs {
			idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: imgs[i], Descriptor: v1.Descriptor{Platform: &plats[i]}})
		}
		err = remote.WriteIndex(tag, idx, ropts...)
		digest, _ = idx.Digest()
	}
	if err != nil {
		t.Fatalf("e2e: pushing debian base %s: %v", tag, err)
	}
	return tag.Context().Digest(digest.String())
}

// debianLayer returns the cached root file system layer for suite, arch and
// packages, making it with debootstrap if needed. Concurrent callers (tests
// in parallel, or several test binaries) wait for one another on a lock file.
func debianLayer(t testing.TB, ctx context.Context, suite, arch string, packages []string) v1.Layer {
	t.Helper()
	sum := sha256.Sum256([]byte(strings.Join(append([]string{"v2", suite, arch}, packages...), "\x00")))
	key := fmt.Sprintf("%s-%s-%s", suite, arch, hex.EncodeToString(sum[:6]))
	dir := BasesDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("e2e: %v", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	defer func() { _ = lock.Close() }()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("e2e: locking %s: %v", lock.Name(), err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()

	cached := filepath.Join(dir, key+".tar.gz")
	if _, err := os.Stat(cached); err != nil {
		start := time.Now()
		if err := makeDebianLayer(ctx, suite, arch, packages, cached); err != nil {
			t.Fatalf("e2e: making the %s/%s base with %s: %v", suite, arch, strings.Join(packages, ","), err)
		}
		t.Logf("e2e: debootstrap %s %s %v: %s (cached as %s)", suite, arch, packages, time.Since(start).Round(time.Second), cached)
	}
	l, err := cachedFileLayer(cached)
	if err != nil {
		t.Fatalf("e2e: reading %s: %v", cached, err)
	}
	return l
}

// fileLayer is a gzipped layer in a file whose digests were computed once,
// when it was cached, and kept beside it: hashing a 100 MB base again on
// every run costs tens of seconds under the race detector.
type fileLayer struct {
	path           string
	digest, diffID v1.Hash
	size           int64
}

type fileLayerMeta struct {
	Digest string `json:"digest"`
	DiffID string `json:"diff_id"`
	Size   int64  `json:"size"`
}

// cachedFileLayer returns the layer in path, computing and storing its
// digests in path.json the first time.
func cachedFileLayer(path string) (v1.Layer, error) {
	var m fileLayerMeta
	data, err := os.ReadFile(path + ".json")
	if err != nil || json.Unmarshal(data, &m) != nil {
		l, err := tarball.LayerFromFile(path, tarball.WithMediaType(types.OCILayer))
		if err != nil {
			return nil, err
		}
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		diff, err := l.DiffID()
		if err != nil {
			return nil, err
		}
		size, err := l.Size()
		if err != nil {
			return nil, err
		}
		m = fileLayerMeta{Digest: d.String(), DiffID: diff.String(), Size: size}
		if data, err = json.Marshal(m); err == nil {
			_ = os.WriteFile(path+".json", data, 0o644)
		}
	}
	digest, err := v1.NewHash(m.Digest)
	if err != nil {
		return nil, err
	}
	diffID, err := v1.NewHash(m.DiffID)
	if err != nil {
		return nil, err
	}
	return &fileLayer{path: path, digest: digest, diffID: diffID, size: m.Size}, nil
}

func (l *fileLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)                { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)  { return os.Open(l.path) }
func (l *fileLayer) Uncompressed() (io.ReadCloser, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

// makeDebianLayer runs debootstrap into a temporary directory, adds the fn
// user, trims documentation and package lists, and writes the tree as a
// gzipped tar with numeric owners and fixed times to out.
func makeDebianLayer(ctx context.Context, suite, arch string, packages []string, out string) error {
	tool, err := exec.LookPath("debootstrap")
	if err != nil {
		return fmt.Errorf("debootstrap is not installed (fix: run hack/install-tools.sh): %w", err)
	}
	work, err := os.MkdirTemp(filepath.Dir(out), ".rootfs-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()
	root := filepath.Join(work, "rootfs")
	args := []string{"--variant=minbase", "--arch=" + arch}
	if len(packages) > 0 {
		args = append(args, "--include="+strings.Join(packages, ","))
	}
	if arch != hostDebianArch() {
		args = append(args, "--foreign")
	}
	args = append(args, suite, root, DebianMirror)
	if err := run(ctx, tool, args...); err != nil {
		return err
	}
	if arch != hostDebianArch() {
		// The first stage of a foreign debootstrap unpacks only the required
		// packages; the included ones wait in the archive cache for a second
		// stage that cannot run here. Unpack them too (no maintainer scripts).
		if err := run(ctx, "sh", "-c", `for d in "$1"/var/cache/apt/archives/*.deb; do dpkg-deb -x "$d" "$1" || exit 1; done; rm -rf "$1/debootstrap"`, "sh", root); err != nil {
			return err
		}
	}
	if err := addFnUser(root); err != nil {
		return err
	}
	for _, p := range []string{"usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/cache/apt", "var/lib/apt/lists", "var/log", "debootstrap/debootstrap.log"} {
		if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
			return err
		}
	}
	tmp := out + ".tmp"
	if err := run(ctx, "sh", "-c", `tar -C "$1" --numeric-owner --sort=name --mtime=@1 -cf - . | gzip -1 > "$2"`, "sh", root, tmp); err != nil {
		return err
	}
	_ = os.Remove(out + ".json") // digests of a previous tarball
	return os.Rename(tmp, out)
}

// addFnUser adds user and group fn (1000), as fnproject's run images have.
// A foreign first stage has no /etc/passwd yet (base-passwd's maintainer
// script makes it): start one with root.
func addFnUser(root string) error {
	for file, first := range map[string]string{"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n", "etc/group": "root:x:0:\n"} {
		p := filepath.Join(root, file)
		if _, err := os.Stat(p); os.IsNotExist(err) {
			if err := os.WriteFile(p, []byte(first), 0o644); err != nil {
				return err
			}
		}
	}
	for file, line := range map[string]string{
		"etc/passwd": "fn:x:1000:1000::/home/fn:/usr/sbin/nologin\n",
		"etc/group":  "fn:x:1000:\n",
	} {
		f, err := os.OpenFile(filepath.Join(root, file), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, werr := f.WriteString(line)
		if err := errors.Join(werr, f.Close()); err != nil {
			return fmt.Errorf("adding fn to %s: %w", file, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "home", "fn"), 0o755); err != nil {
		return err
	}
	return os.Chown(filepath.Join(root, "home", "fn"), 1000, 1000)
}

func hostDebianArch() string { return runtime.GOARCH }

func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		tail := out.String()
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail)
	}
	return nil
}
