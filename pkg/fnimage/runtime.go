package fnimage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// JavaFDKVersion is the Fn Java FDK release whose images (fnproject/fn-java-fdk
// and fnproject/fn-java-fdk-build) the java and kotlin runtimes default to.
//
// fn resolves the newest FDK release from Maven Central every time it
// initialises or builds a function (or takes FN_JAVA_FDK_VERSION); it never
// uses a floating "latest" tag. We pin one version instead so that the same
// func.yaml always selects the same base image. Functions can choose another
// one with build_image/run_image.
const JavaFDKVersion = "1.1.12"

// DotnetFDKVersion is the Fn .NET FDK release whose images (fnproject/dotnet)
// the dotnet runtime defaults to. fn asks GitHub for the newest fdk-dotnet
// release; we pin it for the same reason as [JavaFDKVersion].
const DotnetFDKVersion = "1.0.57"

// Runtime is a parsed func.yaml runtime: a language and, except for docker
// and kotlin, a language version.
type Runtime struct {
	// Lang is one of go, python, node, java, ruby, dotnet, kotlin or docker.
	Lang string
	// Version is the language version ("1.24", "3.11", "22", "17", "3.3",
	// "9.0"); it is empty for docker and kotlin.
	Version string
}

// language describes one runtime family.
type language struct {
	name       string
	supported  []string // newest first
	defaultVer string   // what the bare name means
	retired    []string // versions OCI Functions no longer supports
	entrypoint string   // what `fn init` writes to func.yaml
	cmd        string
}

// languages is the runtime table, from fn's langs/ package and OCI's
// "Languages supported by OCI Functions" page (see fn-contract.md §1.5).
//
// A bare language name ("go", "node") means OCI's published default version.
// fn itself differs in one place: when func.yaml says a bare name and has no
// build_image/run_image, fn stamps a fallback version (go -> 1.11, ruby -> 3.1,
// dotnet -> 3.1), which are retired images. We deliberately follow OCI's table.
var languages = []language{
	{name: "go", supported: []string{"1.24", "1.23"}, defaultVer: "1.24",
		retired:    rangeVersions("1.", 11, 22),
		entrypoint: "./func"},
	{name: "python", supported: []string{"3.12", "3.11"}, defaultVer: "3.12",
		retired:    []string{"3.9", "3.8.5", "3.8", "3.7.1", "3.7", "3.6"},
		entrypoint: "/python/bin/fdk /function/func.py handler"},
	{name: "node", supported: []string{"24", "22"}, defaultVer: "22",
		retired:    rangeVersions("", 11, 20),
		entrypoint: "node func.js"},
	{name: "java", supported: []string{"21", "17", "11", "8"}, defaultVer: "17",
		cmd: "com.example.fn.HelloFunction::handleRequest"},
	{name: "ruby", supported: []string{"3.3"}, defaultVer: "3.3",
		retired:    []string{"3.1", "2.7", "2.5"},
		entrypoint: "ruby func.rb"},
	{name: "dotnet", supported: []string{"9.0", "8.0"}, defaultVer: "9.0",
		retired:    []string{"3.1"},
		entrypoint: "dotnet Function.dll", cmd: "Function:Greeter:greet"},
	{name: "kotlin", cmd: "com.fn.example.HelloFunctionKt::hello"},
	{name: "docker"},
}

// rangeVersions returns prefix+from ... prefix+to, newest first.
func rangeVersions(prefix string, from, to int) []string {
	var out []string
	for v := to; v >= from; v-- {
		out = append(out, prefix+strconv.Itoa(v))
	}
	return out
}

func lookupLanguage(name string) (language, bool) {
	for _, l := range languages {
		if l.name == name {
			return l, true
		}
	}
	return language{}, false
}

// KnownRuntimes returns every runtime string ParseRuntime accepts, grouped
// by language: the bare name first, then its versions, newest first.
func KnownRuntimes() []string {
	var out []string
	for _, l := range languages {
		out = append(out, l.name)
		for _, v := range l.supported {
			out = append(out, l.name+v)
		}
	}
	return out
}

// RuntimeErrorKind says why a runtime string was refused.
type RuntimeErrorKind int

const (
	// RuntimeUnknown means the string names no language osa knows.
	RuntimeUnknown RuntimeErrorKind = iota
	// RuntimeRetired means a version OCI Functions used to support and has
	// retired (python3.9, node20, go1.20, ...).
	RuntimeRetired
	// RuntimeUnsupportedVersion means a known language with a version that
	// was never supported (go1.25, node23, python3.13, ...).
	RuntimeUnsupportedVersion
)

// RuntimeError is returned by ParseRuntime for a runtime it refuses.
type RuntimeError struct {
	Runtime    string // as given
	Kind       RuntimeErrorKind
	Suggestion string   // the closest known runtime, or ""
	Supported  []string // what to use instead
}

// Error returns the problem and what to use instead.
func (e *RuntimeError) Error() string {
	return e.message() + " (" + e.fix() + ")"
}

// message says what is wrong; fix says what to do. Both are used for the
// func.yaml Problem.
func (e *RuntimeError) message() string {
	switch e.Kind {
	case RuntimeRetired:
		return fmt.Sprintf("runtime %q is retired: OCI Functions no longer supports it", e.Runtime)
	case RuntimeUnsupportedVersion:
		return fmt.Sprintf("runtime %q is not a supported version", e.Runtime)
	default:
		return fmt.Sprintf("unknown runtime %q", e.Runtime)
	}
}

func (e *RuntimeError) fix() string {
	var b strings.Builder
	if e.Suggestion != "" {
		fmt.Fprintf(&b, "did you mean %q? ", e.Suggestion)
	}
	b.WriteString("use one of: " + strings.Join(e.Supported, ", "))
	if e.Kind == RuntimeRetired {
		b.WriteString(", and change build_image/run_image to match")
	}
	return b.String()
}

// ParseRuntime parses a func.yaml runtime: a bare language name ("go",
// "python", "kotlin", "docker") or a language and version ("go1.24",
// "python3.11", "node22", "java17", "ruby3.3", "dotnet9.0"). A bare name
// resolves to OCI's default version for the language. Refused values come
// back as a *RuntimeError.
func ParseRuntime(s string) (Runtime, error) {
	for _, l := range languages {
		ver, ok := strings.CutPrefix(s, l.name)
		if !ok {
			continue
		}
		if ver == "" {
			return Runtime{Lang: l.name, Version: l.defaultVer}, nil
		}
		if slices.Contains(l.supported, ver) {
			return Runtime{Lang: l.name, Version: ver}, nil
		}
		if !startsWithDigit(ver) {
			break // "golang", "nodejs": not this language
		}
		kind := RuntimeUnsupportedVersion
		if slices.Contains(l.retired, ver) {
			kind = RuntimeRetired
		}
		sup := make([]string, 0, len(l.supported)+1)
		for _, v := range l.supported {
			sup = append(sup, l.name+v)
		}
		if len(sup) == 0 {
			sup = append(sup, l.name)
		}
		return Runtime{}, &RuntimeError{Runtime: s, Kind: kind, Supported: sup}
	}
	known := KnownRuntimes()
	return Runtime{}, &RuntimeError{Runtime: s, Kind: RuntimeUnknown,
		Suggestion: closest(s, known), Supported: known}
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// String returns the canonical runtime string ("go1.24", "kotlin"), or "" for
// the zero Runtime.
func (r Runtime) String() string { return r.Lang + r.Version }

// DefaultRunImage returns the image fn uses as the final stage for this
// runtime when func.yaml has no run_image. It is "" for docker and for the
// zero Runtime.
func (r Runtime) DefaultRunImage() string {
	switch r.Lang {
	case "go", "python", "node", "ruby":
		return "fnproject/" + r.Lang + ":" + r.Version
	case "java":
		return "fnproject/fn-java-fdk:" + javaTag("jre", r.Version)
	case "kotlin":
		return "fnproject/fn-java-fdk:" + javaTag("jre", "11")
	case "dotnet":
		return "fnproject/dotnet:" + r.Version + "-" + DotnetFDKVersion
	}
	return ""
}

// DefaultBuildImage returns the image fn uses as the build stage for this
// runtime when func.yaml has no build_image: the "-dev" variant of the run
// image, or the fn-java-fdk-build JDK image for java and kotlin. It is ""
// for docker and for the zero Runtime.
func (r Runtime) DefaultBuildImage() string {
	switch r.Lang {
	case "go", "python", "node", "ruby":
		return "fnproject/" + r.Lang + ":" + r.Version + "-dev"
	case "java":
		return "fnproject/fn-java-fdk-build:" + javaTag("jdk", r.Version)
	case "kotlin":
		return "fnproject/fn-java-fdk-build:" + javaTag("jdk", "11")
	case "dotnet":
		return "fnproject/dotnet:" + r.Version + "-" + DotnetFDKVersion + "-dev"
	}
	return ""
}

// javaTag returns the fn-java-fdk tag: the bare FDK version for Java 8,
// "<kind><java>-<fdk>" (jre17-1.1.12, jdk21-1.1.12) otherwise.
func javaTag(kind, java string) string {
	if java == "8" {
		return JavaFDKVersion
	}
	return kind + java + "-" + JavaFDKVersion
}

// DefaultEntrypoint returns the entrypoint and cmd `fn init` writes to
// func.yaml for this runtime (java and kotlin use only cmd; dotnet both;
// docker neither).
func (r Runtime) DefaultEntrypoint() (entrypoint, cmd string) {
	l, _ := lookupLanguage(r.Lang)
	return l.entrypoint, l.cmd
}

// closest returns the candidate nearest to s by edit distance, or "" when
// none is close enough to be a plausible typo.
func closest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(1, len(s)/3)
	if bestDist < 0 || bestDist > limit || bestDist >= len(s) {
		return ""
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions and adjacent transpositions).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 256 || len(rb) > 256 {
		return max(len(ra), len(rb)) // not a typo; keep the cost bounded
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
