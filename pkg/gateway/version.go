package gateway

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is a release: a semantic version (semver.org 2.0.0) written as a
// git tag with a v prefix, such as v2.3.1, v3.0.0-rc.1 or v1.4.2+build.7.
type Version struct {
	// Major, Minor and Patch are the version's numbers.
	Major, Minor, Patch uint64
	// Prerelease holds the dot-separated identifiers after -, such as
	// ["rc", "1"]; nil for a release.
	Prerelease []string
	// Build holds the dot-separated identifiers after +; they play no part
	// in precedence.
	Build []string
}

// ParseVersion parses a release tag: v, then MAJOR.MINOR.PATCH, then
// optionally -PRERELEASE and +BUILD, as semver 2.0.0 defines them
// (numbers without leading zeros, identifiers of letters, digits and -).
func ParseVersion(tag string) (Version, error) {
	var v Version
	rest, ok := strings.CutPrefix(tag, "v")
	if !ok {
		if tag != "" && tag[0] >= '0' && tag[0] <= '9' {
			return v, fmt.Errorf("version %q: release tags start with v, as in v%s", tag, tag)
		}
		return v, fmt.Errorf("version %q: expected a tag such as v1.2.3", tag)
	}
	rest, build, hasBuild := strings.Cut(rest, "+")
	core, pre, hasPre := strings.Cut(rest, "-")
	nums := strings.Split(core, ".")
	if len(nums) != 3 {
		return v, fmt.Errorf("version %q: expected MAJOR.MINOR.PATCH, such as v1.2.3", tag)
	}
	for i, p := range []*uint64{&v.Major, &v.Minor, &v.Patch} {
		n, err := parseNumber(nums[i])
		if err != nil {
			return Version{}, fmt.Errorf("version %q: %s %w", tag, [3]string{"major", "minor", "patch"}[i], err)
		}
		*p = n
	}
	if hasPre {
		ids, err := identifiers(pre, true)
		if err != nil {
			return Version{}, fmt.Errorf("version %q: prerelease %w", tag, err)
		}
		v.Prerelease = ids
	}
	if hasBuild {
		ids, err := identifiers(build, false)
		if err != nil {
			return Version{}, fmt.Errorf("version %q: build metadata %w", tag, err)
		}
		v.Build = ids
	}
	return v, nil
}

func parseNumber(s string) (uint64, error) {
	switch {
	case s == "":
		return 0, errors.New("is empty")
	case len(s) > 1 && s[0] == '0':
		return 0, fmt.Errorf("%q has a leading zero", s)
	case strings.Trim(s, "0123456789") != "":
		return 0, fmt.Errorf("%q is not a number", s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n, nil
}

func identifiers(s string, numericRule bool) ([]string, error) {
	ids := strings.Split(s, ".")
	for _, id := range ids {
		switch {
		case id == "":
			return nil, fmt.Errorf("%q has an empty identifier", s)
		case strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "":
			return nil, fmt.Errorf("identifier %q may hold letters, digits and - only", id)
		case numericRule && isNumeric(id) && len(id) > 1 && id[0] == '0':
			return nil, fmt.Errorf("numeric identifier %q has a leading zero", id)
		}
	}
	return ids, nil
}

func isNumeric(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// String writes v as a tag: v1.2.3-rc.1+build.7.
func (v Version) String() string {
	s := fmt.Sprintf("v%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Prerelease) > 0 {
		s += "-" + strings.Join(v.Prerelease, ".")
	}
	if len(v.Build) > 0 {
		s += "+" + strings.Join(v.Build, ".")
	}
	return s
}

// IsPrerelease reports whether v has prerelease identifiers.
func (v Version) IsPrerelease() bool { return len(v.Prerelease) > 0 }

// Compare orders versions by semver precedence: -1 when v < w, 0 when they
// are equal (build metadata is ignored), +1 when v > w.
func (v Version) Compare(w Version) int {
	if c := cmp.Or(cmp.Compare(v.Major, w.Major), cmp.Compare(v.Minor, w.Minor), cmp.Compare(v.Patch, w.Patch)); c != 0 {
		return c
	}
	switch {
	case len(v.Prerelease) == 0 && len(w.Prerelease) == 0:
		return 0
	case len(v.Prerelease) == 0:
		return 1 // a release outranks its prereleases
	case len(w.Prerelease) == 0:
		return -1
	}
	for i := 0; i < len(v.Prerelease) && i < len(w.Prerelease); i++ {
		if c := compareIdentifier(v.Prerelease[i], w.Prerelease[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(v.Prerelease), len(w.Prerelease))
}

func compareIdentifier(a, b string) int {
	an, bn := isNumeric(a), isNumeric(b)
	switch {
	case an && bn:
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	case an:
		return -1 // numeric identifiers rank below alphanumeric ones
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}
