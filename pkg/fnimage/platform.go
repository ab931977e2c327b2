package fnimage

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ParsePlatforms parses platforms given as "linux/amd64", "linux/arm64",
// or both, possibly comma-separated in one string ("linux/amd64,linux/arm64").
// Only the architectures of OCI Functions shapes are accepted; duplicates are
// dropped, and the result is sorted (amd64 first) so that index order is stable.
func ParsePlatforms(in []string) ([]v1.Platform, error) {
	seen := map[string]bool{}
	var out []v1.Platform
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			plat, err := parsePlatform(p)
			if err != nil {
				return nil, err
			}
			key := platformString(plat)
			if !seen[key] {
				seen[key] = true
				out = append(out, plat)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no platform given (fix: use linux/amd64, linux/arm64 or both)")
	}
	if len(out) == 2 && out[0].Architecture == "arm64" {
		out[0], out[1] = out[1], out[0]
	}
	return out, nil
}

func parsePlatform(s string) (v1.Platform, error) {
	switch s {
	case "linux/amd64", "amd64":
		return v1.Platform{OS: "linux", Architecture: "amd64"}, nil
	case "linux/arm64", "linux/arm64/v8", "arm64":
		return v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, nil
	}
	return v1.Platform{}, fmt.Errorf("platform %q is not one OCI Functions runs (fix: use linux/amd64 for GENERIC_X86, linux/arm64 for GENERIC_ARM, or both for GENERIC_X86_ARM)", s)
}

// ShapePlatforms returns the platforms an OCI Functions application shape needs.
func ShapePlatforms(shape string) ([]string, error) {
	switch shape {
	case "", "GENERIC_X86":
		return []string{"linux/amd64"}, nil
	case "GENERIC_ARM":
		return []string{"linux/arm64"}, nil
	case "GENERIC_X86_ARM":
		return []string{"linux/amd64", "linux/arm64"}, nil
	}
	return nil, fmt.Errorf("unknown application shape %q (fix: use GENERIC_X86, GENERIC_ARM or GENERIC_X86_ARM)", shape)
}

// platformString renders a platform as "os/arch" (the variant is left out:
// OCI Functions' arm64 is always v8).
func platformString(p v1.Platform) string { return p.OS + "/" + p.Architecture }

// platformMatches reports whether a base image's platform serves want.
func platformMatches(have *v1.Platform, want v1.Platform) bool {
	if have == nil || have.OS != want.OS || have.Architecture != want.Architecture {
		return false
	}
	// arm64 bases are "v8" or unset; both serve linux/arm64.
	return have.Variant == "" || want.Variant == "" || have.Variant == want.Variant
}
