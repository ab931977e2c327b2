package fnimage

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// funcFileCases lists testdata/funcfile/<case>.yaml and <case>.json.
func funcFileCases(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.yaml", "*.json"} {
		m, err := filepath.Glob(filepath.Join("testdata", "funcfile", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no test cases in testdata/funcfile")
	}
	return files
}

// renderFuncFile is what a .golden file holds: the error, one problem per
// line, or the parsed file as indented JSON followed by its warnings.
func renderFuncFile(f *FuncFile, err error) (string, error) {
	if err != nil {
		return err.Error() + "\n", nil
	}
	b, jerr := json.MarshalIndent(f, "", "  ")
	if jerr != nil {
		return "", jerr
	}
	out := string(b) + "\n"
	for _, w := range f.Warnings {
		out += w.String() + "\n"
	}
	return out, nil
}

// TestParseFuncFileGolden parses testdata/funcfile/<case>.yaml as
// <case>/func.yaml (so that <case> is the directory name) and compares the
// result with the hand-written <case>.golden.
func TestParseFuncFileGolden(t *testing.T) {
	t.Parallel()
	for _, in := range funcFileCases(t) {
		ext := filepath.Ext(in)
		name := strings.TrimSuffix(filepath.Base(in), ext)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(in, ext) + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			filename := name + "/func" + ext
			f, perr := ParseFuncFile(filename, data)
			if perr != nil {
				var iie *InvalidInputError
				if !errors.As(perr, &iie) {
					t.Fatalf("ParseFuncFile(%q) error %T, want *InvalidInputError", filename, perr)
				}
				for _, p := range iie.Problems {
					if p.Warning || p.Line < 1 || p.Fix == "" || p.File != filename {
						t.Errorf("problem %+v: want an error with a position, a fix and File %q", p, filename)
					}
				}
			} else {
				if f.Path != filename {
					t.Errorf("Path = %q, want %q", f.Path, filename)
				}
				for _, w := range f.Warnings {
					if !w.Warning || w.Line < 1 {
						t.Errorf("warning %+v: want Warning and a position", w)
					}
				}
			}
			got, err := renderFuncFile(f, perr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("ParseFuncFile(%q) mismatch (-want +got):\n%s", filename, diff)
			}
		})
	}
}

func TestParseFuncFileMore(t *testing.T) {
	t.Parallel()
	const head = "schema_version: 20180708\nname: x\nruntime: go\nentrypoint: ./func\n"
	bigConfig := "config:\n  BIG: " + strings.Repeat("a", 4093) + "\n" // 3 + 4093 = 4096 bytes
	tests := []struct {
		name     string
		filename string
		in       string
		want     []string // Problem strings; errors, or warnings if wantOK
		wantOK   bool
		check    func(t *testing.T, f *FuncFile)
	}{{
		name: "config at the limit", filename: "x/func.yaml", in: head + bigConfig, wantOK: true,
	}, {
		name: "config over the limit", filename: "x/func.yaml", in: head + strings.Replace(bigConfig, "BIG", "BIGX", 1),
		want: []string{"x/func.yaml:5:1: config: config keys and values total 4097 bytes; OCI allows 4096 " +
			"(fix: move large values to OCI Vault secrets or Object Storage)"},
	}, {
		name: "no directory: name stays empty", filename: "func.yaml", in: head[:25] + head[33:], wantOK: true,
		check: func(t *testing.T, f *FuncFile) {
			if f.Name != "" || f.Version != "0.0.1" {
				t.Errorf("Name, Version = %q, %q; want \"\", \"0.0.1\"", f.Name, f.Version)
			}
		},
	}, {
		name: "directory name is lower-cased", filename: filepath.Join("fns", "Hello.World", "func.yaml"),
		in: head[:25] + head[33:], wantOK: true,
		check: func(t *testing.T, f *FuncFile) {
			if f.Name != "hello.world" {
				t.Errorf("Name = %q, want hello.world", f.Name)
			}
		},
	}, {
		name: "extra documents are ignored", filename: "x/func.yaml", in: head + "---\nname: other\n", wantOK: true,
		want: []string{"x/func.yaml:5:1: warning: YAML document 2 is ignored: fn reads only the first one " +
			"(fix: remove it, or merge it into the first document)"},
	}, {
		name: "merge keys", filename: "x/func.yaml", in: head + "base: &b {A: x}\nconfig:\n  <<: *b\n",
		want: []string{"x/func.yaml:7:3: config: YAML merge keys (<<) are not supported (fix: write the keys out instead of merging them)"},
	}, {
		name: "huge and negative numbers", filename: "x/func.yaml", in: head + "memory: -1\ntimeout: 99999999999999999999\n",
		want: []string{
			"x/func.yaml:5:9: memory: number -1 is out of range (fix: use one of 128, 256, 512, 1024, 2048 or 3072 MB)",
			"x/func.yaml:6:10: timeout: number 99999999999999999999 is out of range (fix: use 1 to 300 seconds)",
		},
	}, {
		name: "YAML 1.1 booleans", filename: "x/func.yaml", wantOK: true,
		in: head + "expects:\n  config:\n    - name: A\n      required: yes\n    - name: B\n      required: off\n",
		check: func(t *testing.T, f *FuncFile) {
			want := &Expects{Config: []ExpectedConfig{{Name: "A", Required: true}, {Name: "B"}}}
			if diff := cmp.Diff(want, f.Expects); diff != "" {
				t.Errorf("Expects mismatch (-want +got):\n%s", diff)
			}
		},
	}, {
		name: "docker needs no entrypoint", filename: "x/func.yaml", wantOK: true,
		in: "schema_version: 20180708\nname: x\nruntime: docker\n",
	}, {
		name: "byte order mark and CRLF", filename: "x/func.yaml", wantOK: true,
		in: "\xef\xbb\xbf" + strings.ReplaceAll(head, "\n", "\r\n"),
	}, {
		name: "syntax error", filename: "x/func.yaml", in: "name: \"x\n",
		want: []string{"x/func.yaml:1:7: invalid YAML: could not find end character of double-quoted text (fix: correct the YAML syntax at this position)"},
	}, {
		name: "wrong type for a section", filename: "x/func.yaml", in: head + "deploy: yes\nsigning_details: [a]\n",
		want: []string{
			"x/func.yaml:5:9: deploy: expected a mapping, found \"yes\" (fix: write `key: value` pairs indented under it)",
			"x/func.yaml:6:18: signing_details: expected a mapping, found a list (fix: write `key: value` pairs indented under it)",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := ParseFuncFile(tc.filename, []byte(tc.in))
			var got []string
			if err != nil {
				var iie *InvalidInputError
				if !errors.As(err, &iie) {
					t.Fatalf("error %T, want *InvalidInputError", err)
				}
				for _, p := range iie.Problems {
					got = append(got, p.String())
				}
			} else {
				for _, p := range f.Warnings {
					got = append(got, p.String())
				}
			}
			if (err == nil) != tc.wantOK {
				t.Fatalf("ParseFuncFile() error = %v, want ok = %v", err, tc.wantOK)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
			if tc.check != nil && f != nil {
				tc.check(t, f)
			}
		})
	}
}

func TestLoadFuncFile(t *testing.T) {
	t.Parallel()
	const valid = "schema_version: 20180708\nruntime: go\nentrypoint: ./func\n"
	const validJSON = `{"schema_version": 20180708, "runtime": "node", "entrypoint": "node func.js"}`
	tests := []struct {
		name     string
		files    map[string]string // "" content with a trailing "/" makes a directory
		wantFile string
		wantRT   string
		wantErr  string
		wantIIE  bool
	}{
		{name: "func.yaml", files: map[string]string{"func.yaml": valid}, wantFile: "func.yaml", wantRT: "go"},
		{name: "func.yml", files: map[string]string{"func.yml": valid}, wantFile: "func.yml", wantRT: "go"},
		{name: "func.json", files: map[string]string{"func.json": validJSON}, wantFile: "func.json", wantRT: "node"},
		{name: "yaml before json", files: map[string]string{"func.json": validJSON, "func.yaml": valid}, wantFile: "func.yaml", wantRT: "go"},
		{name: "yml before json", files: map[string]string{"func.json": validJSON, "func.yml": valid}, wantFile: "func.yml", wantRT: "go"},
		{name: "missing", files: map[string]string{"README": "x"}, wantIIE: true,
			wantErr: "no func.yaml, func.yml or func.json in DIR (fix: run `fn init` or create func.yaml with schema_version: 20180708, name, version, runtime, entrypoint)"},
		{name: "unreadable", files: map[string]string{"func.yaml/": ""}, wantErr: "reading function file: read DIR/func.yaml: is a directory"},
		{name: "invalid", files: map[string]string{"func.yaml": "runtime: go\nentrypoint: ./func\n"}, wantIIE: true,
			wantErr: "schema_version is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "My-Func")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range tc.files {
				var err error
				if strings.HasSuffix(name, "/") {
					err = os.Mkdir(filepath.Join(dir, name), 0o755)
				} else {
					err = os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			f, err := LoadFuncFile(dir)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("LoadFuncFile() = %+v, want error", f)
				}
				if msg := strings.ReplaceAll(err.Error(), dir, "DIR"); !strings.Contains(msg, tc.wantErr) {
					t.Errorf("LoadFuncFile() error = %q, want it to contain %q", msg, tc.wantErr)
				}
				var iie *InvalidInputError
				if errors.As(err, &iie) != tc.wantIIE {
					t.Errorf("errors.As(%T, *InvalidInputError) = %v, want %v", err, !tc.wantIIE, tc.wantIIE)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFuncFile() error: %v", err)
			}
			if want := filepath.Join(dir, tc.wantFile); f.Path != want {
				t.Errorf("Path = %q, want %q", f.Path, want)
			}
			if f.Runtime != tc.wantRT || f.Name != "my-func" || f.Version != "0.0.1" {
				t.Errorf("Runtime, Name, Version = %q, %q, %q; want %q, my-func, 0.0.1", f.Runtime, f.Name, f.Version, tc.wantRT)
			}
		})
	}
}

func TestLoadFuncFileDot(t *testing.T) {
	// Not parallel: changes the working directory.
	dir := filepath.Join(t.TempDir(), "dotfn")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "func.yaml"), []byte("schema_version: 20180708\nruntime: go\nentrypoint: ./func\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	f, err := LoadFuncFile(".")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "dotfn" || f.Path != "func.yaml" {
		t.Errorf("Name, Path = %q, %q; want dotfn, func.yaml", f.Name, f.Path)
	}
}

func TestFuncFileArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"./func", []string{"./func"}},
		{" /python/bin/fdk  /function/func.py\thandler ", []string{"/python/bin/fdk", "/function/func.py", "handler"}},
	}
	for _, tc := range tests {
		f := &FuncFile{Entrypoint: tc.in, Cmd: tc.in}
		if got := f.EntrypointArgs(); !cmp.Equal(got, tc.want) {
			t.Errorf("EntrypointArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := f.CmdArgs(); !cmp.Equal(got, tc.want) {
			t.Errorf("CmdArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := (&FuncFile{Runtime: "python"}).ParsedRuntime(), (Runtime{"python", "3.12"}); got != want {
		t.Errorf("ParsedRuntime() = %v, want %v", got, want)
	}
	if got := (&FuncFile{Runtime: "cobol"}).ParsedRuntime(); got != (Runtime{}) {
		t.Errorf("ParsedRuntime() = %v, want the zero Runtime", got)
	}
}

func TestProblemString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "func.yaml", Line: 3, Column: 10, Field: "runtime", Message: `unknown runtime "x"`, Fix: "use go"},
			`func.yaml:3:10: runtime: unknown runtime "x" (fix: use go)`},
		{Problem{File: "func.yaml", Line: 3, Field: "a", Message: "m", Fix: "f"}, "func.yaml:3: a: m (fix: f)"},
		{Problem{File: "func.yaml", Column: 4, Message: "m", Fix: "f"}, "func.yaml: m (fix: f)"},
		{Problem{File: "func.yaml", Line: 1, Column: 1, Field: "k", Message: "m", Warning: true}, "func.yaml:1:1: warning: k: m"},
		{Problem{Line: 2, Column: 5, Message: "m"}, "2:5: m"},
		{Problem{Message: "m"}, "m"},
	}
	for _, tc := range tests {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestInvalidInputErrorError(t *testing.T) {
	t.Parallel()
	e := &InvalidInputError{File: "f.yaml", Problems: []Problem{
		{File: "f.yaml", Line: 1, Column: 1, Message: "a", Fix: "x"},
		{File: "f.yaml", Line: 2, Column: 3, Message: "b", Fix: "y"},
	}}
	if got, want := e.Error(), "f.yaml:1:1: a (fix: x)\nf.yaml:2:3: b (fix: y)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (&InvalidInputError{File: "f.yaml"}).Error(), "f.yaml: invalid input"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseFuncFileAliasExpansion(t *testing.T) {
	t.Parallel()
	// 10^6 nodes after expanding aliases: refused, without follow-on errors.
	in := "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
	for _, n := range []string{"b", "c", "d", "e"} {
		prev := string(rune(n[0] - 1))
		in += n + ": &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 10), ",") + "]\n"
	}
	in += "annotations: {x: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]}\nschema_version: 20180708\nruntime: go\nentrypoint: ./func\n"
	_, err := ParseFuncFile("x/func.yaml", []byte(in))
	var iie *InvalidInputError
	if !errors.As(err, &iie) {
		t.Fatalf("ParseFuncFile() error = %v, want *InvalidInputError", err)
	}
	if len(iie.Problems) != 1 || !strings.Contains(iie.Problems[0].Message, "repeats aliases too deeply") {
		t.Errorf("problems = %v, want one about alias expansion", iie.Problems)
	}
}
