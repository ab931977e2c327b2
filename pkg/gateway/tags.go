package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
)

// osa keeps its state in OCI, as freeform tags holding pointers only
// (design.md §4). These are their keys; every key osa owns starts with
// TagPrefix.
const (
	TagPrefix       = "osa-"
	TagManaged      = "osa-managed"     // "true" on every resource osa manages
	TagRelease      = "osa-release"     // the release tag, v1.4.2
	TagCommit       = "osa-commit"      // the released git commit
	TagActiveSlot   = "osa-active-slot" // blue or green
	TagDigestPrefix = "osa-digest-"     // + function name: the image digest released
	TagLease        = "osa-lease"       // the release lease: "<holder> until <RFC 3339 time>"
)

// Freeform tag limits of OCI's Tagging service ("Tag limits"): a key is at
// most 100 characters, a value at most 256, a resource has at most 64
// tags and 5 KB of tag data. oci-api.md does not record them; they come
// from OCI's tagging documentation and are checked here so that a release
// fails before its update call, not in it.
const (
	MaxTagKeyLength   = 100
	MaxTagValueLength = 256
	MaxTags           = 64
	MaxTagBytes       = 5000
)

// Slot is one of the two function slots of a major version.
type Slot string

// The two slots.
const (
	Blue  Slot = "blue"
	Green Slot = "green"
)

// Other returns the other slot (Blue for "").
func (s Slot) Other() Slot {
	if s == Blue {
		return Green
	}
	return Blue
}

// Lease is a release lease: a holder owns the deployment's releases until
// the lease expires.
type Lease struct {
	// Holder names who holds the lease, such as a CI run; one line.
	Holder string
	// Expires is when the lease lapses; stored to the second, in UTC.
	Expires time.Time
}

// IsZero reports whether l is no lease.
func (l Lease) IsZero() bool { return l.Holder == "" && l.Expires.IsZero() }

// HeldAt reports whether the lease is held at now.
func (l Lease) HeldAt(now time.Time) bool { return !l.IsZero() && now.Before(l.Expires) }

// String writes the lease as its tag value: "<holder> until <time>".
func (l Lease) String() string {
	return l.Holder + " until " + l.Expires.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// Tags are osa's pointers on a deployment. The zero value means "not
// set" for every field.
type Tags struct {
	// Managed marks a resource osa manages.
	Managed bool
	// Release is the tag of the release deployed, such as v1.4.2.
	Release string
	// Commit is the git commit released: 40 or 64 lower-case hex digits.
	Commit string
	// ActiveSlot is the slot the deployment points at.
	ActiveSlot Slot
	// Digests maps function names to the image digests released
	// (sha256:...).
	Digests map[string]string
	// Lease is the release lease.
	Lease Lease
}

// ParseTags reads osa's pointers from a resource's freeform tags, ignoring
// the user's tags. It reports every malformed value.
func ParseTags(freeform map[string]string) (Tags, error) {
	var t Tags
	var errs []error
	for _, k := range sortedKeys(freeform) {
		v := freeform[k]
		switch {
		case k == TagManaged:
			t.Managed = v == "true"
			if v != "true" && v != "false" {
				errs = append(errs, fmt.Errorf("tag %s is %q, not true or false", k, v))
			}
		case k == TagRelease:
			t.Release = v
		case k == TagCommit:
			t.Commit = v
		case k == TagActiveSlot:
			t.ActiveSlot = Slot(v)
		case k == TagLease:
			i := strings.LastIndex(v, " until ")
			if i < 0 {
				i = len(v)
			}
			holder, at := v[:i], strings.TrimPrefix(v[i:], " until ")
			exp, err := time.Parse(time.RFC3339, at)
			if holder == "" || err != nil {
				errs = append(errs, fmt.Errorf("tag %s is %q, not \"<holder> until <RFC 3339 time>\"", k, v))
				continue
			}
			t.Lease = Lease{Holder: holder, Expires: exp.UTC()}
		case strings.HasPrefix(k, TagDigestPrefix):
			if t.Digests == nil {
				t.Digests = map[string]string{}
			}
			t.Digests[strings.TrimPrefix(k, TagDigestPrefix)] = v
		}
	}
	if err := t.check(); err != nil {
		errs = append(errs, err)
	}
	return t, errors.Join(errs...)
}

// Render returns osa's tags only, checked against their formats and OCI's
// limits.
func (t Tags) Render() (map[string]string, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	if t.Managed {
		out[TagManaged] = "true"
	}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set(TagRelease, t.Release)
	set(TagCommit, t.Commit)
	set(TagActiveSlot, string(t.ActiveSlot))
	for fn, d := range t.Digests {
		out[TagDigestPrefix+fn] = d
	}
	if !t.Lease.IsZero() {
		out[TagLease] = t.Lease.String()
	}
	return out, checkTagLimits(out)
}

// Apply returns a copy of freeform with osa's tags replaced by t's: the
// user's tags are kept, every osa- tag t does not set is removed.
func (t Tags) Apply(freeform map[string]string) (map[string]string, error) {
	mine, err := t.Render()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range freeform {
		if !strings.HasPrefix(strings.ToLower(k), TagPrefix) {
			out[k] = v
		}
	}
	maps.Copy(out, mine)
	return out, checkTagLimits(out)
}

func (t Tags) check() error {
	var errs []error
	if t.Release != "" {
		if _, err := ParseVersion(t.Release); err != nil {
			errs = append(errs, fmt.Errorf("release: %w", err))
		}
	}
	if c := t.Commit; c != "" && (len(c) != 40 && len(c) != 64 || strings.Trim(c, "0123456789abcdef") != "") {
		errs = append(errs, fmt.Errorf("commit %q is not a full git commit id (40 or 64 lower-case hex digits)", c))
	}
	if s := t.ActiveSlot; s != "" && s != Blue && s != Green {
		errs = append(errs, fmt.Errorf("active slot %q is not blue or green", s))
	}
	for _, fn := range sortedKeys(t.Digests) {
		if fn == "" || strings.Trim(fn, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			errs = append(errs, fmt.Errorf("function name %q cannot be part of a tag key: use lower-case letters, digits, - and _", fn))
		}
		if d := t.Digests[fn]; !isDigest(d) {
			errs = append(errs, fmt.Errorf("digest of %s is %q, not sha256:<64 hex digits>", fn, d))
		}
	}
	if l := t.Lease; !l.IsZero() {
		if l.Holder == "" || strings.ContainsAny(l.Holder, "\r\n\x00") || l.Expires.IsZero() {
			errs = append(errs, errors.New("a lease needs a one-line holder and an expiry"))
		}
	}
	return errors.Join(errs...)
}

func isDigest(d string) bool {
	hex, ok := strings.CutPrefix(d, "sha256:")
	return ok && len(hex) == 64 && strings.Trim(hex, "0123456789abcdef") == ""
}

// checkTagLimits checks a resource's freeform tags against OCI's limits.
func checkTagLimits(tags map[string]string) error {
	var errs []error
	if len(tags) > MaxTags {
		errs = append(errs, fmt.Errorf("%d freeform tags; OCI allows %d per resource", len(tags), MaxTags))
	}
	for _, k := range sortedKeys(tags) {
		if n := len([]rune(k)); n == 0 || n > MaxTagKeyLength {
			errs = append(errs, fmt.Errorf("tag key %q is %d characters; OCI allows 1 to %d", k, n, MaxTagKeyLength))
		}
		if n := len([]rune(tags[k])); n > MaxTagValueLength {
			errs = append(errs, fmt.Errorf("tag %s is %d characters; OCI allows %d", k, n, MaxTagValueLength))
		}
	}
	if data, err := json.Marshal(tags); err == nil && len(data) > MaxTagBytes {
		errs = append(errs, fmt.Errorf("the freeform tags are %d bytes of JSON; OCI allows %d", len(data), MaxTagBytes))
	}
	return errors.Join(errs...)
}
