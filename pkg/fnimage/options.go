package fnimage

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Option configures a Builder or a Publish call.
type Option func(*options) error

type options struct {
	platforms    []v1.Platform
	baseImages   map[string]string
	creationTime time.Time
	tag          string
	keychain     authn.Keychain
	auth         map[string]authn.Authenticator // registry host -> credentials
	insecure     bool
	transport    http.RoundTripper
	logger       *slog.Logger
	progress     func(Progress)
	goCommand    string
	goEnv        []string
	python       string
	cacheDir     string
	retry        remote.Backoff
}

func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		platforms:    []v1.Platform{{OS: "linux", Architecture: "amd64"}},
		creationTime: time.Unix(0, 0).UTC(),
		keychain:     authn.DefaultKeychain,
		transport:    remote.DefaultTransport,
		logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		progress:     func(Progress) {},
		goCommand:    "go",
		python:       "python3",
		// ggcr's own retry is the only retry on the registry path (design.md §7a).
		retry: remote.Backoff{Duration: time.Second, Factor: 3.0, Jitter: 0.1, Steps: 3},
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if len(o.platforms) == 0 {
		return nil, errors.New("fnimage: at least one platform is required")
	}
	return o, nil
}

// WithPlatforms sets the platforms to build, as "linux/amd64" or
// "linux/arm64" (the architectures of OCI Functions shapes GENERIC_X86,
// GENERIC_ARM and GENERIC_X86_ARM). Two platforms give an image index.
// The default is linux/amd64.
func WithPlatforms(platforms ...string) Option {
	return func(o *options) error {
		ps, err := ParsePlatforms(platforms)
		if err != nil {
			return err
		}
		o.platforms = ps
		return nil
	}
}

// WithBaseImages maps run images named in func.yaml (or the runtime's
// default, such as "fnproject/go:1.24") to the references to use instead: a
// mirror, a local registry, or "scratch" for an empty base. Keys match after
// normalisation, so "fnproject/go:1.24" also matches
// "docker.io/fnproject/go:1.24". The default is no mapping.
func WithBaseImages(m map[string]string) Option {
	return func(o *options) error {
		norm := make(map[string]string, len(m))
		for from, to := range m {
			key, err := normaliseRef(from)
			if err != nil {
				return fmt.Errorf("base image mapping %q: %w", from, err)
			}
			if to != scratch {
				if _, err := name.ParseReference(to); err != nil {
					return fmt.Errorf("base image mapping %q=%q: %w", from, to, err)
				}
			}
			norm[key] = to
		}
		o.baseImages = norm
		return nil
	}
}

// WithCreationTime sets the creation time written in the image config and
// every file time in the function's layers. The default is the Unix epoch, so
// builds are reproducible; callers honour SOURCE_DATE_EPOCH by passing it here.
func WithCreationTime(t time.Time) Option {
	return func(o *options) error {
		if t.Before(time.Unix(0, 0)) {
			return fmt.Errorf("creation time %s is before the Unix epoch", t)
		}
		o.creationTime = t.UTC().Truncate(time.Second)
		return nil
	}
}

// WithTag sets the image tag. The default is func.yaml's version.
func WithTag(tag string) Option {
	return func(o *options) error {
		if _, err := name.NewTag("example.invalid/x:"+tag, name.StrictValidation); err != nil {
			return fmt.Errorf("tag %q: %w", tag, err)
		}
		o.tag = tag
		return nil
	}
}

// WithKeychain sets where registry credentials come from. The default is
// ggcr's authn.DefaultKeychain: the Docker config file ($DOCKER_CONFIG or
// ~/.docker/config.json) and the credential helpers it names.
func WithKeychain(kc authn.Keychain) Option {
	return func(o *options) error {
		if kc == nil {
			return errors.New("keychain is nil")
		}
		o.keychain = kc
		return nil
	}
}

// WithAuth gives explicit credentials for one registry host; they take
// precedence over the keychain for that host. For OCI Container Registry the
// username is "<tenancy-namespace>/<username>" (or
// "<tenancy-namespace>/<identity-domain>/<username>") and the password an
// auth token. The default is none.
func WithAuth(host, username, password string) Option {
	return func(o *options) error {
		if host == "" || username == "" || password == "" {
			return errors.New("registry credentials need a host, a username and a password")
		}
		if err := checkOCIRUsername(host, username); err != nil {
			return err
		}
		if o.auth == nil {
			o.auth = map[string]authn.Authenticator{}
		}
		reg, err := name.NewRegistry(host)
		if err != nil {
			return fmt.Errorf("registry credentials: %w", err)
		}
		o.auth[reg.RegistryStr()] = &authn.Basic{Username: username, Password: password}
		return nil
	}
}

// WithInsecure allows plain HTTP and unverified TLS to registries. Registries
// on localhost and 127.0.0.0/8 are spoken to over HTTP regardless. The
// default is false.
func WithInsecure(insecure bool) Option {
	return func(o *options) error {
		o.insecure = insecure
		return nil
	}
}

// WithTransport sets the HTTP transport for registry calls. ggcr adds its
// retry and authentication on top of it. The default is remote.DefaultTransport.
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) error {
		if t == nil {
			return errors.New("transport is nil")
		}
		o.transport = t
		return nil
	}
}

// WithLogger sets where warnings and debug messages go. The default discards them.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("logger is nil")
		}
		o.logger = l
		return nil
	}
}

// WithProgress sets a callback that receives progress events. It may be
// called from several goroutines at once. The default ignores them.
func WithProgress(f func(Progress)) Option {
	return func(o *options) error {
		if f == nil {
			return errors.New("progress callback is nil")
		}
		o.progress = f
		return nil
	}
}

// WithGoCommand sets the go command used to compile Go functions and extra
// environment ("NAME=value") for it, such as GOPROXY or GOPRIVATE. The
// default is "go" from PATH with the process environment.
func WithGoCommand(path string, env ...string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("go command is empty")
		}
		o.goCommand = path
		o.goEnv = env
		return nil
	}
}

// WithPythonCommand sets the Python that runs pip for python functions: any
// Python 3.8 or newer with pip, as it installs for the target's Python
// version, ABI and platform, not for itself. The default is "python3" from PATH.
func WithPythonCommand(path string) Option {
	return func(o *options) error {
		if path == "" {
			return errors.New("python command is empty")
		}
		o.python = path
		return nil
	}
}

// WithCacheDir sets the directory where layers of installed dependencies
// are kept between builds, keyed by their inputs (lock files, platform, run
// image digest). The default is "": no cache.
func WithCacheDir(dir string) Option {
	return func(o *options) error {
		o.cacheDir = dir
		return nil
	}
}

// withRetry replaces ggcr's retry backoff; tests use it to fail fast.
func withRetry(b remote.Backoff) Option {
	return func(o *options) error {
		o.retry = b
		return nil
	}
}

// Progress is one progress event of a build or a push.
type Progress struct {
	Stage    Stage
	Platform string // "linux/amd64"; empty when the event is not per platform
	Message  string
	Done     int64 // bytes pushed so far, for StagePush
	Total    int64 // bytes to push, for StagePush
}

// Stage names the step a Progress event belongs to.
type Stage string

// The stages of a build and a push, in order.
const (
	StageResolve Stage = "resolve" // resolving the base image
	StageCompile Stage = "compile" // compiling or installing the function
	StageLayer   Stage = "layer"   // writing the function's layers
	StagePush    Stage = "push"    // uploading blobs and manifests
	StageDone    Stage = "done"
)
