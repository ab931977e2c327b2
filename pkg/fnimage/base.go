package fnimage

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// scratch names the empty base image, as in a Dockerfile's `FROM scratch`.
const scratch = "scratch"

// baseImage is a resolved run image: one image, or an index of per-platform images.
type baseImage struct {
	ref      string // as named by func.yaml or the runtime
	resolved string // after the base image mapping
	digest   string // resolved by digest ("repo@sha256:..."); empty for scratch
	index    v1.ImageIndex
	image    v1.Image
}

// normaliseRef returns the fully qualified form of an image reference, so
// that "fnproject/go:1.24" and "docker.io/fnproject/go:1.24" compare equal.
func normaliseRef(s string) (string, error) {
	if s == scratch {
		return s, nil
	}
	ref, err := name.ParseReference(s)
	if err != nil {
		return "", err
	}
	return ref.Name(), nil
}

// mapBase applies the base image mapping to ref.
func (o *options) mapBase(ref string) string {
	key, err := normaliseRef(ref)
	if err != nil {
		return ref
	}
	if to, ok := o.baseImages[key]; ok {
		return to
	}
	return ref
}

func (o *options) nameOptions() []name.Option {
	if o.insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}

// remoteOptions returns the options of every registry call: our transport
// and credentials under ggcr's retry, which is the only retry on this path.
func (o *options) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithTransport(o.transport),
		remote.WithAuthFromKeychain(authn.NewMultiKeychain(explicitKeychain(o.auth), o.keychain)),
		remote.WithRetryBackoff(o.retry),
		remote.WithUserAgent("oci-serverless-api"),
	}
}

// explicitKeychain serves credentials given with WithAuth.
type explicitKeychain map[string]authn.Authenticator

func (k explicitKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if a, ok := k[r.RegistryStr()]; ok {
		return a, nil
	}
	return authn.Anonymous, nil
}

// resolveBase fetches the manifest (not the layers) of the run image ref.
func (o *options) resolveBase(ctx context.Context, ref string) (*baseImage, error) {
	resolved := o.mapBase(ref)
	bi := &baseImage{ref: ref, resolved: resolved}
	if resolved == scratch {
		return bi, nil
	}
	r, err := name.ParseReference(resolved, o.nameOptions()...)
	if err != nil {
		return nil, &BaseImageError{Ref: ref, Resolved: resolved, Err: err,
			Fix: "give a valid image reference in run_image or the base image mapping"}
	}
	desc, err := remote.Get(r, o.remoteOptions(ctx)...)
	if err != nil {
		return nil, &BaseImageError{Ref: ref, Resolved: resolved, Err: err, Fix: baseFetchFix(ref, r, err)}
	}
	bi.digest = r.Context().Digest(desc.Digest.String()).String()
	if desc.MediaType.IsIndex() {
		bi.index, err = desc.ImageIndex()
	} else {
		bi.image, err = desc.Image()
	}
	if err != nil {
		return nil, &BaseImageError{Ref: ref, Resolved: resolved, Err: err, Fix: "the base image's manifest is not usable; use another base"}
	}
	return bi, nil
}

func baseFetchFix(ref string, r name.Reference, err error) string {
	re := registryError("pulling", r.String(), r.Context().RegistryStr(), err)
	mirror := fmt.Sprintf("map %s to a mirror you can reach with --base-image %s=REGISTRY/REPO:TAG, base_images in osa.yaml or OSA_BASE_IMAGES", ref, ref)
	if re.StatusCode == 401 || re.StatusCode == 403 {
		return re.Fix + "; or " + mirror
	}
	return mirror
}

// forPlatform returns the base image for one platform.
func (bi *baseImage) forPlatform(p v1.Platform) (v1.Image, error) {
	switch {
	case bi.resolved == scratch:
		return scratchImage(p)
	case bi.index != nil:
		im, err := bi.index.IndexManifest()
		if err != nil {
			return nil, &BaseImageError{Ref: bi.ref, Resolved: bi.resolved, Err: err}
		}
		var available []string
		for _, d := range im.Manifests {
			if !d.MediaType.IsImage() || d.Platform == nil || d.Platform.OS == "unknown" {
				continue // attestations and other artifacts
			}
			if platformMatches(d.Platform, p) {
				img, err := bi.index.Image(d.Digest)
				if err != nil {
					return nil, &BaseImageError{Ref: bi.ref, Resolved: bi.resolved, Err: err}
				}
				return img, nil
			}
			available = append(available, platformString(*d.Platform))
		}
		return nil, bi.missingPlatform(p, available)
	default:
		cf, err := bi.image.ConfigFile()
		if err != nil {
			return nil, &BaseImageError{Ref: bi.ref, Resolved: bi.resolved, Err: err}
		}
		have := cf.Platform()
		if have == nil || have.Architecture == "" {
			return bi.image, nil // no platform recorded: trust the caller
		}
		if !platformMatches(have, p) {
			return nil, bi.missingPlatform(p, []string{platformString(*have)})
		}
		return bi.image, nil
	}
}

func (bi *baseImage) missingPlatform(p v1.Platform, available []string) error {
	if available == nil {
		available = []string{}
	}
	return &BaseImageError{
		Ref: bi.ref, Resolved: bi.resolved, Platform: platformString(p), Available: available,
		Fix: fmt.Sprintf("map %s to a base that has %s, or build only for %s with --platform",
			bi.ref, platformString(p), strings.Join(available, ",")),
	}
}

// scratchImage is an empty OCI image for platform p.
func scratchImage(p v1.Platform) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	return mutate.ConfigFile(img, cf)
}
