package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"path"
	"runtime"
	"strings"
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

// GoBaseTag is the tag PushGoBase pushes, the version of fnproject/go it
// stands in for.
const GoBaseTag = "1.24"

// baseTime is the fixed time of every file and config in a base image, so the
// base's digest never changes.
var baseTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// basePath is the PATH of the Oracle Linux based fnproject run images.
const basePath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// TarEntry is one file of a test layer. Directories end in "/" or have
// Dir set; Symlink makes a symbolic link to its value.
type TarEntry struct {
	Path    string // path in the image, without the leading "/"
	Mode    int64  // permission bits (and setuid/setgid/sticky), e.g. 0o755
	Content []byte // file content
	Dir     bool   // a directory
	Symlink string // when set, a symbolic link to this target
	UID     int    // owner; 0 (root) by default
	GID     int    // group; 0 (root) by default
}

// Layer makes an uncompressed-on-disk OCI layer (gzip media type) from
// entries, in the order given, owned by root unless set otherwise, all with
// the same fixed modification time.
func Layer(t testing.TB, entries ...TarEntry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:    strings.TrimPrefix(e.Path, "/"),
			Mode:    e.Mode,
			Uid:     e.UID,
			Gid:     e.GID,
			ModTime: baseTime,
			Format:  tar.FormatPAX,
		}
		switch {
		case e.Symlink != "":
			h.Typeflag = tar.TypeSymlink
			h.Linkname = e.Symlink
		case e.Dir || strings.HasSuffix(e.Path, "/"):
			h.Typeflag = tar.TypeDir
			h.Name = strings.TrimSuffix(h.Name, "/") + "/"
		default:
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.Content))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("e2e: writing tar header %s: %v", e.Path, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.Content); err != nil {
				t.Fatalf("e2e: writing tar entry %s: %v", e.Path, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("e2e: closing tar: %v", err)
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatalf("e2e: making layer: %v", err)
	}
	return layer
}

// goBaseImage returns the single-platform stand-in for fnproject/go.
func goBaseImage(t testing.TB, arch, variant string) v1.Image {
	t.Helper()
	layer := Layer(t,
		TarEntry{Path: "etc/", Mode: 0o755},
		TarEntry{Path: "etc/passwd", Mode: 0o644, Content: []byte(
			"root:x:0:0:root:/root:/bin/bash\n" +
				"fn:x:1000:1000::/home/fn:/sbin/nologin\n")},
		TarEntry{Path: "etc/group", Mode: 0o644, Content: []byte(
			"root:x:0:\n" +
				"fn:x:1000:\n")},
		TarEntry{Path: "tmp/", Mode: 0o1777},
	)
	cfg := &v1.ConfigFile{
		Architecture: arch,
		OS:           "linux",
		Variant:      variant,
		Created:      v1.Time{Time: baseTime},
		Config:       v1.Config{Env: []string{basePath}},
		RootFS:       v1.RootFS{Type: "layers"},
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		t.Fatalf("e2e: setting the base config: %v", err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History: v1.History{
			Created:   v1.Time{Time: baseTime},
			CreatedBy: "osa e2e: stand-in for fnproject/go:" + GoBaseTag + " (users root and fn 1000:1000)",
		},
	})
	if err != nil {
		t.Fatalf("e2e: appending the base layer: %v", err)
	}
	return img
}

// PushGoBase pushes to reg, as repo (tagged 1.24 unless repo carries a tag,
// as in "mirror/fnproject/go:1.24"), a minimal multi-platform image
// standing in for fnproject/go:1.24 (Oracle Linux slim plus user and group fn,
// uid/gid 1000): an OCI image index with linux/amd64 and linux/arm64/v8
// children, each one layer holding /etc/passwd, /etc/group and /tmp (1777),
// owned by root, with fixed timestamps, and a config with the usual PATH and
// no Entrypoint or Cmd. The image is the same on every call. It returns the
// digest reference of the index.
func PushGoBase(t testing.TB, ctx context.Context, reg *Registry, repo string) name.Digest {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range []v1.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
	} {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        goBaseImage(t, p.Architecture, p.Variant),
			Descriptor: v1.Descriptor{Platform: &p},
		})
	}
	ref := reg.Ref(repo)
	if !strings.Contains(path.Base(repo), ":") {
		ref += ":" + GoBaseTag
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	if err := remote.WriteIndex(tag, idx, remote.WithAuth(reg.Auth()), remote.WithContext(ctx)); err != nil {
		t.Fatalf("e2e: pushing the Go base image to %s: %v", tag, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	return tag.Context().Digest(d.String())
}

// HostPlatform is linux on the architecture the tests run on, the platform
// RunImage runs. It has no variant, so it matches an arm64 child with or
// without "v8".
func HostPlatform() v1.Platform {
	return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
}

// RemoteImage fetches the image ref from reg (anonymously when reg is nil).
// For an image index it picks the child for platform ("os/arch[/variant]",
// the host's when empty).
func RemoteImage(t testing.TB, ctx context.Context, ref string, reg *Registry, platform string) v1.Image {
	t.Helper()
	p := HostPlatform()
	if platform != "" {
		pp, err := v1.ParsePlatform(platform)
		if err != nil {
			t.Fatalf("e2e: platform %q: %v", platform, err)
		}
		p = *pp
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatalf("e2e: image reference %q: %v", ref, err)
	}
	img, err := remote.Image(r, remote.WithAuth(remoteAuth(reg)), remote.WithContext(ctx), remote.WithPlatform(p))
	if err != nil {
		t.Fatalf("e2e: fetching %s for %s: %v", ref, p, err)
	}
	return img
}

// ImageConfig returns the config of image ref in reg (the host platform's
// child for an image index).
func ImageConfig(t testing.TB, ctx context.Context, ref string, reg *Registry) *v1.ConfigFile {
	t.Helper()
	cfg, err := RemoteImage(t, ctx, ref, reg, "").ConfigFile()
	if err != nil {
		t.Fatalf("e2e: reading the config of %s: %v", ref, err)
	}
	return cfg
}

// ImageFiles returns the files of image ref in reg as the container sees
// them (all layers flattened, whiteouts applied), keyed by path without a
// leading "/" or a trailing "/" ("etc/passwd", "function/func", "tmp").
// platform ("linux/arm64/v8") picks the child of an image index; empty means
// the host's.
func ImageFiles(t testing.TB, ctx context.Context, ref string, reg *Registry, platform string) map[string]*tar.Header {
	t.Helper()
	rc := mutate.Extract(RemoteImage(t, ctx, ref, reg, platform))
	defer func() { _ = rc.Close() }()
	files := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("e2e: reading the files of %s: %v", ref, err)
		}
		p := strings.Trim(path.Clean("/"+h.Name), "/")
		if p == "" {
			continue
		}
		files[p] = h
	}
	return files
}
