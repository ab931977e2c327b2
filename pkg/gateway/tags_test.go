package gateway

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTagsRoundTrip(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	tags := Tags{Managed: true, Release: "v1.4.2", Commit: strings.Repeat("ab", 20), ActiveSlot: Green,
		Digests: map[string]string{"order-validator": digest, "order_store": digest},
		Lease:   Lease{Holder: "github:acme/orders run 42 until later", Expires: exp}}
	got, err := tags.Render()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"osa-managed": "true", "osa-release": "v1.4.2", "osa-commit": strings.Repeat("ab", 20), "osa-active-slot": "green",
		"osa-digest-order-validator": digest, "osa-digest-order_store": digest,
		"osa-lease": "github:acme/orders run 42 until later until 2026-03-01T12:30:00Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Render (-want +got):\n%s", diff)
	}
	back, err := ParseTags(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tags, back); diff != "" {
		t.Errorf("ParseTags(Render) (-want +got):\n%s", diff)
	}
	if !back.Lease.HeldAt(exp.Add(-time.Second)) || back.Lease.HeldAt(exp) || (Lease{}).HeldAt(exp) {
		t.Error("HeldAt is wrong")
	}
	if Blue.Other() != Green || Green.Other() != Blue || Slot("").Other() != Blue {
		t.Error("Other is wrong")
	}
}

func TestTagsApply(t *testing.T) {
	t.Parallel()
	user := map[string]string{"team": "orders", "osa-release": "v1.0.0", "osa-digest-gone": digest, "OSA-Stale": "x"}
	got, err := Tags{Managed: true, Release: "v1.1.0"}.Apply(user)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"team": "orders", "osa-managed": "true", "osa-release": "v1.1.0"}, got); diff != "" {
		t.Errorf("Apply (-want +got):\n%s", diff)
	}
	if user["osa-release"] != "v1.0.0" {
		t.Error("Apply changed its input")
	}
	many := map[string]string{}
	for i := range 64 {
		many[fmt.Sprint("k", i)] = "v"
	}
	if _, err := (Tags{Managed: true}).Apply(many); err == nil || !strings.Contains(err.Error(), "65 freeform tags; OCI allows 64") {
		t.Errorf("Apply over the limit = %v", err)
	}
	if _, err := (Tags{}).Apply(map[string]string{"k": strings.Repeat("v", 257)}); err == nil || !strings.Contains(err.Error(), "OCI allows 256") {
		t.Errorf("Apply with a long value = %v", err)
	}
	if _, err := (Tags{}).Apply(map[string]string{strings.Repeat("k", 101): "v"}); err == nil {
		t.Error("Apply with a long key succeeded")
	}
	big := map[string]string{}
	for i := range 30 {
		big[fmt.Sprint("key", i)] = strings.Repeat("v", 200)
	}
	if _, err := (Tags{}).Apply(big); err == nil || !strings.Contains(err.Error(), "OCI allows 5000") {
		t.Errorf("Apply over 5 KB = %v", err)
	}
}

func TestTagsErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tags map[string]string
		want string
	}{
		{"release", map[string]string{TagRelease: "1.0"}, "release: version"},
		{"commit", map[string]string{TagCommit: "abc123"}, `commit "abc123" is not a full git commit id`},
		{"commit case", map[string]string{TagCommit: strings.Repeat("AB", 20)}, "is not a full git commit id"},
		{"slot", map[string]string{TagActiveSlot: "red"}, `active slot "red" is not blue or green`},
		{"digest", map[string]string{TagDigestPrefix + "f": "sha256:xyz"}, `digest of f is "sha256:xyz"`},
		{"function name", map[string]string{TagDigestPrefix + "F.x": digest}, `function name "F.x" cannot be part of a tag key`},
		{"lease", map[string]string{TagLease: "someone"}, "not \"<holder> until <RFC 3339 time>\""},
		{"lease time", map[string]string{TagLease: "me until tomorrow"}, "not \"<holder> until"},
		{"managed", map[string]string{TagManaged: "yes"}, `tag osa-managed is "yes", not true or false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseTags(tc.tags)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseTags error = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := (Tags{Lease: Lease{Holder: "a\nb", Expires: time.Now()}}).Render(); err == nil {
		t.Error("Render accepted a two-line holder")
	}
	if got, err := ParseTags(map[string]string{"owner": "x", "osa-future": "y"}); err != nil || !cmp.Equal(got, Tags{}) {
		t.Errorf("ParseTags of foreign tags = %+v, %v", got, err)
	}
}
