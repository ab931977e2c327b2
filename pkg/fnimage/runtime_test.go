package fnimage

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRuntime(t *testing.T) {
	t.Parallel()
	goVers := []string{"go1.24", "go1.23"}
	pyVers := []string{"python3.12", "python3.11"}
	nodeVers := []string{"node24", "node22"}
	rubyVers := []string{"ruby3.3"}
	dotnetVers := []string{"dotnet9.0", "dotnet8.0"}
	tests := []struct {
		in      string
		want    Runtime
		wantErr *RuntimeError
	}{
		// Every supported version.
		{in: "go1.24", want: Runtime{"go", "1.24"}},
		{in: "go1.23", want: Runtime{"go", "1.23"}},
		{in: "python3.12", want: Runtime{"python", "3.12"}},
		{in: "python3.11", want: Runtime{"python", "3.11"}},
		{in: "node24", want: Runtime{"node", "24"}},
		{in: "node22", want: Runtime{"node", "22"}},
		{in: "java21", want: Runtime{"java", "21"}},
		{in: "java17", want: Runtime{"java", "17"}},
		{in: "java11", want: Runtime{"java", "11"}},
		{in: "java8", want: Runtime{"java", "8"}},
		{in: "ruby3.3", want: Runtime{"ruby", "3.3"}},
		{in: "dotnet9.0", want: Runtime{"dotnet", "9.0"}},
		{in: "dotnet8.0", want: Runtime{"dotnet", "8.0"}},
		{in: "kotlin", want: Runtime{"kotlin", ""}},
		{in: "docker", want: Runtime{"docker", ""}},
		// Bare names resolve to OCI's default version.
		{in: "go", want: Runtime{"go", "1.24"}},
		{in: "python", want: Runtime{"python", "3.12"}},
		{in: "node", want: Runtime{"node", "22"}},
		{in: "java", want: Runtime{"java", "17"}},
		{in: "ruby", want: Runtime{"ruby", "3.3"}},
		{in: "dotnet", want: Runtime{"dotnet", "9.0"}},
		// Retired versions.
		{in: "python3.9", wantErr: &RuntimeError{Runtime: "python3.9", Kind: RuntimeRetired, Supported: pyVers}},
		{in: "python3.8", wantErr: &RuntimeError{Runtime: "python3.8", Kind: RuntimeRetired, Supported: pyVers}},
		{in: "python3.8.5", wantErr: &RuntimeError{Runtime: "python3.8.5", Kind: RuntimeRetired, Supported: pyVers}},
		{in: "python3.7.1", wantErr: &RuntimeError{Runtime: "python3.7.1", Kind: RuntimeRetired, Supported: pyVers}},
		{in: "python3.6", wantErr: &RuntimeError{Runtime: "python3.6", Kind: RuntimeRetired, Supported: pyVers}},
		{in: "node20", wantErr: &RuntimeError{Runtime: "node20", Kind: RuntimeRetired, Supported: nodeVers}},
		{in: "node18", wantErr: &RuntimeError{Runtime: "node18", Kind: RuntimeRetired, Supported: nodeVers}},
		{in: "node11", wantErr: &RuntimeError{Runtime: "node11", Kind: RuntimeRetired, Supported: nodeVers}},
		{in: "go1.22", wantErr: &RuntimeError{Runtime: "go1.22", Kind: RuntimeRetired, Supported: goVers}},
		{in: "go1.20", wantErr: &RuntimeError{Runtime: "go1.20", Kind: RuntimeRetired, Supported: goVers}},
		{in: "go1.11", wantErr: &RuntimeError{Runtime: "go1.11", Kind: RuntimeRetired, Supported: goVers}},
		{in: "ruby3.1", wantErr: &RuntimeError{Runtime: "ruby3.1", Kind: RuntimeRetired, Supported: rubyVers}},
		{in: "ruby2.7", wantErr: &RuntimeError{Runtime: "ruby2.7", Kind: RuntimeRetired, Supported: rubyVers}},
		{in: "ruby2.5", wantErr: &RuntimeError{Runtime: "ruby2.5", Kind: RuntimeRetired, Supported: rubyVers}},
		{in: "dotnet3.1", wantErr: &RuntimeError{Runtime: "dotnet3.1", Kind: RuntimeRetired, Supported: dotnetVers}},
		// Versions never supported.
		{in: "go1.25", wantErr: &RuntimeError{Runtime: "go1.25", Kind: RuntimeUnsupportedVersion, Supported: goVers}},
		{in: "go1.10", wantErr: &RuntimeError{Runtime: "go1.10", Kind: RuntimeUnsupportedVersion, Supported: goVers}},
		{in: "python3.13", wantErr: &RuntimeError{Runtime: "python3.13", Kind: RuntimeUnsupportedVersion, Supported: pyVers}},
		{in: "python3", wantErr: &RuntimeError{Runtime: "python3", Kind: RuntimeUnsupportedVersion, Supported: pyVers}},
		{in: "node23", wantErr: &RuntimeError{Runtime: "node23", Kind: RuntimeUnsupportedVersion, Supported: nodeVers}},
		{in: "java9", wantErr: &RuntimeError{Runtime: "java9", Kind: RuntimeUnsupportedVersion,
			Supported: []string{"java21", "java17", "java11", "java8"}}},
		{in: "dotnet6.0", wantErr: &RuntimeError{Runtime: "dotnet6.0", Kind: RuntimeUnsupportedVersion, Supported: dotnetVers}},
		{in: "kotlin1.9", wantErr: &RuntimeError{Runtime: "kotlin1.9", Kind: RuntimeUnsupportedVersion, Supported: []string{"kotlin"}}},
		{in: "docker2", wantErr: &RuntimeError{Runtime: "docker2", Kind: RuntimeUnsupportedVersion, Supported: []string{"docker"}}},
		// Unknown, with and without a suggestion.
		{in: "pyhton3.11", wantErr: &RuntimeError{Runtime: "pyhton3.11", Kind: RuntimeUnknown, Suggestion: "python3.11", Supported: KnownRuntimes()}},
		{in: "Python3.11", wantErr: &RuntimeError{Runtime: "Python3.11", Kind: RuntimeUnknown, Suggestion: "python3.11", Supported: KnownRuntimes()}},
		{in: "nodejs", wantErr: &RuntimeError{Runtime: "nodejs", Kind: RuntimeUnknown, Suggestion: "node", Supported: KnownRuntimes()}},
		{in: "golang", wantErr: &RuntimeError{Runtime: "golang", Kind: RuntimeUnknown, Supported: KnownRuntimes()}},
		{in: "rust", wantErr: &RuntimeError{Runtime: "rust", Kind: RuntimeUnknown, Supported: KnownRuntimes()}},
		{in: "", wantErr: &RuntimeError{Runtime: "", Kind: RuntimeUnknown, Supported: KnownRuntimes()}},
	}
	for _, tc := range tests {
		got, err := ParseRuntime(tc.in)
		if tc.wantErr == nil {
			if err != nil || got != tc.want {
				t.Errorf("ParseRuntime(%q) = %v, %v; want %v, nil", tc.in, got, err, tc.want)
			}
			if again, err := ParseRuntime(got.String()); err != nil || again != got {
				t.Errorf("ParseRuntime(%q) = %v, %v; want %v (round trip)", got.String(), again, err, got)
			}
			continue
		}
		var re *RuntimeError
		if !errors.As(err, &re) {
			t.Errorf("ParseRuntime(%q) error = %v, want *RuntimeError", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.wantErr, re); diff != "" {
			t.Errorf("ParseRuntime(%q) error mismatch (-want +got):\n%s", tc.in, diff)
		}
		if got != (Runtime{}) {
			t.Errorf("ParseRuntime(%q) = %v with an error, want the zero Runtime", tc.in, got)
		}
	}
}

func TestRuntimeErrorError(t *testing.T) {
	t.Parallel()
	_, err := ParseRuntime("node20")
	want := `runtime "node20" is retired: OCI Functions no longer supports it (use one of: node24, node22, and change build_image/run_image to match)`
	if err == nil || err.Error() != want {
		t.Errorf("ParseRuntime(node20) error = %v, want %q", err, want)
	}
}

func TestRuntimeDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rt                  string
		run, build, ep, cmd string
	}{
		{"go1.24", "fnproject/go:1.24", "fnproject/go:1.24-dev", "./func", ""},
		{"go1.23", "fnproject/go:1.23", "fnproject/go:1.23-dev", "./func", ""},
		{"python3.11", "fnproject/python:3.11", "fnproject/python:3.11-dev", "/python/bin/fdk /function/func.py handler", ""},
		{"python", "fnproject/python:3.12", "fnproject/python:3.12-dev", "/python/bin/fdk /function/func.py handler", ""},
		{"node22", "fnproject/node:22", "fnproject/node:22-dev", "node func.js", ""},
		{"node24", "fnproject/node:24", "fnproject/node:24-dev", "node func.js", ""},
		{"java17", "fnproject/fn-java-fdk:jre17-" + JavaFDKVersion, "fnproject/fn-java-fdk-build:jdk17-" + JavaFDKVersion, "", "com.example.fn.HelloFunction::handleRequest"},
		{"java21", "fnproject/fn-java-fdk:jre21-" + JavaFDKVersion, "fnproject/fn-java-fdk-build:jdk21-" + JavaFDKVersion, "", "com.example.fn.HelloFunction::handleRequest"},
		{"java8", "fnproject/fn-java-fdk:" + JavaFDKVersion, "fnproject/fn-java-fdk-build:" + JavaFDKVersion, "", "com.example.fn.HelloFunction::handleRequest"},
		{"kotlin", "fnproject/fn-java-fdk:jre11-" + JavaFDKVersion, "fnproject/fn-java-fdk-build:jdk11-" + JavaFDKVersion, "", "com.fn.example.HelloFunctionKt::hello"},
		{"ruby3.3", "fnproject/ruby:3.3", "fnproject/ruby:3.3-dev", "ruby func.rb", ""},
		{"dotnet9.0", "fnproject/dotnet:9.0-" + DotnetFDKVersion, "fnproject/dotnet:9.0-" + DotnetFDKVersion + "-dev", "dotnet Function.dll", "Function:Greeter:greet"},
		{"docker", "", "", "", ""},
	}
	for _, tc := range tests {
		rt, err := ParseRuntime(tc.rt)
		if err != nil {
			t.Fatal(err)
		}
		if got := rt.DefaultRunImage(); got != tc.run {
			t.Errorf("%v.DefaultRunImage() = %q, want %q", rt, got, tc.run)
		}
		if got := rt.DefaultBuildImage(); got != tc.build {
			t.Errorf("%v.DefaultBuildImage() = %q, want %q", rt, got, tc.build)
		}
		if ep, cmd := rt.DefaultEntrypoint(); ep != tc.ep || cmd != tc.cmd {
			t.Errorf("%v.DefaultEntrypoint() = %q, %q; want %q, %q", rt, ep, cmd, tc.ep, tc.cmd)
		}
	}
	var zero Runtime
	if zero.String() != "" || zero.DefaultRunImage() != "" || zero.DefaultBuildImage() != "" {
		t.Errorf("zero Runtime: String, DefaultRunImage, DefaultBuildImage = %q, %q, %q; want empty",
			zero.String(), zero.DefaultRunImage(), zero.DefaultBuildImage())
	}
}

func TestKnownRuntimes(t *testing.T) {
	t.Parallel()
	want := []string{"go", "go1.24", "go1.23", "python", "python3.12", "python3.11", "node", "node24", "node22",
		"java", "java21", "java17", "java11", "java8", "ruby", "ruby3.3", "dotnet", "dotnet9.0", "dotnet8.0", "kotlin", "docker"}
	if diff := cmp.Diff(want, KnownRuntimes()); diff != "" {
		t.Errorf("KnownRuntimes() mismatch (-want +got):\n%s", diff)
	}
	for _, s := range KnownRuntimes() {
		if _, err := ParseRuntime(s); err != nil {
			t.Errorf("ParseRuntime(%q) = %v; KnownRuntimes lists it", s, err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"pyhton", "python", 1}, {"timout", "timeout", 1}, {"ab", "ba", 1}, {"go", "go", 0},
	}
	for _, tc := range tests {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
