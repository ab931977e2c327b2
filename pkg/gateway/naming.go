package gateway

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultPathPrefixTemplate is the path prefix of a major version: /v1,
// /v2, ...
const DefaultPathPrefixTemplate = "/v{major}"

// PathPrefix renders a path prefix template for v. The template must hold
// {major}; it may hold {pre}, the first prerelease identifier (rc for
// v3.0.0-rc.1), for a preview prefix such as /v{major}-{pre}. The result
// must be a valid path prefix (see [ValidatePathPrefix]).
func PathPrefix(template string, v Version) (string, error) {
	if template == "" {
		template = DefaultPathPrefixTemplate
	}
	if !strings.Contains(template, "{major}") {
		return "", fmt.Errorf("path prefix template %q must hold {major}, as in %s", template, DefaultPathPrefixTemplate)
	}
	out := strings.ReplaceAll(template, "{major}", strconv.FormatUint(v.Major, 10))
	if strings.Contains(out, "{pre}") {
		if !v.IsPrerelease() {
			return "", fmt.Errorf("path prefix template %q uses {pre}, but %s is not a prerelease", template, v)
		}
		out = strings.ReplaceAll(out, "{pre}", v.Prerelease[0])
	}
	if err := ValidatePathPrefix(out); err != nil {
		return "", fmt.Errorf("path prefix template %q: %w", template, err)
	}
	return out, nil
}

// MaxPathPrefixLength is OCI's limit on a path prefix.
const MaxPathPrefixLength = 255

// ValidatePathPrefix checks a deployment path prefix against OCI's rules:
// it starts with /, is / alone or does not end with /, has no //, is at
// most 255 characters of letters, digits and $-_.+!*'(),%;:@&=, and holds
// no parameters or wildcards.
func ValidatePathPrefix(p string) error {
	switch {
	case p == "":
		return errors.New("the path prefix is required, such as /v1")
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("path prefix %q must start with /", p)
	case len([]rune(p)) > MaxPathPrefixLength:
		return fmt.Errorf("path prefix %q is longer than %d characters", p, MaxPathPrefixLength)
	case p == "/":
		return nil
	case strings.HasSuffix(p, "/"):
		return fmt.Errorf("path prefix %q must not end with /", p)
	case strings.Contains(p, "//"):
		return fmt.Errorf("path prefix %q must not contain //", p)
	case strings.ContainsAny(p, "{}"):
		return fmt.Errorf("path prefix %q must not hold parameters or wildcards", p)
	}
	for _, r := range p {
		if r != '/' && !isPathChar(r) {
			return fmt.Errorf("path prefix %q contains %q; use letters, digits and %s", p, r, pathChars)
		}
	}
	return nil
}

// DisplayName is the display name of an API's deployment for a major
// version: orders-v1.
func DisplayName(api string, major uint64) string {
	return api + "-v" + strconv.FormatUint(major, 10)
}

// ValidateAPIName checks the name of an API, which names its deployments
// (orders-v1) and function slots (order-validator-v1-blue): 1 to 63
// lower-case letters, digits and -, starting with a letter and not ending
// with -.
func ValidateAPIName(api string) error {
	switch {
	case api == "" || len(api) > 63:
		return fmt.Errorf("API name %q must be 1 to 63 characters", api)
	case api[0] < 'a' || api[0] > 'z':
		return fmt.Errorf("API name %q must start with a lower-case letter", api)
	case strings.HasSuffix(api, "-"):
		return fmt.Errorf("API name %q must not end with -", api)
	case strings.Trim(api, "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
		return fmt.Errorf("API name %q may hold lower-case letters, digits and - only", api)
	}
	return nil
}

// maxDisplayName bounds a deployment's display name.
const maxDisplayName = 255

// ValidateDisplayName checks a deployment display name; "" is allowed (OCI
// then names the deployment itself).
func ValidateDisplayName(name string) error {
	if len([]rune(name)) > maxDisplayName || strings.ContainsAny(name, "\r\n\x00") {
		return fmt.Errorf("display name %q must be one line of at most %d characters", name, maxDisplayName)
	}
	return nil
}
