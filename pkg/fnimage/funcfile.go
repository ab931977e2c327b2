package fnimage

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/google/go-containerregistry/pkg/name"
)

// FuncFileSchemaVersion is the only func.yaml schema_version osa reads.
const FuncFileSchemaVersion = 20180708

// funcFileNames are the names fn looks for, in fn's order.
var funcFileNames = []string{"func.yaml", "func.yml", "func.json"}

// FuncFile is an Fn func.yaml (schema_version 20180708). The YAML and JSON
// keys are fn's own (FuncFileV20180708 in fnproject/cli common/funcfile.go).
// A zero field means the key is absent.
type FuncFile struct {
	SchemaVersion int    `yaml:"schema_version,omitempty" json:"schema_version,omitempty"`
	Name          string `yaml:"name,omitempty" json:"name,omitempty"`                 // image repository; defaults to the directory name
	Version       string `yaml:"version,omitempty" json:"version,omitempty"`           // image tag; defaults to 0.0.1
	Runtime       string `yaml:"runtime,omitempty" json:"runtime,omitempty"`           // see ParseRuntime
	BuildImage    string `yaml:"build_image,omitempty" json:"build_image,omitempty"`   // "" means Runtime.DefaultBuildImage
	RunImage      string `yaml:"run_image,omitempty" json:"run_image,omitempty"`       // "" means Runtime.DefaultRunImage
	Cmd           string `yaml:"cmd,omitempty" json:"cmd,omitempty"`                   // image CMD, split on white space
	Entrypoint    string `yaml:"entrypoint,omitempty" json:"entrypoint,omitempty"`     // image ENTRYPOINT, split on white space
	ContentType   string `yaml:"content_type,omitempty" json:"content_type,omitempty"` // legacy, unused
	Type          string `yaml:"type,omitempty" json:"type,omitempty"`                 // legacy, unused
	Memory        uint64 `yaml:"memory,omitempty" json:"memory,omitempty"`             // MB; 0 means OCI's default, 128
	Timeout       *int32 `yaml:"timeout,omitempty" json:"timeout,omitempty"`           // seconds; nil means OCI's default, 30
	IdleTimeout   *int32 `yaml:"idle_timeout,omitempty" json:"idle_timeout,omitempty"` // seconds; not used by OCI

	Config      map[string]string `yaml:"config,omitempty" json:"config,omitempty"` // function configuration (environment)
	Annotations map[string]any    `yaml:"annotations,omitempty" json:"annotations,omitempty"`

	Deploy         *Deploy         `yaml:"deploy,omitempty" json:"deploy,omitempty"`
	SigningDetails *SigningDetails `yaml:"signing_details,omitempty" json:"signing_details,omitempty"`
	Build          []string        `yaml:"build,omitempty" json:"build,omitempty"` // commands fn runs locally before building
	Expects        *Expects        `yaml:"expects,omitempty" json:"expects,omitempty"`
	Triggers       []Trigger       `yaml:"triggers,omitempty" json:"triggers,omitempty"` // not used by OCI Functions

	// Path is the file the FuncFile was read from.
	Path string `yaml:"-" json:"-"`
	// Warnings are the findings that did not stop parsing (unknown keys,
	// triggers, extra YAML documents), sorted by position.
	Warnings []Problem `yaml:"-" json:"-"`
}

// Deploy holds deploy-time settings; only the OCI section is defined.
type Deploy struct {
	OCI *OCIDeploy `yaml:"oci,omitempty" json:"oci,omitempty"`
}

// OCIDeploy holds the OCI Functions settings fn sends as annotations.
type OCIDeploy struct {
	ProvisionedConcurrency *ProvisionedConcurrency   `yaml:"provisioned_concurrency,omitempty" json:"provisioned_concurrency,omitempty"`
	DetachedMode           *DetachedMode             `yaml:"detached_mode,omitempty" json:"detached_mode,omitempty"`
	PBF                    *PBF                      `yaml:"pbf,omitempty" json:"pbf,omitempty"`
	FreeformTags           map[string]string         `yaml:"freeform_tags,omitempty" json:"freeform_tags,omitempty"`
	DefinedTags            map[string]map[string]any `yaml:"defined_tags,omitempty" json:"defined_tags,omitempty"`
}

// ProvisionedConcurrency is OCI's provisioned concurrency: strategy NONE or
// CONSTANT, and with CONSTANT a count of units.
type ProvisionedConcurrency struct {
	Strategy string `yaml:"strategy,omitempty" json:"strategy,omitempty"`
	Count    int    `yaml:"count,omitempty" json:"count,omitempty"`
}

// DetachedMode configures detached (asynchronous) invocations.
type DetachedMode struct {
	Timeout   string       `yaml:"timeout,omitempty" json:"timeout,omitempty"` // as written, e.g. "3600s"
	OnSuccess *Destination `yaml:"on_success,omitempty" json:"on_success,omitempty"`
	OnFailure *Destination `yaml:"on_failure,omitempty" json:"on_failure,omitempty"`
}

// Destination is where a detached invocation's result goes.
type Destination struct {
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
	OCID string `yaml:"ocid,omitempty" json:"ocid,omitempty"`
}

// PBF names an OCI Pre-Built Function listing; no image is built for it.
type PBF struct {
	ListingID string `yaml:"listing_id,omitempty" json:"listing_id,omitempty"`
}

// SigningDetails asks for the image to be signed with an OCI Vault key.
// All four fields are set, or none.
type SigningDetails struct {
	ImageCompartmentID string `yaml:"image_compartment_id,omitempty" json:"image_compartment_id,omitempty"`
	KMSKeyID           string `yaml:"kms_key_id,omitempty" json:"kms_key_id,omitempty"`
	KMSKeyVersionID    string `yaml:"kms_key_version_id,omitempty" json:"kms_key_version_id,omitempty"`
	SigningAlgorithm   string `yaml:"signing_algorithm,omitempty" json:"signing_algorithm,omitempty"`
}

// Expects documents the configuration a function expects.
type Expects struct {
	Config []ExpectedConfig `yaml:"config,omitempty" json:"config,omitempty"`
}

// ExpectedConfig is one expected configuration key.
type ExpectedConfig struct {
	Name     string `yaml:"name,omitempty" json:"name,omitempty"`
	Required bool   `yaml:"required,omitempty" json:"required,omitempty"`
}

// Trigger is an Fn trigger. OCI Functions does not use triggers.
type Trigger struct {
	Name   string `yaml:"name,omitempty" json:"name,omitempty"`
	Type   string `yaml:"type,omitempty" json:"type,omitempty"`
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
}

// ParsedRuntime returns the parsed Runtime field; the zero Runtime if it
// does not parse (ParseFuncFile refuses such files).
func (f *FuncFile) ParsedRuntime() Runtime {
	r, _ := ParseRuntime(f.Runtime)
	return r
}

// EntrypointArgs returns the entrypoint split on white space, as fn does;
// nil if it is empty.
func (f *FuncFile) EntrypointArgs() []string { return fields(f.Entrypoint) }

// CmdArgs returns the cmd split on white space, as fn does; nil if empty.
func (f *FuncFile) CmdArgs() []string { return fields(f.Cmd) }

func fields(s string) []string {
	if out := strings.Fields(s); len(out) > 0 {
		return out
	}
	return nil
}

// LoadFuncFile reads the function file in dir: func.yaml, func.yml or
// func.json, the first that exists, as fn does. An empty name defaults to
// the lower-cased name of dir. A missing file or invalid content is an
// *InvalidInputError; a file that exists but cannot be read is returned
// with its cause.
func LoadFuncFile(dir string) (*FuncFile, error) {
	for _, n := range funcFileNames {
		p := filepath.Join(dir, n)
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading function file: %w", err)
		}
		defName := ""
		if abs, err := filepath.Abs(dir); err == nil {
			defName = dirName(abs)
		}
		return parseFuncFile(p, data, defName)
	}
	return nil, &InvalidInputError{File: filepath.Join(dir, "func.yaml"), Problems: []Problem{{
		File:    filepath.Join(dir, "func.yaml"),
		Message: fmt.Sprintf("no func.yaml, func.yml or func.json in %s", dir),
		Fix:     "run `fn init` or create func.yaml with schema_version: 20180708, name, version, runtime, entrypoint",
	}}}
}

// ParseFuncFile parses the func.yaml (or func.json) content data read from
// filename, applies fn's defaults (an empty name becomes the lower-cased
// name of filename's directory, when filename has one; an empty version
// becomes 0.0.1) and validates it against what fn and OCI Functions accept.
// Every error in the file is reported at once, as an *InvalidInputError
// with line and column; findings that do not stop a build are returned in
// FuncFile.Warnings.
func ParseFuncFile(filename string, data []byte) (*FuncFile, error) {
	return parseFuncFile(filename, data, dirName(filepath.Dir(filename)))
}

// dirName returns the lower-cased base name of dir, or "" when dir has none.
func dirName(dir string) string {
	b := filepath.Base(dir)
	if b == "." || b == ".." || b == string(filepath.Separator) {
		return ""
	}
	return strings.ToLower(b)
}

func parseFuncFile(filename string, data []byte, defName string) (*FuncFile, error) {
	d := &ffDecoder{file: filename, anchors: map[string]ast.Node{}, pos: map[string]position{},
		keyPos: map[string]position{}, bad: map[string]bool{}, start: position{Line: 1, Col: 1}, budget: 100000}
	f := &FuncFile{Path: filename}
	if d.parse(data, f) {
		d.validate(f, defName)
	}
	var errs, warns []Problem
	for _, p := range d.probs {
		if p.Warning {
			warns = append(warns, p)
		} else {
			errs = append(errs, p)
		}
	}
	sortProblems(errs)
	sortProblems(warns)
	if len(errs) > 0 {
		return nil, &InvalidInputError{File: filename, Problems: errs}
	}
	f.Warnings = warns
	return f, nil
}

// hint returns the domain fix for a known field, else def.
func hint(path, def string) string {
	switch path {
	case "schema_version":
		return "set schema_version: 20180708"
	case "memory":
		return "use one of 128, 256, 512, 1024, 2048 or 3072 MB"
	case "timeout":
		return "use 1 to 300 seconds"
	case "idle_timeout":
		return "use 1 to 3600 seconds"
	case "deploy.oci.provisioned_concurrency.count":
		return "use a multiple of the step for the function's memory: 40 for 128 MB, 20 for 256 MB, 10 above"
	}
	return def
}

// ociMemorySizes are the memory sizes (MB) OCI Functions offers.
var ociMemorySizes = []int{128, 256, 512, 1024, 2048, 3072}

var (
	// repoComponentRE is one path component of an OCI distribution-spec
	// repository name.
	repoComponentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	hostRE          = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$`)
	semverRE        = regexp.MustCompile(`^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)(?:-(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*)?$`)
	partialVerRE    = regexp.MustCompile(`^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?$`)
	tagRE           = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	configKeyRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	dupRE           = regexp.MustCompile(`^(.*) already defined at \[(\d+):(\d+)\]$`)
)

// validate checks the decoded file against fn's and OCI's rules, after
// applying the defaults.
func (d *ffDecoder) validate(f *FuncFile, defName string) {
	if !d.bad["schema_version"] && f.SchemaVersion != FuncFileSchemaVersion {
		fix := "set schema_version: 20180708; for a func.yaml written by an older fn, run `fn migrate`"
		if f.SchemaVersion == 0 {
			d.add(d.at("schema_version"), "schema_version", false, fix, "schema_version is missing")
		} else {
			d.add(d.at("schema_version"), "schema_version", false, fix, "unsupported schema_version %d", f.SchemaVersion)
		}
	}
	d.validateName(f, defName)
	d.validateVersion(f)
	rt, rtErr := d.validateRuntime(f)
	if rt.Lang != "docker" && f.Entrypoint == "" && f.Cmd == "" && !d.bad["entrypoint"] && !d.bad["cmd"] {
		fix := "add an entrypoint, or a cmd for java, as `fn init` writes it for your runtime"
		if rtErr == nil {
			var parts []string
			ep, cmd := rt.DefaultEntrypoint()
			if ep != "" {
				parts = append(parts, "`entrypoint: "+ep+"`")
			}
			if cmd != "" {
				parts = append(parts, "`cmd: "+cmd+"`")
			}
			fix = fmt.Sprintf("add %s, what `fn init` writes for %s", strings.Join(parts, " and "), rt)
		}
		d.add(d.at("runtime"), "entrypoint", false, fix, "entrypoint and cmd are missing")
	}
	for _, field := range []string{"build_image", "run_image"} {
		img := f.BuildImage
		if field == "run_image" {
			img = f.RunImage
		}
		if img == "" {
			continue
		}
		if _, err := name.ParseReference(img, name.WeakValidation); err != nil {
			// ParseReference's error does not say why; NewTag's or NewDigest's does.
			if strings.Contains(img, "@") {
				_, err = name.NewDigest(img, name.WeakValidation)
			} else if _, terr := name.NewTag(img, name.WeakValidation); terr != nil {
				err = terr
			}
			d.add(d.at(field), field, false, "use [registry/]repository[:tag][@digest], e.g. fnproject/python:3.11",
				"invalid image reference %q: %v", img, err)
		}
	}
	if f.Memory != 0 && !slices.Contains(ociMemorySizes, int(min(f.Memory, math.MaxInt32))) {
		d.add(d.at("memory"), "memory", false, hint("memory", ""), "memory %d MB is not a size OCI Functions offers", f.Memory)
	}
	if f.Timeout != nil && (*f.Timeout < 1 || *f.Timeout > 300) {
		d.add(d.at("timeout"), "timeout", false, hint("timeout", "")+", OCI's limit for a synchronous call",
			"timeout %d is out of range", *f.Timeout)
	}
	if f.IdleTimeout != nil && (*f.IdleTimeout < 1 || *f.IdleTimeout > 3600) {
		d.add(d.at("idle_timeout"), "idle_timeout", false, hint("idle_timeout", ""), "idle_timeout %d is out of range", *f.IdleTimeout)
	}
	d.validateConfig(f)
	d.validateDeploy(f)
	if s := f.SigningDetails; s != nil {
		var set, unset []string
		for _, kv := range [][2]string{{"image_compartment_id", s.ImageCompartmentID}, {"kms_key_id", s.KMSKeyID},
			{"kms_key_version_id", s.KMSKeyVersionID}, {"signing_algorithm", s.SigningAlgorithm}} {
			if kv[1] == "" {
				unset = append(unset, kv[0])
			} else {
				set = append(set, kv[0])
			}
		}
		if len(set) > 0 && len(unset) > 0 {
			d.add(d.at("signing_details"), "signing_details", false,
				"set all four of image_compartment_id, kms_key_id, kms_key_version_id and signing_algorithm, or remove signing_details",
				"only some signing fields are set (%s); missing: %s", strings.Join(set, ", "), strings.Join(unset, ", "))
		}
	}
	if len(f.Triggers) > 0 {
		d.add(d.at("triggers"), "triggers", true, "remove them; expose the function with API Gateway instead",
			"triggers are not used by OCI Functions and are ignored")
	}
}

func (d *ffDecoder) validateName(f *FuncFile, defName string) {
	if d.bad["name"] {
		return
	}
	fromDir := false
	if f.Name == "" {
		f.Name, fromDir = defName, true
	}
	if f.Name == "" {
		return // no directory to default from; the caller supplies the name
	}
	msg := repoNameProblem(f.Name)
	if msg == "" {
		return
	}
	fix := "use only lower-case letters and digits, with '.', '_' or '-' between them"
	if s := suggestRepoName(f.Name); s != "" {
		fix = "use name: " + s
	}
	if fromDir {
		d.add(d.start, "name", false, fix+" in func.yaml",
			"name is not set and the directory name %q is not a valid image repository name: %s", f.Name, msg)
		return
	}
	d.add(d.at("name"), "name", false, fix, "invalid name %q: %s", f.Name, msg)
}

// repoNameProblem says why name is not a valid image repository (fn uses the
// name as the repository, optionally with a registry host: a name with "/"
// is used as given), or "" if it is valid.
func repoNameProblem(s string) string {
	last := s[strings.LastIndex(s, "/")+1:]
	if strings.ContainsAny(last, ":@") {
		return "it includes a tag or digest; the tag comes from version"
	}
	parts := strings.Split(s, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		if !hostRE.MatchString(parts[0]) {
			return fmt.Sprintf("registry host %q is not a valid host name", parts[0])
		}
		parts = parts[1:]
	}
	if n := len(strings.Join(parts, "/")); n > 255 {
		return fmt.Sprintf("the repository path is %d characters long, the limit is 255", n)
	}
	for _, p := range parts {
		if !repoComponentRE.MatchString(p) {
			return "repository names use lower-case letters and digits separated by '.', '_', '__' or '-'"
		}
	}
	return ""
}

// suggestRepoName turns s into a valid repository name, or "".
func suggestRepoName(s string) string {
	s, _, _ = strings.Cut(s, "@")
	if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
		s = s[:i] // drop the tag
	}
	if repoNameProblem(s) == "" {
		return s
	}
	var parts []string
	for i, p := range strings.Split(s, "/") {
		if i == 0 && strings.Contains(s, "/") && hostRE.MatchString(p) && strings.ContainsAny(p, ".:") {
			parts = append(parts, p) // keep a registry host as it is
			continue
		}
		var b strings.Builder
		var sep []rune
		for _, r := range strings.ToLower(p) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				if len(sep) == 1 && strings.ContainsRune("._-", sep[0]) && b.Len() > 0 {
					b.WriteRune(sep[0])
				} else if len(sep) > 0 && b.Len() > 0 {
					b.WriteByte('-')
				}
				sep = sep[:0]
				b.WriteRune(r)
			} else {
				sep = append(sep, r)
			}
		}
		if b.Len() > 0 {
			parts = append(parts, b.String())
		}
	}
	out := strings.Join(parts, "/")
	if out == "" || repoNameProblem(out) != "" {
		return ""
	}
	return out
}

func (d *ffDecoder) validateVersion(f *FuncFile) {
	if d.bad["version"] {
		return
	}
	if f.Version == "" {
		f.Version = "0.0.1"
		return
	}
	v := f.Version
	if !semverRE.MatchString(v) {
		if core, meta, _ := strings.Cut(v, "+"); semverRE.MatchString(core) {
			d.add(d.at("version"), "version", false,
				fmt.Sprintf("use version: %s, or a pre-release such as %s-%s", core, core, strings.ReplaceAll(meta, "+", ".")),
				"version %q has semver build metadata, but '+' is not allowed in an image tag", v)
			return
		}
		fix := "use MAJOR.MINOR.PATCH, e.g. version: 0.0.1"
		if m := partialVerRE.FindStringSubmatch(v); m != nil {
			fix = fmt.Sprintf("use version: %s.%s.%s", trimZeros(m[1]), trimZeros(m[2]), trimZeros(m[3]))
		}
		d.add(d.at("version"), "version", false, fix, "version %q is not a semantic version MAJOR.MINOR.PATCH[-PRERELEASE]", v)
		return
	}
	if !tagRE.MatchString(v) {
		d.add(d.at("version"), "version", false, "shorten it to at most 128 characters",
			"version %q is not a valid image tag", v)
	}
}

// trimZeros drops leading zeros; "" becomes "0".
func trimZeros(s string) string {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0"
	}
	return s
}

func (d *ffDecoder) validateRuntime(f *FuncFile) (Runtime, error) {
	if d.bad["runtime"] {
		return Runtime{}, errors.New("runtime failed to decode")
	}
	if f.Runtime == "" {
		d.add(d.at("runtime"), "runtime", false,
			"add `runtime:` set to one of: "+strings.Join(KnownRuntimes(), ", ")+"; docker builds your own Dockerfile",
			"runtime is missing")
		return Runtime{}, errors.New("runtime is missing")
	}
	rt, err := ParseRuntime(f.Runtime)
	var re *RuntimeError
	if errors.As(err, &re) {
		d.add(d.at("runtime"), "runtime", false, re.fix(), "%s", re.message())
	}
	return rt, err
}

func (d *ffDecoder) validateConfig(f *FuncFile) {
	total := 0
	keys := make([]string, 0, len(f.Config))
	for k, v := range f.Config {
		total += len(k) + len(v)
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !configKeyRE.MatchString(k) {
			d.add(d.keyPos["config."+k], "config", false,
				"use ASCII letters, digits and '_', not starting with a digit, e.g. "+configKeySuggestion(k),
				"invalid config key %q", k)
		}
	}
	if total > 4096 {
		d.add(d.at("config"), "config", false, "move large values to OCI Vault secrets or Object Storage",
			"config keys and values total %d bytes; OCI allows 4096", total)
	}
}

func configKeySuggestion(k string) string {
	b := []byte(k)
	for i, c := range b {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			b[i] = '_'
		}
	}
	s := string(b)
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

func (d *ffDecoder) validateDeploy(f *FuncFile) {
	if f.Deploy == nil || f.Deploy.OCI == nil || f.Deploy.OCI.ProvisionedConcurrency == nil {
		return
	}
	pc := f.Deploy.OCI.ProvisionedConcurrency
	const path = "deploy.oci.provisioned_concurrency"
	switch pc.Strategy {
	case "NONE":
	case "CONSTANT":
		mem := f.Memory
		if mem == 0 {
			mem = 128
		}
		if d.bad[path+".count"] || !slices.Contains(ociMemorySizes, int(min(mem, math.MaxInt32))) {
			return // already reported
		}
		step := 10
		switch mem {
		case 128:
			step = 40
		case 256:
			step = 20
		}
		if pc.Count < step || pc.Count%step != 0 {
			lower := max(step, pc.Count/step*step)
			fix := fmt.Sprintf("use %d", lower)
			if lower < pc.Count {
				fix = fmt.Sprintf("use %d or %d", lower, lower+step)
			}
			what := fmt.Sprintf("count %d is not a positive multiple of %d", pc.Count, step)
			if pc.Count == 0 {
				what = fmt.Sprintf("count is missing: CONSTANT needs a multiple of %d", step)
			}
			d.add(d.at(path+".count"), path+".count", false, fix,
				"%s, OCI's provisioned-concurrency step for %d MB functions", what, mem)
		}
	default:
		fix := "use CONSTANT (with a count) or NONE"
		if u := strings.ToUpper(pc.Strategy); u == "NONE" || u == "CONSTANT" {
			fix = "write it in upper case: " + u
		}
		d.add(d.at(path+".strategy"), path+".strategy", false, fix, "unknown strategy %q", pc.Strategy)
	}
}
