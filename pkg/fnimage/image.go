package fnimage

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// functionDir is where fn puts a function's files, and the image's WorkingDir.
const functionDir = "/function"

// Annotations written on OCI manifests (not on Docker ones, which have none).
const (
	annotationBaseName   = "org.opencontainers.image.base.name"
	annotationBaseDigest = "org.opencontainers.image.base.digest"
)

// assemble appends the function's layers to base and sets the image config
// of fn-contract.md §7: WorkingDir /function; Entrypoint from func.yaml (the
// base's when func.yaml has none); Cmd from func.yaml, cleared when func.yaml
// sets an entrypoint (as Docker does when a Dockerfile sets ENTRYPOINT); the
// base's Env, User and Labels kept, the runtime's Env added; platform set.
func (j *job) assemble(ctx context.Context, t target, bi *baseImage, specs []layerSpec, env []string) (v1.Image, error) {
	base, p := t.base, t.platform
	mt, err := base.MediaType()
	if err != nil {
		return nil, fmt.Errorf("reading the base image's media type: %w", err)
	}
	oci := mt == types.OCIManifestSchema1
	layerType := types.DockerLayer
	if oci {
		layerType = types.OCILayer
	}
	created := v1.Time{Time: j.o.creationTime}
	adds := make([]mutate.Addendum, 0, len(specs))
	for _, s := range specs {
		l, err := j.layer(ctx, t, s, layerType)
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.Addendum{
			Layer:     l,
			MediaType: layerType,
			History:   v1.History{Created: created, CreatedBy: s.createdBy, Comment: "oci-serverless-api"},
		})
	}
	img, err := mutate.Append(base, adds...)
	if err != nil {
		return nil, fmt.Errorf("appending layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Created = created
	cf.OS, cf.Architecture = p.OS, p.Architecture
	if p.Variant != "" || cf.Variant != "" {
		cf.Variant = p.Variant
	}
	c := &cf.Config
	c.WorkingDir = functionDir
	if ep := j.fn.EntrypointArgs(); len(ep) > 0 {
		c.Entrypoint = ep
		c.Cmd = nil
	}
	if cmd := j.fn.CmdArgs(); len(cmd) > 0 {
		c.Cmd = cmd
	}
	c.Env = mergeEnv(c.Env, env)
	if len(c.Volumes) > 0 {
		j.o.logger.Warn("the run image declares VOLUME; the Fn agent refuses such images", "volumes", fmt.Sprint(c.Volumes))
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("writing the image config: %w", err)
	}
	if oci && bi.digest != "" {
		name, digest, _ := strings.Cut(bi.digest, "@")
		img = mutate.Annotations(img, map[string]string{
			annotationBaseName:   name,
			annotationBaseDigest: digest,
		}).(v1.Image)
	}
	return img, nil
}

// layer makes the layer of one spec: from the cache when it has the key,
// else from the spec's entries (produced now if need be), then cached.
func (j *job) layer(ctx context.Context, t target, s layerSpec, mt types.MediaType) (v1.Layer, error) {
	key := ""
	if s.cacheKey != "" {
		key = cacheKey(s.cacheKey, string(mt), j.o.creationTime.String())
		if l, ok := j.cache.get(key); ok {
			j.o.progress(Progress{Stage: StageLayer, Platform: t.String(), Message: "cached: " + s.createdBy})
			return l, nil
		}
	}
	entries := s.entries
	if s.produce != nil {
		var err error
		if entries, err = s.produce(ctx); err != nil {
			return nil, err
		}
	}
	j.o.progress(Progress{Stage: StageLayer, Platform: t.String(), Message: "writing layer: " + s.createdBy})
	l, err := writeLayer(entries, mt, j.o.creationTime)
	if err != nil {
		return nil, err
	}
	if key != "" {
		if err := j.cache.put(key, l); err != nil {
			j.o.logger.Warn("could not cache a layer", "error", err.Error())
		}
	}
	return l, nil
}

// mergeEnv sets each NAME=value of add in env, replacing an existing NAME.
func mergeEnv(env, add []string) []string {
	out := append([]string(nil), env...)
	for _, kv := range add {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if ok, _, _ := strings.Cut(old, "="); ok == k {
				out[i], replaced = kv, true
				break
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// makeIndex puts per-platform images in an index: an OCI index for OCI
// images, a Docker manifest list for Docker ones. It holds exactly those
// images, with no attestation manifests (fn-contract.md §5.2).
func makeIndex(images []v1.Image, platforms []v1.Platform) (v1.ImageIndex, error) {
	mt, err := images[0].MediaType()
	if err != nil {
		return nil, err
	}
	idxType := types.DockerManifestList
	if mt == types.OCIManifestSchema1 {
		idxType = types.OCIImageIndex
	}
	adds := make([]mutate.IndexAddendum, len(images))
	for i, img := range images {
		p := platforms[i]
		adds[i] = mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}}
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, idxType), adds...), nil
}
