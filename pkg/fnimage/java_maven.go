package fnimage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// mavenCommand is the Maven launcher, looked up on PATH.
const mavenCommand = "mvn"

// mavenDependencyFlags are fn's copy-dependencies settings: the jars the
// function needs at run time, named groupId.artifactId-version.jar.
var mavenDependencyFlags = []string{"-DincludeScope=runtime", "-Dmdep.prependGroupId=true"}

// mavenInfo is what `mvn --version` says about the build machine's Maven.
type mavenInfo struct {
	version string // "Apache Maven 3.8.7 (...); Java version: 17.0.15, vendor: Debian"
	java    int    // the JDK's major version, 0 if unknown
}

// probeMaven runs `mvn --version`, which fails when Maven or its JDK is
// missing, and returns the versions that the dependency layer's cache key
// depends on.
func probeMaven(ctx context.Context, rt Runtime) (mavenInfo, error) {
	cmd := exec.CommandContext(ctx, mavenCommand, "--version")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return mavenInfo{}, ctx.Err()
		}
		return mavenInfo{}, &BuildError{Runtime: rt.String(), Platform: "all platforms", Step: "mvn --version",
			Output: mavenLastLines(mavenStripANSI(out.String()), 10), Err: err,
			Fix: "install Apache Maven and a JDK (Java " + strconv.Itoa(runtimeJava(rt)) + " or newer) and put mvn on PATH: osa runs Maven on this machine, where fn uses the fn-java-fdk-build image"}
	}
	return parseMavenVersion(out.String()), nil
}

// parseMavenVersion reads the Maven and Java lines of `mvn --version`,
// leaving out the paths (Maven home, JDK runtime) and the OS.
func parseMavenVersion(out string) mavenInfo {
	var info mavenInfo
	var parts []string
	for _, line := range strings.Split(mavenStripANSI(out), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "Apache Maven "):
			parts = append(parts, line)
		case strings.HasPrefix(line, "Java version: "):
			v, _, _ := strings.Cut(line, ", runtime:")
			parts = append(parts, v)
			num, _, _ := strings.Cut(strings.TrimPrefix(v, "Java version: "), ",")
			info.java = javaMajor(num)
		}
	}
	info.version = strings.Join(parts, "; ")
	return info
}

// runMaven runs Maven in the copy of the project: `package` when pkg is
// set, `dependency:copy-dependencies` (fn's flags, into b.deps) when deps is.
// Tests are skipped. A failure is a *BuildError with Maven's error lines.
func (b *javaBuild) runMaven(ctx context.Context, pkg, deps bool) error {
	args := []string{"-B", "-Dstyle.color=never"}
	var goals []string
	if pkg {
		goals = append(goals, "package")
	}
	if deps {
		goals = append(goals, "dependency:copy-dependencies")
	}
	args = append(args, goals...)
	args = append(args, "-DskipTests", "-Dproject.build.outputTimestamp="+mavenTimestamp(b.o.creationTime))
	if deps {
		args = append(args, mavenDependencyFlags...)
		args = append(args, "-DoutputDirectory="+b.deps)
	}
	step := "mvn " + strings.Join(goals, " ")
	b.o.progress(Progress{Stage: StageCompile, Message: step + " -DskipTests"})
	start := time.Now()
	cmd := exec.CommandContext(ctx, mavenCommand, args...)
	cmd.Dir = b.project
	cmd.Env = os.Environ()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	output := b.hidePaths(mavenStripANSI(out.String()))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &BuildError{Runtime: b.runtime.String(), Platform: "all platforms", Step: step,
			Output: mavenErrors(output), Err: err, Fix: mavenFix(output, b.runtime, b.mvn.java)}
	}
	b.o.logger.Debug("maven finished", "step", step, "took", time.Since(start).Round(time.Millisecond).String(), "output", mavenLastLines(output, 40))
	return nil
}

// hidePaths replaces the scratch copy of the project in Maven's output with
// the function directory, so that errors name the user's own files.
func (b *javaBuild) hidePaths(s string) string {
	return strings.NewReplacer(b.project, b.dir, b.deps, "<dependencies>").Replace(s)
}

// mavenTimestamp returns t as Maven's project.build.outputTimestamp, within
// the range Maven accepts (zip times start in 1980).
func mavenTimestamp(t time.Time) string {
	if earliest := time.Date(1980, 1, 1, 0, 0, 2, 0, time.UTC); t.Before(earliest) {
		t = earliest
	}
	return t.UTC().Format(time.RFC3339)
}

// mavenNoise are the [ERROR] lines Maven prints after every failure, which
// say nothing about this one.
var mavenNoise = []string{
	"To see the full stack trace of the errors",
	"Re-run Maven using the -X switch",
	"For more information about the errors and possible solutions",
	"[Help 1] http",
	"After correcting the problems, you can resume the build",
	"mvn <args> -rf :",
	"mvn <goals> -rf :",
}

func mavenIsNoise(line string) bool {
	for _, n := range mavenNoise {
		if strings.Contains(line, n) {
			return true
		}
	}
	return false
}

// maxMavenErrorLines bounds the output kept in a BuildError.
const maxMavenErrorLines = 40

// mavenErrors returns Maven's [ERROR] and [FATAL] lines without the generic
// advice Maven appends to every failure, or the end of the output when
// there are none (Maven could not start).
func mavenErrors(output string) string {
	var kept []string
	for _, line := range strings.Split(output, "\n") {
		line = strings.TrimRight(line, " \r")
		body, isErr := strings.CutPrefix(line, "[ERROR]")
		if !isErr {
			if body, isErr = strings.CutPrefix(line, "[FATAL]"); !isErr {
				continue
			}
		}
		body = strings.TrimSpace(strings.TrimSuffix(body, "-> [Help 1]"))
		if body == "" || mavenIsNoise(body) {
			continue
		}
		kept = append(kept, strings.TrimSuffix(line, " -> [Help 1]"))
	}
	if len(kept) == 0 {
		return mavenLastLines(output, 15)
	}
	kept = withoutCompilerSummary(kept)
	if len(kept) > maxMavenErrorLines {
		more := len(kept) - maxMavenErrorLines
		kept = append(kept[:maxMavenErrorLines], fmt.Sprintf("... (%d more lines)", more))
	}
	return strings.Join(kept, "\n")
}

// withoutCompilerSummary drops the "COMPILATION ERROR :" block that the
// compiler plugin prints before failing, when the "Compilation failure"
// block after it repeats the same errors with their details.
func withoutCompilerSummary(lines []string) []string {
	start := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "COMPILATION ERROR :") })
	if start < 0 {
		return lines
	}
	end := slices.IndexFunc(lines[start:], func(l string) bool { return strings.Contains(l, "Compilation failure") })
	if end < 0 {
		return lines
	}
	return append(lines[:start:start], lines[start+end:]...)
}

// javaReleaseUnsupported matches javac's refusal to compile for a Java newer
// than itself ("release version 21 not supported", "invalid target release: 21").
var javaReleaseUnsupported = regexp.MustCompile(`release version (\d+) not supported|invalid (?:target|source) release: (?:1\.)?(\d+)`)

// mavenFix says how to fix the Maven failure whose output this is.
func mavenFix(output string, rt Runtime, hostJava int) string {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(output, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("Non-parseable POM", "Non-readable POM", "Some problems were encountered while processing the POMs", "The build could not read"):
		return "fix pom.xml: Maven cannot read it (the lines above say where)"
	case javaReleaseUnsupported.MatchString(output):
		m := javaReleaseUnsupported.FindStringSubmatch(output)
		want := m[1] + m[2]
		jdk := "the JDK that runs mvn"
		if hostJava > 0 {
			jdk += " (Java " + strconv.Itoa(hostJava) + ")"
		}
		return fmt.Sprintf("%s cannot compile for Java %s: point JAVA_HOME at a JDK %s or newer, or lower maven.compiler.release (runtime %s runs Java %d)",
			jdk, want, want, rt, runtimeJava(rt))
	case has("Source option", "Target option") && has("no longer supported"):
		return "set maven.compiler.release to " + strconv.Itoa(runtimeJava(rt)) + " in pom.xml's <properties> (the compiler plugin's default is too old for this JDK)"
	case has("COMPILATION ERROR", "Compilation failure"):
		return "fix the compile errors above (osa compiles with `mvn package -DskipTests`)"
	case has("offline") && has("Could not", "could not"):
		return "Maven is offline and ~/.m2 lacks an artifact: build once with network access to Maven's repositories"
	case has("Could not resolve dependencies", "Could not find artifact", "Could not transfer artifact", "was not found in",
		"Non-resolvable parent POM", "Failed to read artifact descriptor", "could not be resolved", "Unresolveable build extension"):
		fix := "check the coordinates (groupId:artifactId:version) named above in pom.xml, and that Maven reaches its repositories (network, proxy, mirrors in ~/.m2/settings.xml)"
		if has("cached in the local repository") {
			fix += "; Maven remembers a failed download for a day: add -U once (`mvn -U dependency:resolve`) after fixing it"
		}
		return fix
	}
	return "fix the Maven error above; `mvn -B package dependency:copy-dependencies -DskipTests` in the function directory shows the whole output"
}

// mavenStripANSI removes terminal colour sequences, which some Maven
// distributions print even in batch mode.
func mavenStripANSI(s string) string {
	return mavenANSISequence.ReplaceAllString(s, "")
}

var mavenANSISequence = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// mavenLastLines returns the last n non-blank lines of s.
func mavenLastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimRight(l, "\r"))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
