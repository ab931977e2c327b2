package gateway

import (
	"encoding/json"
	"testing"
)

func TestFindingString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    Finding
		want string
	}{
		{Finding{File: "a.yaml", Line: 3, Column: 5, Severity: SeverityError, Field: "routes[0].path", Message: "bad", Fix: "fix it"},
			"a.yaml:3:5: error: routes[0].path: bad (fix: fix it)"},
		{Finding{Severity: SeverityWarning, Field: "routes", Message: "odd"}, "warning: routes: odd"},
		{Finding{File: "a.json", Line: 1, Message: "broken"}, "a.json:1: error: broken"},
	} {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	data, err := json.Marshal(Finding{File: "a.yaml", Line: 2, Column: 1, Severity: SeverityWarning, Field: "x", Message: "m", Fix: "f"})
	if err != nil || string(data) != `{"file":"a.yaml","line":2,"column":1,"severity":"warning","field":"x","message":"m","fix":"f"}` {
		t.Errorf("JSON = %s, %v", data, err)
	}
	if (&InvalidSpecError{File: "x"}).Error() != "x: invalid specification" {
		t.Error("empty InvalidSpecError message")
	}
}
