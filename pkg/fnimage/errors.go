package fnimage

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// BuildError reports that compiling or installing a function failed.
type BuildError struct {
	Runtime  string // "go1.24"
	Platform string // "linux/arm64"
	Step     string // "go build"
	Output   string // the tool's output, trimmed
	Fix      string
	Err      error
}

func (e *BuildError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "building %s for %s: %s failed", e.Runtime, e.Platform, e.Step)
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Output != "" {
		fmt.Fprintf(&b, "\n%s", e.Output)
	}
	if e.Fix != "" {
		fmt.Fprintf(&b, "\n(fix: %s)", e.Fix)
	}
	return b.String()
}

func (e *BuildError) Unwrap() error { return e.Err }

// UnsupportedError reports a function that osa cannot build, such as
// `runtime: docker`, which needs a Docker daemon.
type UnsupportedError struct {
	What string
	Fix  string
}

func (e *UnsupportedError) Error() string { return e.What + " (fix: " + e.Fix + ")" }

// BaseImageError reports a base (run) image that cannot be used.
type BaseImageError struct {
	Ref       string   // as named in func.yaml or by the runtime
	Resolved  string   // after the base image mapping, when different
	Platform  string   // the platform that was asked for, if relevant
	Available []string // the platforms the base has, when the platform is missing
	Err       error
	Fix       string
}

func (e *BaseImageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "base image %s", e.Ref)
	if e.Resolved != "" && e.Resolved != e.Ref {
		fmt.Fprintf(&b, " (mapped to %s)", e.Resolved)
	}
	switch {
	case e.Available != nil:
		fmt.Fprintf(&b, " has no %s image (it has %s)", e.Platform, strings.Join(e.Available, ", "))
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Fix != "" {
		fmt.Fprintf(&b, " (fix: %s)", e.Fix)
	}
	return b.String()
}

func (e *BaseImageError) Unwrap() error { return e.Err }

// RegistryError reports a failed registry operation, with what to do about it.
type RegistryError struct {
	Op         string // "pushing", "pulling"
	Ref        string
	StatusCode int // HTTP status, 0 when the registry was not reached
	Err        error
	Fix        string
}

func (e *RegistryError) Error() string {
	s := fmt.Sprintf("%s %s: %v", e.Op, e.Ref, e.Err)
	if e.Fix != "" {
		s += " (fix: " + e.Fix + ")"
	}
	return s
}

func (e *RegistryError) Unwrap() error { return e.Err }

// registryError classifies err from a registry call on ref and says how to fix it.
func registryError(op, ref, host string, err error) *RegistryError {
	re := &RegistryError{Op: op, Ref: ref, Err: err}
	var terr *transport.Error
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &terr):
		re.StatusCode = terr.StatusCode
		switch terr.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			re.Fix = authFix(host)
		case http.StatusNotFound:
			if op == "pulling" {
				re.Fix = "check the image name and tag; map it to a mirror with --base-image or base_images"
			} else {
				re.Fix = "check the repository path; on OCI Container Registry the path starts with the tenancy namespace"
			}
		case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
			re.Fix = "the registry is busy or failing; retry later"
		}
	case errors.As(err, &opErr) && opErr.Op == "dial", errors.Is(err, syscall.ECONNREFUSED):
		re.Fix = fmt.Sprintf("registry %s is unreachable: check the registry address and your network", host)
	case errors.As(err, &netErr) && netErr.Timeout():
		re.Fix = fmt.Sprintf("registry %s did not answer in time: check your network", host)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		re.Fix = "the registry speaks plain HTTP: pass --insecure"
	case strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:"):
		re.Fix = "the registry's TLS certificate is not trusted: add its CA to the system trust store, or pass --insecure for a test registry"
	}
	return re
}

func authFix(host string) string {
	if isOCIR(host) {
		return fmt.Sprintf("log in with `docker login %s -u '<tenancy-namespace>/<username>'` and an auth token as the password, or set OSA_REGISTRY_USERNAME and OSA_REGISTRY_PASSWORD", host)
	}
	return fmt.Sprintf("log in with `docker login %s`, or set OSA_REGISTRY_USERNAME and OSA_REGISTRY_PASSWORD", host)
}
