package fnimage

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzParseFuncFile checks that ParseFuncFile never panics and that every
// error it returns is an *InvalidInputError whose problems have positions.
func FuzzParseFuncFile(f *testing.F) {
	for _, in := range funcFileCases(f) {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ff, err := ParseFuncFile("fn/func.yaml", data)
		if err == nil {
			if ff == nil {
				t.Fatal("ParseFuncFile returned nil, nil")
			}
			for _, w := range ff.Warnings {
				if !w.Warning || w.Line < 1 {
					t.Errorf("warning without a position: %+v", w)
				}
			}
			return
		}
		var iie *InvalidInputError
		if !errors.As(err, &iie) {
			t.Fatalf("error %T %q, want *InvalidInputError", err, err)
		}
		if len(iie.Problems) == 0 {
			t.Fatal("InvalidInputError without problems")
		}
		nonEmpty := len(bytes.TrimSpace(data)) > 0
		for _, p := range iie.Problems {
			if p.Warning || p.Fix == "" || p.Message == "" {
				t.Errorf("malformed problem %+v", p)
			}
			if nonEmpty && p.Line < 1 {
				t.Errorf("problem without a line: %+v", p)
			}
		}
	})
}
