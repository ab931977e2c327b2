package emulator

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is a kind of failure the emulator can inject.
type FaultKind string

// The faults the emulator injects.
const (
	Fault429         FaultKind = "429"         // 429 TooManyRequests with retry-after (ARG: its value, default 1s)
	Fault500         FaultKind = "500"         // 500 InternalServerError
	Fault503         FaultKind = "503"         // 503 ServiceUnavailable
	FaultReset       FaultKind = "reset"       // the connection is closed without an answer
	FaultSlow        FaultKind = "slow"        // the answer is delayed (ARG: by how long, default 2s)
	FaultWorkRequest FaultKind = "workrequest" // a new work request fails when it finishes
	FaultUpload      FaultKind = "upload"      // a registry blob upload answers 500
)

// FaultRule injects one kind of fault into a share of the requests it matches.
type FaultRule struct {
	Kind FaultKind
	// Rate is the share of matching requests that fail, in (0, 1].
	Rate float64
	// Match restricts the rule: a substring of "METHOD /path" for HTTP
	// faults, of the operation ("UPDATE_DEPLOYMENT") for work requests, of
	// the blob upload path for uploads. Empty matches everything.
	Match string
	// Arg is the retry-after of a 429 or the delay of a slow answer.
	Arg time.Duration
}

// Faults configures fault injection. The n-th request a rule matches fails
// or not as a function of the seed, the rule's position and n alone, so the
// same seed gives the same failures for the same requests, whatever else
// runs in between.
type Faults struct {
	Seed  uint64
	Rules []FaultRule
}

// ParseFaults reads the fault syntax of `osa emulator --faults`: items
// separated by commas, "seed=N" and rules "KIND[=ARG]@RATE[:MATCH]", e.g.
//
//	seed=42,429=3s@0.2,503@0.1:PUT /20190501/deployments,reset@0.05,slow=2s@0.1,workrequest@0.3:UPDATE_DEPLOYMENT,upload@0.2
func ParseFaults(s string) (Faults, error) {
	var f Faults
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if v, ok := strings.CutPrefix(item, "seed="); ok {
			seed, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return Faults{}, fmt.Errorf("faults: seed %q is not a non-negative integer", v)
			}
			f.Seed = seed
			continue
		}
		r, err := parseFaultRule(item)
		if err != nil {
			return Faults{}, err
		}
		f.Rules = append(f.Rules, r)
	}
	return f, nil
}

func parseFaultRule(item string) (FaultRule, error) {
	bad := func(why string) (FaultRule, error) {
		return FaultRule{}, fmt.Errorf("faults: %q: %s (syntax: KIND[=ARG]@RATE[:MATCH], KIND one of 429, 500, 503, reset, slow, workrequest, upload)", item, why)
	}
	head, rest, ok := strings.Cut(item, "@")
	if !ok {
		return bad("no @RATE")
	}
	rateStr, match, _ := strings.Cut(rest, ":")
	kind, arg, hasArg := strings.Cut(head, "=")
	r := FaultRule{Kind: FaultKind(kind), Match: match}
	switch r.Kind {
	case Fault429, Fault500, Fault503, FaultReset, FaultSlow, FaultWorkRequest, FaultUpload:
	default:
		return bad("unknown kind " + strconv.Quote(kind))
	}
	if hasArg {
		if r.Kind != Fault429 && r.Kind != FaultSlow {
			return bad("only 429 and slow take an argument")
		}
		d, err := time.ParseDuration(arg)
		if err != nil || d < 0 {
			return bad("argument " + strconv.Quote(arg) + " is not a duration")
		}
		r.Arg = d
	}
	rate, err := strconv.ParseFloat(rateStr, 64)
	if err != nil || math.IsNaN(rate) || rate <= 0 || rate > 1 {
		return bad("rate " + strconv.Quote(rateStr) + " must be a number in (0, 1]")
	}
	r.Rate = rate
	return r, r.validate()
}

func (r FaultRule) validate() error {
	if r.Rate <= 0 || r.Rate > 1 || math.IsNaN(r.Rate) {
		return fmt.Errorf("faults: rate %v of %s must be in (0, 1]", r.Rate, r.Kind)
	}
	return nil
}

// injector decides, rule by rule, which requests fail, and counts what it injected.
type injector struct {
	seed     uint64
	rules    []FaultRule
	mu       sync.Mutex
	seen     []uint64 // per rule: requests matched so far
	injected map[FaultKind]int
}

func newInjector(f Faults) *injector {
	return &injector{seed: f.Seed, rules: f.Rules, seen: make([]uint64, len(f.Rules)), injected: map[FaultKind]int{}}
}

// decide returns the first rule among kinds that matches subject and fires.
func (in *injector) decide(subject string, kinds ...FaultKind) (FaultRule, bool) {
	if in == nil {
		return FaultRule{}, false
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, r := range in.rules {
		if !containsKind(kinds, r.Kind) || !strings.Contains(subject, r.Match) {
			continue
		}
		n := in.seen[i]
		in.seen[i]++
		if unitFloat(in.seed, uint64(i), n) < r.Rate {
			in.injected[r.Kind]++
			return r, true
		}
	}
	return FaultRule{}, false
}

func containsKind(kinds []FaultKind, k FaultKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// unitFloat maps (seed, rule, n) to [0, 1) with splitmix64.
func unitFloat(seed, rule, n uint64) float64 {
	x := seed ^ (rule+1)*0x9e3779b97f4a7c15 ^ (n+1)*0xbf58476d1ce4e5b9
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// InjectedFaults returns how many faults of each kind the emulator has
// injected so far.
func (s *Server) InjectedFaults() map[FaultKind]int {
	out := map[FaultKind]int{}
	in := s.st.faults
	if in == nil {
		return out
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for k, v := range in.injected {
		out[k] = v
	}
	return out
}

// injectHTTP applies the HTTP faults to a control-plane request. It reports
// whether it answered (or dropped) the request.
func (s *Server) injectHTTP(w http.ResponseWriter, r *http.Request) bool {
	rule, ok := s.st.faults.decide(r.Method+" "+r.URL.Path, Fault429, Fault500, Fault503, FaultReset, FaultSlow)
	if !ok {
		return false
	}
	w.Header().Set("opc-request-id", requestID(r))
	switch rule.Kind {
	case Fault429:
		after := rule.Arg
		if after == 0 {
			after = time.Second
		}
		w.Header().Set("retry-after", strconv.FormatFloat(math.Ceil(after.Seconds()), 'f', 0, 64))
		writeError(w, &apiError{Status: http.StatusTooManyRequests, Code: codeTooManyRequests, Message: "too many requests (injected fault)"})
	case Fault500:
		writeError(w, &apiError{Status: http.StatusInternalServerError, Code: codeInternalError, Message: "internal error (injected fault)"})
	case Fault503:
		writeError(w, &apiError{Status: http.StatusServiceUnavailable, Code: codeServiceUnavailable, Message: "service unavailable (injected fault)"})
	case FaultReset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer
	case FaultSlow:
		d := rule.Arg
		if d == 0 {
			d = 2 * time.Second
		}
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return true
		}
		return false // then answer normally
	}
	return true
}

// failWorkRequest reports whether the work request of operation op must
// fail (a FaultWorkRequest rule fired), as the error to fail it with.
func (in *injector) failWorkRequest(op string) *apiError {
	if _, ok := in.decide(op, FaultWorkRequest); !ok {
		return nil
	}
	return &apiError{Status: http.StatusInternalServerError, Code: codeInternalError, Message: op + " failed (injected fault)"}
}

// injectUpload fails a registry blob upload if a rule says so.
func (in *injector) injectUpload(w http.ResponseWriter, r *http.Request) bool {
	if in == nil || !strings.Contains(r.URL.Path, "/blobs/uploads/") || (r.Method != http.MethodPatch && r.Method != http.MethodPut) {
		return false
	}
	if _, ok := in.decide(r.URL.Path, FaultUpload); !ok {
		return false
	}
	registryError(w, http.StatusInternalServerError, "UNKNOWN", "blob upload failed (injected fault)")
	return true
}
