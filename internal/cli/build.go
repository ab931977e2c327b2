package cli

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

// Environment variables read by osa build.
const (
	envBaseImages       = "OSA_BASE_IMAGES"       // FROM=TO[,FROM=TO...]
	envRegistryUsername = "OSA_REGISTRY_USERNAME" // with OSA_REGISTRY_PASSWORD, for the --registry host
	envRegistryPassword = "OSA_REGISTRY_PASSWORD" //nolint:gosec // the variable's name, not a credential
	envSourceDateEpoch  = "SOURCE_DATE_EPOCH"
	envCacheDir         = "OSA_CACHE_DIR" // layer cache; default: the user cache dir + /osa/layers; "off" disables it
)

type buildFlags struct {
	registry   string
	platforms  []string
	tag        string
	insecure   bool
	ociLayout  string
	baseImages []string
}

// buildOutput is the --json document of osa build (design.md §8).
type buildOutput struct {
	Image     string        `json:"image"`
	Digest    string        `json:"digest"`
	Platforms []string      `json:"platforms"`
	Layers    []layerOutput `json:"layers"`
	Pushed    bool          `json:"pushed"`
	OCILayout string        `json:"oci_layout,omitempty"`
}

type layerOutput struct {
	Digest   string `json:"digest"`
	Size     int64  `json:"size"`
	Uploaded bool   `json:"uploaded"`
}

func newBuildCommand(e *env) *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build DIR",
		Short: "Build a function image from DIR/func.yaml without Docker, and push it",
		Long: `Build a function image from DIR/func.yaml without Docker, as fn build would,
and push it to --registry (as REGISTRY/NAME:TAG) and/or write it to --oci-layout.

Registry credentials come from OSA_REGISTRY_USERNAME and OSA_REGISTRY_PASSWORD
(for OCI Container Registry: '<tenancy-namespace>/<username>' and an auth
token), else from the Docker config (~/.docker/config.json) and its credential
helpers. Run images can be mapped to mirrors with --base-image FROM=TO or
OSA_BASE_IMAGES="FROM=TO,..."; TO may be "scratch" (empty). File times and the
image creation time come from SOURCE_DATE_EPOCH (default: the Unix epoch).
Installed dependencies are cached in OSA_CACHE_DIR (default ~/.cache/osa/layers;
"off" disables it).`,
		Example: `  osa build ./examples/hello-go --registry iad.ocir.io/mytenancy/fns
  osa build ./examples/hello-go --platform linux/amd64,linux/arm64 --oci-layout ./out
  osa build ./examples/hello-go --registry 127.0.0.1:5000/fns --base-image fnproject/go:1.24=scratch --json`,
		Args: exactArgs(1, "one function directory"),
		RunE: func(cmd *cobra.Command, args []string) error { return runBuild(cmd, e, f, args[0]) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.registry, "registry", "", "repository prefix to push to, e.g. iad.ocir.io/<tenancy-namespace>/<prefix>")
	fl.StringSliceVar(&f.platforms, "platform", []string{"linux/amd64"}, "platforms: linux/amd64, linux/arm64, or both (an image index)")
	fl.StringVar(&f.tag, "tag", "", "image tag (default: func.yaml's version)")
	fl.BoolVar(&f.insecure, "insecure", false, "allow plain HTTP and unverified TLS to registries")
	fl.StringVar(&f.ociLayout, "oci-layout", "", "also write the image to this OCI image layout directory")
	fl.StringArrayVar(&f.baseImages, "base-image", nil, "map a run image to another reference: FROM=TO (repeatable; TO may be scratch)")
	return cmd
}

func runBuild(cmd *cobra.Command, e *env, f buildFlags, dir string) error {
	ctx := cmd.Context()
	opts, err := buildOptions(e, f)
	if err != nil {
		return err
	}
	prog := newProgressPrinter(e.stderr, isTerminal(e.stderr) && !e.verbose)
	defer prog.finish()
	opts = append(opts, fnimage.WithProgress(prog.update), fnimage.WithLogger(newLogger(e.stderr, e.verbose)))

	b, err := fnimage.NewBuilder(opts...)
	if err != nil {
		return usageError{err}
	}
	res, err := b.Build(ctx, dir)
	if err != nil {
		return err
	}
	digest, err := res.Digest()
	if err != nil {
		return err
	}
	out := buildOutput{Digest: digest.String(), Platforms: res.PlatformStrings()}

	var nameOpts []name.Option
	if f.insecure {
		nameOpts = append(nameOpts, name.Insecure)
	}
	tag, refErr := res.Reference(f.registry, nameOpts...)
	if f.ociLayout != "" {
		refName := res.Tag
		if refErr == nil {
			refName = tag.String()
		}
		if err := fnimage.WriteLayout(f.ociLayout, res, refName); err != nil {
			return err
		}
		out.OCILayout = f.ociLayout
	}
	switch {
	case refErr == nil:
		pub, err := fnimage.Publish(ctx, res, tag, opts...)
		if err != nil {
			return err
		}
		out.Image, out.Pushed = pub.String(), true
		for _, l := range pub.Layers {
			out.Layers = append(out.Layers, layerOutput{Digest: l.Digest.String(), Size: l.Size, Uploaded: l.Uploaded})
		}
	case f.registry != "":
		return usageError{refErr}
	default:
		out.Image = res.Func.Name + ":" + res.Tag + "@" + digest.String()
		layers, err := res.Layers()
		if err != nil {
			return err
		}
		for _, l := range layers {
			out.Layers = append(out.Layers, layerOutput{Digest: l.Digest.String(), Size: l.Size})
		}
		if f.ociLayout == "" {
			prog.note("built, not pushed: pass --registry to push, or --oci-layout to save the image")
		}
	}
	prog.finish()
	if e.json {
		writeJSON(e.stdout, out)
	} else {
		fmt.Fprintln(e.stdout, out.Image)
	}
	return nil
}

// buildOptions turns flags and environment into builder options; bad values
// are usage errors.
func buildOptions(e *env, f buildFlags) ([]fnimage.Option, error) {
	opts := []fnimage.Option{
		fnimage.WithPlatforms(f.platforms...),
		fnimage.WithInsecure(f.insecure),
	}
	if f.tag != "" {
		opts = append(opts, fnimage.WithTag(f.tag))
	}
	if dir := cacheDir(e.getenv); dir != "" {
		opts = append(opts, fnimage.WithCacheDir(dir))
	}
	bases, err := parseBaseImages(e.getenv(envBaseImages), f.baseImages)
	if err != nil {
		return nil, usageError{err}
	}
	if len(bases) > 0 {
		opts = append(opts, fnimage.WithBaseImages(bases))
	}
	if s := e.getenv(envSourceDateEpoch); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil || sec < 0 {
			return nil, usageError{fmt.Errorf("%s=%q is not a number of seconds since the Unix epoch", envSourceDateEpoch, s)}
		}
		opts = append(opts, fnimage.WithCreationTime(time.Unix(sec, 0)))
	}
	user, pass := e.getenv(envRegistryUsername), e.getenv(envRegistryPassword)
	switch {
	case user != "" && pass != "":
		if f.registry == "" {
			return nil, usageError{fmt.Errorf("%s is set but --registry is not", envRegistryUsername)}
		}
		host, _, _ := strings.Cut(f.registry, "/")
		opts = append(opts, fnimage.WithAuth(host, user, pass))
	case user != "" || pass != "":
		return nil, usageError{fmt.Errorf("set both %s and %s, or neither", envRegistryUsername, envRegistryPassword)}
	}
	// Validate every option now, so that a bad flag is a usage error.
	if _, err := fnimage.NewBuilder(opts...); err != nil {
		return nil, usageError{err}
	}
	return opts, nil
}

// cacheDir returns where installed dependencies are cached between builds:
// $OSA_CACHE_DIR, else $XDG_CACHE_HOME/osa/layers or ~/.cache/osa/layers
// (the platform's user cache directory); "off" disables the cache.
func cacheDir(getenv func(string) string) string {
	switch d := getenv(envCacheDir); d {
	case "off":
		return ""
	case "":
	default:
		return d
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "osa", "layers")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".cache", "osa", "layers")
	}
	return ""
}

// parseBaseImages reads FROM=TO pairs from the environment variable (comma
// separated) and then the flags, which win.
func parseBaseImages(fromEnv string, flags []string) (map[string]string, error) {
	m := map[string]string{}
	add := func(src, kv string) error {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			return nil
		}
		from, to, ok := strings.Cut(kv, "=")
		if !ok || from == "" || to == "" {
			return fmt.Errorf("%s: %q is not FROM=TO (e.g. fnproject/go:1.24=registry.example.com/mirror/go:1.24)", src, kv)
		}
		m[strings.TrimSpace(from)] = strings.TrimSpace(to)
		return nil
	}
	for _, kv := range strings.Split(fromEnv, ",") {
		if err := add(envBaseImages, kv); err != nil {
			return nil, err
		}
	}
	for _, kv := range flags {
		if err := add("--base-image", kv); err != nil {
			return nil, err
		}
	}
	return m, nil
}
