package fnimage

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Maven output as Maven 3.8 prints it in batch mode (trimmed), for the
// parsers below.
const (
	mavenCompileFailure = `[INFO] Scanning for projects...
[INFO] --- maven-compiler-plugin:3.13.0:compile (default-compile) @ hello ---
[INFO] Compiling 1 source file with javac [debug release 17] to target/classes
[INFO] -------------------------------------------------------------
[ERROR] COMPILATION ERROR : 
[INFO] -------------------------------------------------------------
[ERROR] /fn/src/main/java/com/example/fn/HelloFunction.java:[5,16] cannot find symbol
  symbol:   variable undefinedName
  location: class com.example.fn.HelloFunction
[INFO] 1 error
[INFO] -------------------------------------------------------------
[INFO] BUILD FAILURE
[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile (default-compile) on project hello: Compilation failure
[ERROR] /fn/src/main/java/com/example/fn/HelloFunction.java:[5,16] cannot find symbol
[ERROR]   symbol:   variable undefinedName
[ERROR]   location: class com.example.fn.HelloFunction
[ERROR] 
[ERROR] -> [Help 1]
[ERROR] 
[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.
[ERROR] Re-run Maven using the -X switch to enable full debug logging.
[ERROR] 
[ERROR] For more information about the errors and possible solutions, please read the following articles:
[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/MojoFailureException
`
	mavenMissingArtifact = `[INFO] Scanning for projects...
[INFO] BUILD FAILURE
[ERROR] Failed to execute goal on project hello: Could not resolve dependencies for project com.example.fn:hello:jar:1.0.0: Could not find artifact com.example:nope:jar:1.0 in central (https://repo.maven.apache.org/maven2) -> [Help 1]
[ERROR] 
[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.
[ERROR] Re-run Maven using the -X switch to enable full debug logging.
[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/DependencyResolutionException
`
	mavenCachedMiss = `[ERROR] Failed to execute goal on project hello: Could not resolve dependencies for project com.example.fn:hello:jar:1.0.0: com.example:nope:jar:1.0 was not found in https://repo.maven.apache.org/maven2 during a previous attempt. This failure was cached in the local repository and resolution is not reattempted until the update interval of central has elapsed or updates are forced -> [Help 1]
`
	mavenBadPOM = `[ERROR] [ERROR] Some problems were encountered while processing the POMs:
[FATAL] Non-readable POM /fn/pom.xml: no more data available @3:1 @ 
 @ 
[ERROR] The build could not read 1 project -> [Help 1]
[ERROR]   
[ERROR]   The project  (/fn/pom.xml) has 1 error
[ERROR]     Non-readable POM /fn/pom.xml: no more data available @3:1
[ERROR] 
[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.
`
	mavenNewRelease = `[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile (default-compile) on project hello: Fatal error compiling: error: release version 21 not supported -> [Help 1]
`
	mavenOldTarget = `[ERROR] COMPILATION ERROR : 
[ERROR] Source option 5 is no longer supported. Use 7 or later.
[ERROR] Target option 5 is no longer supported. Use 7 or later.
[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.1:compile (default-compile) on project hello: Compilation failure: Compilation failure: 
[ERROR] Source option 5 is no longer supported. Use 7 or later.
[ERROR] Target option 5 is no longer supported. Use 7 or later.
`
	mavenOffline = `[ERROR] Failed to execute goal on project hello: Could not resolve dependencies for project com.example.fn:hello:jar:1.0.0: Cannot access central (https://repo.maven.apache.org/maven2) in offline mode and the artifact com.fnproject.fn:api:jar:1.0.212 has not been downloaded from it before. -> [Help 1]
`
)

func TestMavenErrors(t *testing.T) {
	t.Parallel()
	var long strings.Builder
	for i := range 50 {
		fmt.Fprintf(&long, "[ERROR] line %d\n", i)
	}
	for _, tc := range []struct {
		name, output, want string
	}{
		{
			name:   "compile failure: the details once, without Maven's advice",
			output: mavenCompileFailure,
			want: "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:compile (default-compile) on project hello: Compilation failure\n" +
				"[ERROR] /fn/src/main/java/com/example/fn/HelloFunction.java:[5,16] cannot find symbol\n" +
				"[ERROR]   symbol:   variable undefinedName\n" +
				"[ERROR]   location: class com.example.fn.HelloFunction",
		},
		{
			name:   "missing artifact",
			output: mavenMissingArtifact,
			want:   "[ERROR] Failed to execute goal on project hello: Could not resolve dependencies for project com.example.fn:hello:jar:1.0.0: Could not find artifact com.example:nope:jar:1.0 in central (https://repo.maven.apache.org/maven2)",
		},
		{
			name:   "unreadable pom: [FATAL] lines too",
			output: mavenBadPOM,
			want: "[ERROR] [ERROR] Some problems were encountered while processing the POMs:\n" +
				"[FATAL] Non-readable POM /fn/pom.xml: no more data available @3:1 @\n" +
				"[ERROR] The build could not read 1 project\n" +
				"[ERROR]   The project  (/fn/pom.xml) has 1 error\n" +
				"[ERROR]     Non-readable POM /fn/pom.xml: no more data available @3:1",
		},
		{
			name:   "Maven could not start: the end of its output",
			output: "\nError: JAVA_HOME is not defined correctly.\n  We cannot execute /nope/bin/java\n",
			want:   "Error: JAVA_HOME is not defined correctly.\n  We cannot execute /nope/bin/java",
		},
		{
			name:   "long output is cut",
			output: long.String(),
			want:   strings.Join(strings.Split(strings.TrimSpace(long.String()), "\n")[:maxMavenErrorLines], "\n") + "\n... (10 more lines)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, mavenErrors(tc.output))
		})
	}
}

func TestMavenFix(t *testing.T) {
	t.Parallel()
	java17 := Runtime{Lang: "java", Version: "17"}
	for _, tc := range []struct {
		name, output string
		hostJava     int
		want         []string
	}{
		{"compile failure", mavenCompileFailure, 17, []string{"fix the compile errors above"}},
		{"missing artifact", mavenMissingArtifact, 17, []string{"coordinates (groupId:artifactId:version)", "settings.xml"}},
		{"failure cached by Maven", mavenCachedMiss, 17, []string{"coordinates", "-U"}},
		{"unreadable pom", mavenBadPOM, 17, []string{"fix pom.xml"}},
		{"release newer than the JDK", mavenNewRelease, 17, []string{"(Java 17) cannot compile for Java 21", "JAVA_HOME at a JDK 21 or newer", "runtime java17 runs Java 17"}},
		{"compiler plugin default too old", mavenOldTarget, 17, []string{"set maven.compiler.release to 17"}},
		{"offline", mavenOffline, 17, []string{"offline", "network"}},
		{"anything else", "[ERROR] Failed to execute goal com.example:odd-plugin:1.0:go: boom", 17, []string{"mvn -B package dependency:copy-dependencies -DskipTests"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fix := mavenFix(tc.output, java17, tc.hostJava)
			for _, w := range tc.want {
				require.Contains(t, fix, w)
			}
		})
	}
}

func TestParseMavenVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, output string
		want         mavenInfo
	}{
		{
			name: "Debian's Maven 3.8 with colour codes",
			output: "\x1b[1mApache Maven 3.8.7\x1b[m\nMaven home: /usr/share/maven\n" +
				"Java version: 17.0.15, vendor: Debian, runtime: /usr/lib/jvm/java-17-openjdk-amd64\n" +
				"Default locale: en, platform encoding: UTF-8\nOS name: \"linux\", version: \"6.1\", arch: \"amd64\", family: \"unix\"\x1b[0m\n",
			want: mavenInfo{version: "Apache Maven 3.8.7; Java version: 17.0.15, vendor: Debian", java: 17},
		},
		{
			name: "Java 8",
			output: "Apache Maven 3.9.9 (8e8579a9e76f7d015ee5ec7bfcdc97d260186937)\n" +
				"Java version: 1.8.0_392, vendor: Temurin, runtime: /opt/java/jre\n",
			want: mavenInfo{version: "Apache Maven 3.9.9 (8e8579a9e76f7d015ee5ec7bfcdc97d260186937); Java version: 1.8.0_392, vendor: Temurin", java: 8},
		},
		{name: "nothing recognisable", output: "mvn: command failed\n", want: mavenInfo{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, parseMavenVersion(tc.output))
		})
	}
}

func TestMavenTimestamp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Unix(0, 0), "1980-01-01T00:00:02Z"}, // Maven refuses earlier times
		{time.Date(2024, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600)), "2024-03-04T04:06:07Z"},
	} {
		require.Equal(t, tc.want, mavenTimestamp(tc.in))
	}
}

func TestPomJavaTarget(t *testing.T) {
	t.Parallel()
	pom := func(body string) string {
		return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>` + body + `</project>`
	}
	compiler := func(config string) string {
		return `<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version><configuration>` +
			config + `</configuration></plugin>`
	}
	for _, tc := range []struct {
		name, pom string
		want      javaTarget
	}{
		{"release property", pom(`<properties><maven.compiler.release>17</maven.compiler.release></properties>`),
			javaTarget{17, "maven.compiler.release=17"}},
		{"target property, Java 8 spelling", pom(`<properties><maven.compiler.source>1.8</maven.compiler.source><maven.compiler.target>1.8</maven.compiler.target></properties>`),
			javaTarget{8, "maven.compiler.target=1.8"}},
		{"the release property wins over the plugin's target", pom(`<properties><maven.compiler.release>11</maven.compiler.release></properties><build><plugins>` +
			compiler(`<target>17</target>`) + `</plugins></build>`),
			javaTarget{11, "maven.compiler.release=11"}},
		{"the plugin's release wins over the property", pom(`<properties><maven.compiler.release>17</maven.compiler.release></properties><build><plugins>` +
			compiler(`<release>21</release>`) + `</plugins></build>`),
			javaTarget{21, "maven-compiler-plugin <release>21</release>"}},
		{"plugin management", pom(`<build><pluginManagement><plugins>` + compiler(`<source>11</source><target>11</target>`) + `</plugins></pluginManagement></build>`),
			javaTarget{11, "maven-compiler-plugin <target>11</target>"}},
		{"a property reference", pom(`<properties><java.version>21</java.version><maven.compiler.release>${java.version}</maven.compiler.release></properties>`),
			javaTarget{21, "maven.compiler.release=${java.version}"}},
		{"a reference to a property the pom does not define", pom(`<properties><maven.compiler.release>${java.version}</maven.compiler.release></properties>`),
			javaTarget{}},
		{"another plugin's release", pom(`<build><plugins><plugin><artifactId>maven-javadoc-plugin</artifactId><configuration><release>21</release></configuration></plugin></plugins></build>`),
			javaTarget{}},
		{"nothing said", pom(`<groupId>x</groupId>`), javaTarget{}},
		{"not XML", "<project><properties>", javaTarget{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, pomJavaTarget([]byte(tc.pom)))
		})
	}
}

func TestJavaMajor(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"8": 8, "1.8": 8, "1.8.0_392": 8, "11": 11, "17": 17, "17.0.15": 17, "21": 21, " 21 ": 21,
		"": 0, "x": 0, "${java.version}": 0,
	} {
		require.Equal(t, want, javaMajor(in), "javaMajor(%q)", in)
	}
	for rt, want := range map[Runtime]int{{Lang: "java", Version: "8"}: 8, {Lang: "java", Version: "21"}: 21, {Lang: "kotlin"}: 11} {
		require.Equal(t, want, runtimeJava(rt), "runtimeJava(%s)", rt)
	}
	require.Equal(t, 8, javaOfClass(52))
	require.Equal(t, 17, javaOfClass(61))
	require.Equal(t, 21, javaOfClass(65))
}

func TestIsJavaHandler(t *testing.T) {
	t.Parallel()
	for cmd, want := range map[string]bool{
		"com.example.fn.HelloFunction::handleRequest":  true,
		"HelloFunction::handle":                        true,
		"com.example.Outer$Inner::run":                 true,
		"com.example.fn.HelloFunction":                 false,
		"com.example.fn.HelloFunction::":               false,
		"::handleRequest":                              false,
		"com/example/fn/HelloFunction::handle":         false,
		"com.example.fn.HelloFunction.handleRequest()": false,
		"./func": false,
	} {
		require.Equal(t, want, isJavaHandler(cmd), "isJavaHandler(%q)", cmd)
	}
}
