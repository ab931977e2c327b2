package emulator

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// A function's image must be in the emulator's own registry, exist there,
// and be built for the application's shape. The control plane reads it
// with the registry's own credentials.

// fnImage is what the control plane learns of a function's image.
type fnImage struct {
	Digest    string   // the manifest (or index) digest, "sha256:..."
	Platforms []string // "os/arch" of the image, or of each manifest of an index
	Index     bool
}

var fnDigestRE = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

// fnCheckDigest checks an imageDigest ("" is none).
func fnCheckDigest(d string) *apiError {
	if d != "" && !fnDigestRE.MatchString(d) {
		return errBadRequest("sourceDetails.imageDigest %q is not a digest; it must look like sha256:<64 hex digits>", d)
	}
	return nil
}

// resolveImage reads image (HOST/NAMESPACE/REPO:TAG, or @DIGEST) from the
// emulator's registry: the digest behind the tag, or the given digest,
// which must exist in the image's repository; and the platforms the image
// is built for.
func (f *functionsState) resolveImage(ctx context.Context, image, digest string) (fnImage, *apiError) {
	ref, err := name.ParseReference(image)
	if err != nil {
		return fnImage{}, errBadRequest("sourceDetails.image %q is not an image reference: %v", image, err)
	}
	if host := ref.Context().RegistryStr(); host != f.registry {
		return fnImage{}, errBadRequest("sourceDetails.image %q is on %s, but the emulator serves only its own registry: push the image to %s and name it %s/<namespace>/<repository>:<tag> (see the emulator info)",
			image, host, f.registry, f.registry)
	}
	target := ref
	if d, ok := ref.(name.Digest); ok {
		if digest != "" && digest != d.DigestStr() {
			return fnImage{}, errBadRequest("sourceDetails.imageDigest %s does not match the digest %s in sourceDetails.image", digest, d.DigestStr())
		}
	} else if digest != "" {
		target = ref.Context().Digest(digest)
	}
	desc, err := remote.Get(target, remote.WithContext(ctx), remote.WithAuth(f.auth),
		remote.WithRetryBackoff(remote.Backoff{Steps: 1}))
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			if digest != "" {
				return fnImage{}, errBadRequest("sourceDetails.imageDigest %s does not exist in repository %s of the emulator's registry", digest, ref.Context().Name())
			}
			return fnImage{}, errBadRequest("sourceDetails.image %s does not exist in the emulator's registry: push it first", image)
		}
		return fnImage{}, &apiError{Status: http.StatusInternalServerError, Code: codeInternalError,
			Message: "reading " + image + " from the emulator's registry: " + err.Error()}
	}
	img := fnImage{Digest: desc.Digest.String()}
	switch {
	case desc.MediaType.IsIndex():
		img.Index = true
		err = fnIndexPlatforms(desc, &img)
	case desc.MediaType.IsImage():
		var cf *v1.ConfigFile
		var i v1.Image
		if i, err = desc.Image(); err == nil {
			if cf, err = i.ConfigFile(); err == nil {
				img.Platforms = []string{cf.OS + "/" + cf.Architecture}
			}
		}
	default:
		return fnImage{}, errBadRequest("sourceDetails.image %s is a %s, not an image", image, desc.MediaType)
	}
	if err != nil {
		return fnImage{}, &apiError{Status: http.StatusInternalServerError, Code: codeInternalError,
			Message: "reading " + image + " from the emulator's registry: " + err.Error()}
	}
	slices.Sort(img.Platforms)
	img.Platforms = slices.Compact(img.Platforms)
	return img, nil
}

// fnIndexPlatforms collects the platforms of an index's images, skipping
// attestation manifests (platform unknown/unknown).
func fnIndexPlatforms(desc *remote.Descriptor, img *fnImage) error {
	idx, err := desc.ImageIndex()
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, m := range im.Manifests {
		switch {
		case m.Platform != nil && m.Platform.OS != "unknown":
			img.Platforms = append(img.Platforms, m.Platform.OS+"/"+m.Platform.Architecture)
		case m.Platform == nil && m.MediaType.IsImage():
			child, err := idx.Image(m.Digest)
			if err != nil {
				return err
			}
			cf, err := child.ConfigFile()
			if err != nil {
				return err
			}
			img.Platforms = append(img.Platforms, cf.OS+"/"+cf.Architecture)
		}
	}
	return nil
}

// fnShapePlatforms are the platforms an application shape needs in a
// function's image.
var fnShapePlatforms = map[string][]string{
	fnShapeX86:    {"linux/amd64"},
	fnShapeARM:    {"linux/arm64"},
	fnShapeX86ARM: {"linux/amd64", "linux/arm64"},
}

// fnCheckImageShape refuses an image that cannot run on the application's
// shape: GENERIC_X86 needs linux/amd64 (an image, or an index with it),
// GENERIC_ARM linux/arm64, GENERIC_X86_ARM an index with both.
func fnCheckImageShape(image string, img fnImage, a *fnApp) *apiError {
	built := "no platform"
	if len(img.Platforms) > 0 {
		built = strings.Join(img.Platforms, ", ")
	}
	need := fnShapePlatforms[a.Shape]
	for _, p := range need {
		if !slices.Contains(img.Platforms, p) {
			return errBadRequest("sourceDetails.image %s is built for %s, but application %s has shape %s, which needs an image for %s",
				image, built, a.ID, a.Shape, strings.Join(need, " and "))
		}
	}
	if len(need) > 1 && !img.Index {
		return errBadRequest("sourceDetails.image %s is a single image, but application %s has shape %s, which needs a multi-architecture image index with %s",
			image, a.ID, a.Shape, strings.Join(need, " and "))
	}
	return nil
}
