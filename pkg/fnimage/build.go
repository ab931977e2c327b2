package fnimage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// Builder builds function images from function directories.
type Builder struct {
	o *options
}

// NewBuilder returns a Builder configured by opts.
func NewBuilder(opts ...Option) (*Builder, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	return &Builder{o: o}, nil
}

// Result is a built function image, not yet published.
type Result struct {
	Func      *FuncFile
	Tag       string        // func.yaml's version, or the tag given with WithTag
	Platforms []v1.Platform // in index order
	Image     v1.Image      // the image, when one platform was built
	Index     v1.ImageIndex // the index, when several were built
	Base      string        // the run image used, by digest, or "scratch"
}

// Artifact returns the image or the index.
func (r *Result) Artifact() remote.Taggable {
	if r.Index != nil {
		return r.Index
	}
	return r.Image
}

// Digest returns the digest of the image or the index.
func (r *Result) Digest() (v1.Hash, error) {
	if r.Index != nil {
		return r.Index.Digest()
	}
	return r.Image.Digest()
}

// PlatformStrings returns the platforms as "os/arch" strings.
func (r *Result) PlatformStrings() []string {
	out := make([]string, len(r.Platforms))
	for i, p := range r.Platforms {
		out[i] = platformString(p)
	}
	return out
}

// Reference returns the tag the image is published under,
// "REGISTRY/NAME:TAG". registry is a repository prefix such as
// "iad.ocir.io/mytenancy/orders". As with fn, a function name that is itself a
// full repository (its first component is a registry host, such as
// "localhost:5000/hello") is used as it is and registry may be empty.
func (r *Result) Reference(registry string, opts ...name.Option) (name.Tag, error) {
	repo := r.Func.Name
	if !hasRegistryHost(repo) {
		if registry == "" {
			return name.Tag{}, fmt.Errorf("no registry to publish %s to (fix: pass --registry, e.g. iad.ocir.io/<tenancy-namespace>/<prefix>)", r.Func.Name)
		}
		repo = strings.TrimSuffix(registry, "/") + "/" + repo
	}
	tag, err := name.NewTag(repo+":"+r.Tag, append([]name.Option{name.StrictValidation}, opts...)...)
	if err != nil {
		return name.Tag{}, fmt.Errorf("image reference %s:%s: %w (fix: registry must be HOST[/PATH] in lower case)", repo, r.Tag, err)
	}
	return tag, nil
}

func hasRegistryHost(repo string) bool {
	first, _, found := strings.Cut(repo, "/")
	return found && (strings.ContainsAny(first, ".:") || first == "localhost")
}

// runtimeBuilder produces the layers a runtime appends to the run image.
type runtimeBuilder interface {
	// layers builds the function for one target platform. It may run in
	// parallel with itself for other platforms.
	layers(ctx context.Context, j *job, t target) ([]layerSpec, error)
	// env returns the environment variables the runtime adds to the image.
	env() []string
}

// target is one platform to build for, with its run image.
type target struct {
	platform   v1.Platform
	base       v1.Image
	baseDigest string // the platform image's own digest, for cache keys
}

func (t target) String() string { return platformString(t.platform) }

// layerSpec is one layer to append, with its history line. Either entries
// is set, or produce makes them on demand; with a cacheKey, a cached layer
// is used instead of calling produce at all.
type layerSpec struct {
	entries   []layerEntry
	produce   func(ctx context.Context) ([]layerEntry, error)
	cacheKey  string
	createdBy string
}

// job is one build of one function directory.
type job struct {
	o       *options
	cache   layerCache
	dir     string
	fn      *FuncFile
	runtime Runtime
	files   []ContextFile
	tmp     string // scratch space, removed after the build
	// shared holds per-build state a runtime shares across its platforms
	// (layers runs once per platform, possibly concurrently), by runtime name.
	shared sync.Map
}

// Build builds the function in dir for every configured platform. Nothing is
// pushed: use Publish or WriteLayout with the result. Input problems are
// reported as *InvalidInputError, *ContextError or *UnsupportedError before
// any work starts; a failed compile as *BuildError; an unusable run image as
// *BaseImageError.
func (b *Builder) Build(ctx context.Context, dir string) (*Result, error) {
	o := b.o
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	fn, err := LoadFuncFile(dir)
	if err != nil {
		return nil, err
	}
	for _, w := range fn.Warnings {
		o.logger.Warn(w.String())
	}
	rt := fn.ParsedRuntime()
	rb, err := runtimeFor(rt, fn)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err == nil {
		o.logger.Warn("fn build would build ./Dockerfile in this directory; osa ignores it and builds the runtime " + rt.String())
	}
	tag := fn.Version
	if o.tag != "" {
		tag = o.tag
	}

	baseRef := fn.RunImage
	if baseRef == "" {
		baseRef = rt.DefaultRunImage()
	}
	o.progress(Progress{Stage: StageResolve, Message: "resolving " + o.mapBase(baseRef)})
	base, err := o.resolveBase(ctx, baseRef)
	if err != nil {
		return nil, err
	}
	targets := make([]target, len(o.platforms))
	for i, p := range o.platforms {
		img, err := base.forPlatform(p)
		if err != nil {
			return nil, err
		}
		d, err := img.Digest()
		if err != nil {
			return nil, &BaseImageError{Ref: baseRef, Resolved: base.resolved, Err: err}
		}
		targets[i] = target{platform: p, base: img, baseDigest: d.String()}
	}

	tmp, err := os.MkdirTemp("", "osa-build-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	j := &job{o: o, cache: layerCache{dir: o.cacheDir}, dir: dir, fn: fn, runtime: rt, tmp: tmp}
	if err := j.runBuildCommands(ctx); err != nil {
		return nil, err
	}
	// The context is read after the build commands, which may make files
	// (a TypeScript build's dist/, say) that belong in the image.
	if j.files, err = ReadContext(dir); err != nil {
		return nil, err
	}

	images := make([]v1.Image, len(o.platforms))
	g, gctx := errgroup.WithContext(ctx)
	for i, t := range targets {
		g.Go(func() error {
			specs, err := rb.layers(gctx, j, t)
			if err != nil {
				return err
			}
			images[i], err = j.assemble(gctx, t, base, specs, rb.env())
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	res := &Result{Func: fn, Tag: tag, Platforms: o.platforms, Base: base.digest}
	if base.digest == "" {
		res.Base = scratch
	}
	if len(images) == 1 {
		res.Image = images[0]
	} else if res.Index, err = makeIndex(images, o.platforms); err != nil {
		return nil, err
	}
	return res, nil
}

// runtimeFor picks the builder of a runtime, or says why there is none.
func runtimeFor(rt Runtime, fn *FuncFile) (runtimeBuilder, error) {
	switch rt.Lang {
	case "go":
		return goRuntime{}, nil
	case "python":
		return pythonRuntime{}, nil
	case "node":
		return nodeRuntime{}, nil
	case "java", "kotlin":
		return javaRuntime{}, nil
	case "docker":
		return nil, &UnsupportedError{
			What: fmt.Sprintf("%s: runtime docker builds the function's Dockerfile, which needs a Docker daemon; osa builds without one", fn.Path),
			Fix:  "build and push the image with Docker, Podman or Buildah, then deploy it by reference (its image name and digest) instead of building it with osa",
		}
	}
	return nil, &UnsupportedError{
		What: fmt.Sprintf("%s: runtime %s is not supported by this version of osa build", fn.Path, rt),
		Fix:  "use a go, python, node or java runtime, or build this function with fn build and deploy the image by reference",
	}
}

// runBuildCommands runs func.yaml's `build` commands in the function
// directory with /bin/sh, as fn does before its container build.
func (j *job) runBuildCommands(ctx context.Context) error {
	for _, c := range j.fn.Build {
		j.o.progress(Progress{Stage: StageCompile, Message: "running build command: " + c})
		cmd := exec.CommandContext(ctx, "/bin/sh", "-c", c)
		cmd.Dir = j.dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return &BuildError{Runtime: j.runtime.String(), Platform: "host", Step: "build command " + fmt.Sprintf("%q", c),
				Output: strings.TrimSpace(out.String()), Err: err, Fix: "fix the command in func.yaml's build list"}
		}
		if s := strings.TrimSpace(out.String()); s != "" {
			j.o.logger.Info("build command output", "command", c, "output", s)
		}
	}
	return nil
}
