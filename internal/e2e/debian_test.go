package e2e

import (
	"context"
	"testing"
	"time"
)

func TestDebianBase(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	reg := StartRegistry(t)
	ref := DebianBase(t, ctx, reg, "bases/python:3.11", DebianBaseOptions{Packages: []string{"python3"}, Arches: []string{"amd64", "arm64"}})
	for _, plat := range []string{"linux/amd64", "linux/arm64"} {
		files := ImageFiles(t, ctx, ref.String(), reg, plat)
		for _, f := range []string{"usr/bin/python3.11", "usr/lib/python3.11/os.py", "etc/passwd", "home/fn"} {
			if files[f] == nil {
				t.Errorf("%s: %s is missing", plat, f)
			}
		}
		if h := files["home/fn"]; h != nil && (h.Uid != 1000 || h.Gid != 1000) {
			t.Errorf("%s: /home/fn is owned by %d:%d, want 1000:1000", plat, h.Uid, h.Gid)
		}
	}
	cfg := ImageConfig(t, ctx, ref.String(), reg)
	if cfg.OS != "linux" {
		t.Errorf("config os = %q", cfg.OS)
	}
}
