package fnimage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	ocilayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Published describes an image pushed to a registry.
type Published struct {
	Tag       name.Tag      // REPO:TAG
	Digest    v1.Hash       // of the image, or of the index for several platforms
	Platforms []string      // "linux/amd64", ...
	Layers    []LayerReport // every layer of every platform, once each, in image order
	Reference name.Digest   // REPO@DIGEST, what functions should pin
}

// String returns "REPO:TAG@DIGEST".
func (p *Published) String() string { return p.Tag.String() + "@" + p.Digest.String() }

// LayerReport is one layer of a published image.
type LayerReport struct {
	Digest   v1.Hash
	Size     int64 // compressed
	Uploaded bool  // false when the registry already had it (or mounted it from another repository)
}

// Publish pushes res to the registry under tag. Blobs the registry already
// has are not uploaded again. The tag is written last, after every blob and
// child manifest, so a failed push never leaves a tag pointing at a partial
// image. ggcr's retry is the
// only retry on this path (3 tries, backoff 1 s x3). Progress goes to the
// WithProgress callback.
func Publish(ctx context.Context, res *Result, tag name.Tag, opts ...Option) (*Published, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	if res == nil || res.Artifact() == nil {
		return nil, errors.New("publish: nothing to publish")
	}
	digest, err := res.Digest()
	if err != nil {
		return nil, err
	}
	total, err := blobsSize(res)
	if err != nil {
		return nil, err
	}
	// Progress is counted here, not with remote.WithProgress: ggcr closes its
	// progress channel when Write returns, but the HTTP transport may still
	// be sending a blob whose upload the registry refused early, and the
	// late send on the closed channel panics.
	rec := &uploadRecorder{inner: o.transport, uploaded: map[string]bool{}, total: total,
		report: func(done, total int64) {
			o.progress(Progress{Stage: StagePush, Done: done, Total: total, Message: "pushing " + tag.String()})
		}}
	defer rec.stop()
	o.transport = rec
	if res.Index != nil {
		err = remote.WriteIndex(tag, res.Index, o.remoteOptions(ctx)...)
	} else {
		err = remote.Write(tag, res.Image, o.remoteOptions(ctx)...)
	}
	rec.stop()
	if err != nil {
		return nil, registryError("pushing", tag.String(), tag.RegistryStr(), err)
	}
	layers, err := layerReports(res, rec)
	if err != nil {
		return nil, err
	}
	o.progress(Progress{Stage: StageDone, Message: "pushed " + tag.String() + "@" + digest.String()})
	return &Published{
		Tag:       tag,
		Digest:    digest,
		Platforms: res.PlatformStrings(),
		Layers:    layers,
		Reference: tag.Context().Digest(digest.String()),
	}, nil
}

// Images returns the per-platform images of res, in index order.
func (r *Result) Images() ([]v1.Image, error) {
	if r.Index == nil {
		return []v1.Image{r.Image}, nil
	}
	im, err := r.Index.IndexManifest()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Image, 0, len(im.Manifests))
	for _, d := range im.Manifests {
		img, err := r.Index.Image(d.Digest)
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

// Layers reports every layer of res once, in image order; Uploaded is false.
func (r *Result) Layers() ([]LayerReport, error) { return layerReports(r, nil) }

func layerReports(res *Result, rec *uploadRecorder) ([]LayerReport, error) {
	imgs, err := res.Images()
	if err != nil {
		return nil, err
	}
	seen := map[v1.Hash]bool{}
	var out []LayerReport
	for _, img := range imgs {
		layers, err := img.Layers()
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			d, err := l.Digest()
			if err != nil {
				return nil, err
			}
			if seen[d] {
				continue
			}
			seen[d] = true
			size, err := l.Size()
			if err != nil {
				return nil, err
			}
			out = append(out, LayerReport{Digest: d, Size: size, Uploaded: rec.wasUploaded(d)})
		}
	}
	return out, nil
}

// uploadRecorder notes the blobs whose upload a registry accepted (the
// final PUT of an upload session carries the blob's digest and gets 201),
// and reports the bytes of blob uploads sent so far.
type uploadRecorder struct {
	inner    http.RoundTripper
	mu       sync.Mutex
	uploaded map[string]bool

	total   int64                   // bytes of all blobs: an upper bound of what is sent
	sent    atomic.Int64            // bytes of blob uploads sent
	stopped atomic.Bool             // Publish has returned: report no more
	report  func(done, total int64) // progress callback
}

// stop ends progress reports; late reads of a refused upload's body are
// not reported.
func (u *uploadRecorder) stop() { u.stopped.Store(true) }

func (u *uploadRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && u.report != nil && strings.Contains(req.URL.Path, "/blobs/uploads/") &&
		(req.Method == http.MethodPatch || req.Method == http.MethodPut) {
		req = req.Clone(req.Context())
		req.Body = &countingBody{ReadCloser: req.Body, u: u}
	}
	resp, err := u.inner.RoundTrip(req)
	if err == nil && req.Method == http.MethodPut && resp.StatusCode == http.StatusCreated &&
		strings.Contains(req.URL.Path, "/blobs/uploads/") {
		if d := req.URL.Query().Get("digest"); d != "" {
			u.mu.Lock()
			u.uploaded[d] = true
			u.mu.Unlock()
		}
	}
	return resp, err
}

// countingBody counts the bytes of a blob upload as the transport sends them.
type countingBody struct {
	io.ReadCloser
	u *uploadRecorder
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		sent := b.u.sent.Add(int64(n))
		if !b.u.stopped.Load() {
			b.u.report(min(sent, max(b.u.total, sent)), max(b.u.total, sent))
		}
	}
	return n, err
}

// blobsSize is the size of every blob of res (layers and configs), once
// each: what a push to an empty registry sends.
func blobsSize(res *Result) (int64, error) {
	layers, err := layerReports(res, nil)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, l := range layers {
		n += l.Size
	}
	imgs, err := res.Images()
	if err != nil {
		return 0, err
	}
	for _, img := range imgs {
		cfg, err := img.RawConfigFile()
		if err != nil {
			return 0, err
		}
		n += int64(len(cfg))
	}
	return n, nil
}

func (u *uploadRecorder) wasUploaded(d v1.Hash) bool {
	if u == nil {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.uploaded[d.String()]
}

// WriteLayout writes res into the OCI image layout at dir (created if
// missing), named by the org.opencontainers.image.ref.name annotation
// refName; an image already there under that name is replaced.
func WriteLayout(dir string, res *Result, refName string) error {
	p, err := ocilayout.FromPath(dir)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("opening OCI layout %s: %w", dir, err)
		}
		if p, err = ocilayout.Write(dir, empty.Index); err != nil {
			return fmt.Errorf("creating OCI layout %s: %w", dir, err)
		}
	}
	annotations := map[string]string{"org.opencontainers.image.ref.name": refName}
	matcher := match.Annotation("org.opencontainers.image.ref.name", refName)
	if res.Index != nil {
		err = p.ReplaceIndex(res.Index, matcher, ocilayout.WithAnnotations(annotations))
	} else {
		err = p.ReplaceImage(res.Image, matcher, ocilayout.WithAnnotations(annotations))
	}
	if err != nil {
		return fmt.Errorf("writing OCI layout %s: %w", dir, err)
	}
	return nil
}
