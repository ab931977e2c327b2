package fnimage

import (
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// nodeELFMachine is the ELF machine of native code for each image architecture.
var nodeELFMachine = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

// nativeBuildTools are the tools whose mention in an install script means
// the package compiles (or downloads) native code for the machine it is
// installed on.
var nativeBuildTools = []string{"node-gyp", "prebuild-install", "node-pre-gyp", "cmake-js"}

// installedNodePackage is one package npm put in node_modules.
type installedNodePackage struct {
	rel        string // path under node_modules: "a", "@s/b", "a/node_modules/b"
	dir        string
	pkg        *nodePackage
	optional   bool // installed as an optional dependency
	bindingGyp bool // has a binding.gyp: npm would run `node-gyp rebuild`
}

func (p installedNodePackage) String() string {
	name := p.pkg.Name
	if name == "" {
		name = path.Base(p.rel)
	}
	return name + "@" + p.pkg.Version
}

// installScripts returns the install-time scripts npm would have run,
// including the implicit `node-gyp rebuild` of a package with binding.gyp.
func (p installedNodePackage) installScripts() []string {
	var out []string
	for _, s := range []string{"preinstall", "install", "postinstall"} {
		if c := strings.TrimSpace(p.pkg.Scripts[s]); c != "" {
			out = append(out, s+": "+c)
		}
	}
	if p.bindingGyp && p.pkg.Scripts["install"] == "" && p.pkg.Scripts["preinstall"] == "" {
		out = append(out, "install: node-gyp rebuild (implied by binding.gyp)")
	}
	return out
}

// needsNativeBuild reports whether the package compiles or downloads native
// code at install time.
func (p installedNodePackage) needsNativeBuild() bool {
	if p.bindingGyp {
		return true
	}
	for _, s := range p.installScripts() {
		for _, tool := range nativeBuildTools {
			if strings.Contains(s, tool) {
				return true
			}
		}
	}
	return false
}

// checkNodeModules checks what npm installed in modules for t: every package
// must be for the target platform (a safety net under npm's own filtering);
// a package that needs a native build must already ship a binary for the
// target (else a *BuildError, or a warning for an optional one); and install
// scripts that did not run are reported.
func (j *job) checkNodeModules(modules string, t target, libc string) error {
	pkgs, err := listInstalledNodePackages(modules)
	if err != nil {
		return fmt.Errorf("reading what npm installed: %w", err)
	}
	cpu := npmCPU[t.platform.Architecture]
	var wrongPlatform, needBuild, optionalBuild, scripts []string
	for _, p := range pkgs {
		where := imageModulePath(p.rel)
		if !p.pkg.OS.allows(t.platform.OS) || !p.pkg.CPU.allows(cpu) || len(p.pkg.Libc) > 0 && !p.pkg.Libc.allows(libc) {
			wrongPlatform = append(wrongPlatform, fmt.Sprintf("%s (%s) is for os %v, cpu %v, libc %v; the image is %s/%s/%s",
				p, where, []string(p.pkg.OS), []string(p.pkg.CPU), []string(p.pkg.Libc), t.platform.OS, cpu, libc))
		}
		switch {
		case p.needsNativeBuild():
			if hasNativeBinary(p.dir, nodeELFMachine[t.platform.Architecture]) {
				break // ships a prebuilt binary for the target (node-gyp-build style)
			}
			line := fmt.Sprintf("%s (%s): %s", p, where, strings.Join(p.installScripts(), "; "))
			if p.optional {
				optionalBuild = append(optionalBuild, line)
			} else {
				needBuild = append(needBuild, line)
			}
		case len(p.installScripts()) > 0:
			scripts = append(scripts, fmt.Sprintf("%s (%s)", p, strings.Join(p.installScripts(), "; ")))
		}
	}
	plat := t.String()
	if len(wrongPlatform) > 0 {
		return &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "checking node_modules",
			Err:    errors.New("npm installed packages for another platform"),
			Output: strings.Join(wrongPlatform, "\n"),
			Fix:    fmt.Sprintf("use npm %d.%d or newer, which installs for the platform given by --os, --cpu and --libc", minNpm[0], minNpm[1])}
	}
	if len(needBuild) > 0 {
		return &BuildError{Runtime: j.runtime.String(), Platform: plat, Step: "checking node_modules",
			Err:    fmt.Errorf("%d package(s) need a native build for %s, which osa does not do", len(needBuild), plat),
			Output: strings.Join(needBuild, "\n"),
			Fix: "use a version of the package that ships prebuilt binaries for " + plat + " (such as per-platform optional packages, which osa installs for the target), " +
				"or a pure JavaScript alternative, or build this function with fn build on a " + plat + " machine and deploy that image; " +
				"osa runs npm with --ignore-scripts because install scripts would build for the build machine, not the image"}
	}
	if len(optionalBuild) > 0 {
		slices.Sort(optionalBuild)
		j.o.logger.Warn("optional packages that need a native build were installed without it and will fail to load (their dependents must cope without them)",
			"platform", plat, "packages", strings.Join(optionalBuild, " | "))
	}
	if len(scripts) > 0 && j.nodeFirstPlatform(t) {
		slices.Sort(scripts)
		j.o.logger.Warn("install scripts were not run (osa runs npm with --ignore-scripts); check that these packages work without them",
			"platform", plat, "packages", strings.Join(scripts, " | "))
	}
	return nil
}

// listInstalledNodePackages lists the packages in a node_modules directory
// and the ones nested below them, in path order.
func listInstalledNodePackages(modules string) ([]installedNodePackage, error) {
	optional := map[string]bool{}
	if data, err := os.ReadFile(filepath.Join(modules, npmHiddenLockfile)); err == nil {
		var hidden nodeLock
		if json.Unmarshal(data, &hidden) == nil {
			for key, p := range hidden.Packages {
				if rel, ok := strings.CutPrefix(key, nodeModules+"/"); ok && p.Optional {
					optional[rel] = true
				}
			}
		}
	}
	var out []installedNodePackage
	var walk func(dir, prefix string) error
	walk = func(dir, prefix string) error {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || !e.IsDir() {
				continue // .bin, the hidden lockfile, links
			}
			if strings.HasPrefix(name, "@") {
				if err := walk(filepath.Join(dir, name), prefix+name+"/"); err != nil {
					return err
				}
				continue
			}
			pkgDir := filepath.Join(dir, name)
			rel := prefix + name
			data, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
			if err != nil {
				continue // not a package
			}
			var pkg nodePackage
			if json.Unmarshal(data, &pkg) != nil {
				continue
			}
			out = append(out, installedNodePackage{rel: rel, dir: pkgDir, pkg: &pkg, optional: optional[rel],
				bindingGyp: isRegular(filepath.Join(pkgDir, "binding.gyp"))})
			if err := walk(filepath.Join(pkgDir, nodeModules), rel+"/"+nodeModules+"/"); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(modules, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// hasNativeBinary reports whether the package in dir (not counting its own
// node_modules) ships a .node file for the machine.
func hasNativeBinary(dir string, machine elf.Machine) bool {
	found := false
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if found {
			return fs.SkipAll
		}
		if err != nil {
			return nil // unreadable: not a binary we can use
		}
		if d.IsDir() && d.Name() == nodeModules {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".node") {
			if f, err := elf.Open(p); err == nil {
				found = f.Machine == machine
				_ = f.Close()
			}
		}
		return nil
	})
	return found
}
