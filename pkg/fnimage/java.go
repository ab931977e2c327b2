package fnimage

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// javaRuntime builds Java functions as fn's java runtimes (java8, java11,
// java17, java21) do (fn-contract.md §1.6): Maven packages the project and
// copies its runtime-scope dependencies, and every resulting jar goes to
// /function/app/ on top of the run image, whose own entrypoint (the FDK's
// `java ... com.fnproject.fn.runtime.EntryPoint`) is kept; func.yaml's cmd
// (`Class::method`) becomes the image's Cmd.
//
// It differs from fn's Dockerfile where that makes the result reproducible or
// faster, not different in behaviour:
//   - Maven runs on the build machine (`mvn` from PATH, its JDK, the user's
//     ~/.m2 and settings.xml) instead of in fn-java-fdk-build, in a copy of
//     pom.xml and src/ (the only files fn's Dockerfile adds);
//   - one `mvn -B package dependency:copy-dependencies` replaces fn's two
//     passes; tests are skipped (-DskipTests), where fn's second
//     `mvn package` runs them: run `mvn test` in CI instead;
//   - the dependency jars are one layer, cached by pom.xml and the Maven and
//     JDK versions, and the function's own jars another, so a source-only
//     rebuild runs only `mvn package` and uploads only the small layer;
//   - the function's jars are rewritten with sorted entries, fixed times and
//     no build-machine details, so that two builds give the same bytes;
//   - Java bytecode runs on any platform: Maven runs once per build and every
//     platform gets the same layers.
type javaRuntime struct{}

var _ runtimeBuilder = javaRuntime{}

// javaAppDir is where fn puts the function's jars and its dependencies
// (`COPY --from=build-stage /function/target/*.jar /function/app/`).
const javaAppDir = functionDir + "/app"

// javaCacheFormat versions the dependency layer's cache key: change it when
// the way the layer is made changes.
const javaCacheFormat = "java-dependencies-v1"

func (javaRuntime) env() []string { return nil }

func (javaRuntime) layers(ctx context.Context, j *job, _ target) ([]layerSpec, error) {
	b, err := javaBuildFor(ctx, j)
	if err != nil {
		return nil, err
	}
	return []layerSpec{
		{
			cacheKey:  b.depsKey,
			produce:   b.dependencyEntries,
			createdBy: fmt.Sprintf("osa build: mvn dependency:copy-dependencies -DincludeScope=runtime -Dmdep.prependGroupId=true to %s/ (%s)", javaAppDir, j.runtime),
		},
		{
			produce:   b.appEntries,
			createdBy: fmt.Sprintf("osa build: mvn package, target/*.jar to %s/ (%s)", javaAppDir, j.runtime),
		},
	}, nil
}

// javaBuild is the Maven build of one job, shared by its platforms: layers
// is called once per platform, possibly at the same time, and Maven runs at
// most once for all of them.
type javaBuild struct {
	o       *options
	dir     string // the function directory
	runtime Runtime
	cmd     []string // func.yaml's cmd, split

	mvn     mavenInfo
	depsKey string // the dependency layer's cache key

	project string // the copy of pom.xml and src/ that Maven builds
	deps    string // where copy-dependencies puts the dependency jars
	app     string // the function's jars, normalised

	mu       sync.Mutex
	packaged bool  // `mvn package` has run
	copied   bool  // `mvn dependency:copy-dependencies` has run
	err      error // the first Maven failure, returned to every caller
	appJars  []string
	warned   bool // the Java version check has warned
}

type javaBuildOnce struct {
	once sync.Once
	b    *javaBuild
	err  error
}

// javaBuildFor returns the job's javaBuild, checking the inputs and probing
// Maven the first time it is called for the job.
func javaBuildFor(ctx context.Context, j *job) (*javaBuild, error) {
	v, _ := j.shared.LoadOrStore("java", &javaBuildOnce{})
	e := v.(*javaBuildOnce)
	e.once.Do(func() { e.b, e.err = newJavaBuild(ctx, j) })
	return e.b, e.err
}

// newJavaBuild checks the function's Maven project, warns about a Java
// version the run image cannot run, finds Maven and copies the project to
// the job's scratch directory.
func newJavaBuild(ctx context.Context, j *job) (*javaBuild, error) {
	pom, err := j.checkJavaProject()
	if err != nil {
		return nil, err
	}
	if cmd := j.fn.CmdArgs(); len(cmd) > 0 && !isJavaHandler(cmd[0]) {
		j.o.logger.Warn("func.yaml's cmd should name the function as Class::method, which the Java FDK runs", "cmd", j.fn.Cmd, "file", j.fn.Path)
	}
	b := &javaBuild{
		o:       j.o,
		dir:     j.dir,
		runtime: j.runtime,
		cmd:     j.fn.CmdArgs(),
		project: filepath.Join(j.tmp, "java", "project"),
		deps:    filepath.Join(j.tmp, "java", "dependencies"),
		app:     filepath.Join(j.tmp, "java", "app"),
	}
	if target, runs := pomJavaTarget(pom), runtimeJava(j.runtime); target.version > runs {
		b.warned = true
		j.o.logger.Warn(fmt.Sprintf("pom.xml compiles for Java %d (%s), but runtime %s runs Java %d: the function would fail at start with UnsupportedClassVersionError",
			target.version, target.from, j.runtime, runs),
			"fix", fmt.Sprintf("set maven.compiler.release to %d or lower, or use runtime java%d with its run image", runs, target.version))
	}
	if b.mvn, err = probeMaven(ctx, j.runtime); err != nil {
		return nil, err
	}
	b.depsKey = cacheKey(javaCacheFormat, j.runtime.String(), string(pom), b.mvn.version, strings.Join(mavenDependencyFlags, " "))
	if err := j.copyJavaProject(b.project); err != nil {
		return nil, err
	}
	return b, nil
}

// checkJavaProject requires a pom.xml and a src/ directory that the build
// context includes (fn's Dockerfile adds exactly these two), and returns the
// content of pom.xml.
func (j *job) checkJavaProject() ([]byte, error) {
	pomPath := filepath.Join(j.dir, "pom.xml")
	if !isRegular(pomPath) {
		return nil, &ContextError{Path: pomPath, Problem: "missing: the " + j.runtime.String() + " runtime builds a Maven project, as fn does",
			Fix: "add a pom.xml that depends on com.fnproject.fn:api (see examples/hello-java), or run `fn init --runtime " + j.runtime.String() + "` in an empty directory and copy its pom.xml"}
	}
	var havePOM, haveSrc bool
	for _, f := range j.files {
		switch {
		case f.Rel == "pom.xml":
			havePOM = true
		case f.Rel == "src" && f.Mode.IsDir():
			haveSrc = true
		}
	}
	if !havePOM {
		return nil, &ContextError{Path: pomPath, Problem: "excluded by .dockerignore, but the build needs it",
			Fix: "remove the pattern that matches pom.xml from .dockerignore"}
	}
	if !haveSrc {
		return nil, &ContextError{Path: filepath.Join(j.dir, "src"), Problem: "missing or excluded by .dockerignore: fn's Dockerfile adds src/ to the Maven build",
			Fix: "put the function's sources in src/main/java/ (Maven's layout), and make sure .dockerignore does not exclude src"}
	}
	data, err := os.ReadFile(pomPath)
	if err != nil {
		return nil, &ContextError{Path: pomPath, Problem: "cannot be read", Fix: "make pom.xml readable", Err: err}
	}
	return data, nil
}

// copyJavaProject copies pom.xml and src/ of the build context (after
// .dockerignore) to dst, the directory Maven builds in, so that the build
// sees what fn's `ADD pom.xml` and `ADD src` would and never writes to the
// function directory.
func (j *job) copyJavaProject(dst string) error {
	for _, f := range j.files {
		if f.Rel != "pom.xml" && f.Rel != "src" && !strings.HasPrefix(f.Rel, "src/") {
			continue
		}
		to := filepath.Join(dst, filepath.FromSlash(f.Rel))
		from := filepath.Join(j.dir, filepath.FromSlash(f.Rel))
		var err error
		switch {
		case f.Mode.IsDir():
			err = os.MkdirAll(to, 0o755)
		case f.Mode&fs.ModeSymlink != 0:
			if err = os.MkdirAll(filepath.Dir(to), 0o755); err == nil {
				err = os.Symlink(f.LinkTarget, to)
			}
		default:
			if err = os.MkdirAll(filepath.Dir(to), 0o755); err == nil {
				err = copyJavaFile(from, to)
			}
		}
		if err != nil {
			return &ContextError{Path: from, Problem: "cannot be copied to the Maven build directory", Fix: "make it readable", Err: err}
		}
	}
	return nil
}

// dependencyEntries returns the dependency layer: every jar that
// copy-dependencies copied, under /function/app/. It runs Maven if no other
// platform has yet, with `package` too, since the function's layer comes next.
func (b *javaBuild) dependencyEntries(ctx context.Context) ([]layerEntry, error) {
	if err := b.ensure(ctx, true); err != nil {
		return nil, err
	}
	jars, err := jarsIn(b.deps)
	if err != nil {
		return nil, err
	}
	entries := []layerEntry{{path: imagePath(javaAppDir), mode: fs.ModeDir | 0o755}}
	for _, jar := range jars {
		entries = append(entries, layerEntry{path: imagePath(javaAppDir + "/" + filepath.Base(jar)), mode: 0o644, src: jar})
	}
	return entries, nil
}

// appEntries returns the function's layer: its own jars (target/*.jar),
// normalised, under /function/app/. When the dependency layer came from the
// cache, only `mvn package` runs.
func (b *javaBuild) appEntries(ctx context.Context) ([]layerEntry, error) {
	if err := b.ensure(ctx, false); err != nil {
		return nil, err
	}
	entries := make([]layerEntry, 0, len(b.appJars))
	for _, jar := range b.appJars {
		entries = append(entries, layerEntry{path: imagePath(javaAppDir + "/" + filepath.Base(jar)), mode: 0o644, src: jar})
	}
	return entries, nil
}

// ensure runs what Maven has not run yet for this build: `package` always,
// `dependency:copy-dependencies` when deps is true. Concurrent callers wait
// for one another; a failure is kept and returned to every later caller.
func (b *javaBuild) ensure(ctx context.Context, deps bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return b.err
	}
	pkg, cp := !b.packaged, deps && !b.copied
	if !pkg && !cp {
		return nil
	}
	if err := b.runMaven(ctx, pkg, cp); err != nil {
		b.err = err
		return err
	}
	if cp {
		b.copied = true
	}
	if pkg {
		b.packaged = true
		if err := b.collectAppJars(); err != nil {
			b.err = err
			return err
		}
	}
	return nil
}

// collectAppJars normalises target/*.jar into b.app and checks the Java
// version they were compiled for.
func (b *javaBuild) collectAppJars() error {
	built, err := jarsIn(filepath.Join(b.project, "target"))
	if err != nil {
		return err
	}
	if len(built) == 0 {
		return &BuildError{Runtime: b.runtime.String(), Platform: "all", Step: "mvn package",
			Err: fmt.Errorf("no jar in target/"),
			Fix: "fn copies target/*.jar to /function/app/: build a jar (<packaging>jar</packaging>, the default) with the function's classes"}
	}
	if err := os.MkdirAll(b.app, 0o755); err != nil {
		return err
	}
	for _, src := range built {
		dst := filepath.Join(b.app, filepath.Base(src))
		res, err := normaliseJar(src, dst, b.o.creationTime)
		if err != nil {
			return fmt.Errorf("normalising %s: %w", filepath.Base(src), err)
		}
		if res.signed {
			b.o.logger.Warn("the jar is signed, so osa keeps it as Maven wrote it; it may differ between builds", "jar", filepath.Base(src))
		}
		if runs := runtimeJava(b.runtime); !b.warned && res.classMajor > 0 && javaOfClass(res.classMajor) > runs {
			b.warned = true
			b.o.logger.Warn(fmt.Sprintf("%s holds classes for Java %d (class file version %d), but runtime %s runs Java %d: the function would fail at start with UnsupportedClassVersionError",
				filepath.Base(src), javaOfClass(res.classMajor), res.classMajor, b.runtime, runs),
				"fix", fmt.Sprintf("set maven.compiler.release to %d in pom.xml", runs))
		}
		b.appJars = append(b.appJars, dst)
	}
	return b.checkHandlerClass()
}

// checkHandlerClass warns when no jar holds the class that func.yaml's cmd
// names, which the FDK would fail to load at start. The dependencies are
// searched too when this build copied them; when their layer came from the
// cache, a class that is not in the function's own jars is given the benefit
// of the doubt.
func (b *javaBuild) checkHandlerClass() error {
	if len(b.cmd) == 0 || !isJavaHandler(b.cmd[0]) {
		return nil
	}
	class, _, _ := strings.Cut(b.cmd[0], "::")
	entry := strings.ReplaceAll(class, ".", "/") + ".class"
	jars := b.appJars
	if b.copied {
		deps, err := jarsIn(b.deps)
		if err != nil {
			return err
		}
		jars = append(append([]string(nil), jars...), deps...)
	}
	for _, jar := range jars {
		found, err := jarHasEntry(jar, entry)
		if err != nil {
			return fmt.Errorf("reading %s: %w", filepath.Base(jar), err)
		}
		if found {
			return nil
		}
	}
	if b.copied {
		b.o.logger.Warn(fmt.Sprintf("func.yaml's cmd names class %s, which is in none of the function's jars and dependencies: the FDK would fail to load it at start", class),
			"fix", "correct cmd in func.yaml (package.Class::method), or the class's package and name")
	}
	return nil
}

// jarsIn lists the *.jar regular files directly in dir, sorted; a missing
// dir has none.
func jarsIn(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, de := range des {
		if de.Type().IsRegular() && strings.HasSuffix(de.Name(), ".jar") {
			out = append(out, filepath.Join(dir, de.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// runtimeJava returns the Java version the runtime's run image runs: its
// version for java8 to java21, 11 for kotlin (fn's kotlin images are the
// jre11 ones).
func runtimeJava(rt Runtime) int {
	if rt.Lang == "kotlin" {
		return 11
	}
	return javaMajor(rt.Version)
}

// isJavaHandler reports whether cmd looks like the FDK's `Class::method`.
func isJavaHandler(cmd string) bool {
	class, method, ok := strings.Cut(cmd, "::")
	return ok && class != "" && method != "" && !strings.ContainsAny(class, "/:") && !strings.ContainsAny(method, ".:/()")
}

// copyJavaFile copies the regular file from to a new file to.
func copyJavaFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // read-only
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
