package depcheck

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/oci-serverless/oci-serverless-api"

type pkg struct {
	ImportPath string
	Deps       []string
}

// listPackages returns every package of the module with its transitive deps.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json=ImportPath,Deps", module+"/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 3 {
		t.Fatalf("go list found only %d packages; the test is not looking at the module", len(pkgs))
	}
	return pkgs
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func TestDependencyRules(t *testing.T) {
	t.Parallel()
	const (
		ociSDK   = "github.com/oracle/oci-go-sdk"
		ggcr     = "github.com/google/go-containerregistry"
		fnimage  = module + "/pkg/fnimage"
		gateway  = module + "/pkg/gateway"
		stack    = module + "/pkg/stack"
		emulator = module + "/pkg/emulator"
	)
	importsAny := func(p pkg, prefix string) string {
		for _, d := range p.Deps {
			if under(d, prefix) {
				return d
			}
		}
		return ""
	}
	joiners := []string{stack, emulator, module + "/cmd", module + "/internal/cli"}
	for _, p := range listPackages(t) {
		if under(p.ImportPath, fnimage) {
			if d := importsAny(p, ociSDK); d != "" {
				t.Errorf("%s imports %s: pkg/fnimage must not depend on the OCI SDK", p.ImportPath, d)
			}
		}
		if under(p.ImportPath, gateway) {
			if d := importsAny(p, ggcr); d != "" {
				t.Errorf("%s imports %s: pkg/gateway must not depend on go-containerregistry", p.ImportPath, d)
			}
		}
		if under(p.ImportPath, stack) {
			if d := importsAny(p, emulator); d != "" {
				t.Errorf("%s imports %s: a release takes one path whether the target is OCI or the emulator", p.ImportPath, d)
			}
		}
		if under(p.ImportPath, module+"/pkg") {
			if d := importsAny(p, module+"/internal/cli"); d != "" {
				t.Errorf("%s imports %s: pkg/ must not depend on the command line", p.ImportPath, d)
			}
			if d := importsAny(p, module+"/cmd"); d != "" {
				t.Errorf("%s imports %s: pkg/ must not depend on commands", p.ImportPath, d)
			}
		}
		joinsBoth := importsAny(p, fnimage) != "" && importsAny(p, gateway) != ""
		if joinsBoth {
			allowed := false
			for _, j := range joiners {
				allowed = allowed || under(p.ImportPath, j)
			}
			if !allowed {
				t.Errorf("%s imports both pkg/fnimage and pkg/gateway: only pkg/stack, pkg/emulator and cmd/* join images and gateways", p.ImportPath)
			}
		}
	}
}
