package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"time"
)

// Latency is the emulator's latency model for asynchronous operations: a
// work request stays ACCEPTED for Accept, then IN_PROGRESS for Run, then
// finishes. The defaults are short so that tests run fast; a demo can make
// them as slow as OCI (tens of seconds).
type Latency struct {
	Accept time.Duration
	Run    time.Duration
}

// DefaultLatency is used when no latency is configured.
var DefaultLatency = Latency{Accept: 20 * time.Millisecond, Run: 80 * time.Millisecond}

// Work request statuses shared by API Gateway and Functions.
const (
	wrAccepted   = "ACCEPTED"
	wrInProgress = "IN_PROGRESS"
	wrSucceeded  = "SUCCEEDED"
	wrFailed     = "FAILED"
	wrCanceled   = "CANCELED"
)

// workRequest is one asynchronous operation.
type workRequest struct {
	ID            string
	Operation     string // "CREATE_DEPLOYMENT", "UPDATE_FUNCTION", ...
	CompartmentID string
	Resources     []wrResource
	Status        string
	Accepted      time.Time
	Started       time.Time // zero until IN_PROGRESS
	Finished      time.Time // zero until done
	Errors        []wrMessage
	Logs          []wrMessage

	startAt, finishAt time.Time
	// finish applies the operation's effect when the work request ends; an
	// error fails the work request with that message (code is the apiError's
	// code when it is one). It runs under the state lock.
	finish func(now time.Time) error
}

// wrResource is a resource a work request acts on.
type wrResource struct {
	EntityType string // "deployment", "function", "application"
	ActionType string // IN_PROGRESS while running, then CREATED, UPDATED, DELETED or FAILED
	Identifier string
	EntityURI  string
	doneAction string // ActionType once the work request succeeds
}

type wrMessage struct {
	Code    string
	Message string
	Time    time.Time
}

// Percent is how far the work request is, for percentComplete.
func (w *workRequest) Percent() float32 {
	switch w.Status {
	case wrAccepted:
		return 0
	case wrInProgress:
		return 50
	}
	return 100
}

func (w *workRequest) terminal() bool {
	return w.Status == wrSucceeded || w.Status == wrFailed || w.Status == wrCanceled
}

// workQueue holds one service's work requests and moves them along the
// latency model. It has no goroutines: advance is called with the current
// time at the start of every request, under the state lock, so the
// emulator's behaviour is a function of its inputs and its clock.
type workQueue struct {
	byID map[string]*workRequest
}

func newWorkQueue() *workQueue { return &workQueue{byID: map[string]*workRequest{}} }

// add registers a new work request accepted at now.
func (q *workQueue) add(w *workRequest, now time.Time, lat Latency) {
	w.Status = wrAccepted
	w.Accepted = now
	w.startAt = now.Add(lat.Accept)
	w.finishAt = w.startAt.Add(lat.Run)
	for i := range w.Resources {
		w.Resources[i].doneAction = w.Resources[i].ActionType
		w.Resources[i].ActionType = "IN_PROGRESS"
	}
	w.Logs = append(w.Logs, wrMessage{Message: w.Operation + " accepted", Time: now})
	q.byID[w.ID] = w
}

// advance moves every work request whose time has come, oldest first.
func (q *workQueue) advance(now time.Time) {
	for _, w := range q.sorted() {
		if w.terminal() {
			continue
		}
		if w.Status == wrAccepted && !now.Before(w.startAt) {
			w.Status, w.Started = wrInProgress, w.startAt
			w.Logs = append(w.Logs, wrMessage{Message: w.Operation + " started", Time: w.startAt})
		}
		if w.Status == wrInProgress && !now.Before(w.finishAt) {
			q.complete(w, w.finishAt)
		}
	}
}

// complete ends w at t, applying its effect.
func (q *workQueue) complete(w *workRequest, t time.Time) {
	var err error
	if w.finish != nil {
		err = w.finish(t)
	}
	w.Finished = t
	if err == nil {
		w.Status = wrSucceeded
		for i := range w.Resources {
			w.Resources[i].ActionType = w.Resources[i].doneAction
		}
		w.Logs = append(w.Logs, wrMessage{Message: w.Operation + " succeeded", Time: t})
		return
	}
	w.Status = wrFailed
	code := codeInternalError
	if ae, ok := err.(*apiError); ok { //nolint:errorlint // finish functions return *apiError unwrapped
		code = ae.Code
	}
	for i := range w.Resources {
		w.Resources[i].ActionType = "FAILED"
	}
	w.Errors = append(w.Errors, wrMessage{Code: code, Message: err.Error(), Time: t})
	w.Logs = append(w.Logs, wrMessage{Message: w.Operation + " failed: " + err.Error(), Time: t})
}

// sorted returns the work requests, oldest first (ties by id).
func (q *workQueue) sorted() []*workRequest {
	out := make([]*workRequest, 0, len(q.byID))
	for _, w := range q.byID {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Accepted.Equal(out[j].Accepted) {
			return out[i].Accepted.Before(out[j].Accepted)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// lookup returns the work request named by the request path's {id}, or a 404.
func (q *workQueue) lookup(c *call) (*workRequest, *apiError) {
	id := c.r.PathValue("id")
	w, ok := q.byID[id]
	if !validID(id) || !ok {
		return nil, errNotFound("work request", id)
	}
	return w, nil
}

// getWorkRequestAs answers GET .../workRequests/{id} from q as render
// shapes it, with an etag and, while the work request runs, a retry-after in
// fractional seconds (API Gateway's and Logging's form).
func getWorkRequestAs[T any](q *workQueue, render func(*workRequest) T) endpoint {
	return func(c *call) (int, any, error) {
		w, err := q.lookup(c)
		if err != nil {
			return 0, nil, err
		}
		out := render(w)
		c.header.Set("etag", etagOf(out))
		if wait, running := w.retryAfter(c.now); running {
			c.header.Set("retry-after", strconv.FormatFloat(wait.Seconds(), 'f', -1, 64))
		}
		return http.StatusOK, out, nil
	}
}

// retryAfter is how long until w next changes status (at least 1 ms), for
// a retry-after header; false once w has finished.
func (w *workRequest) retryAfter(now time.Time) (time.Duration, bool) {
	if w.terminal() {
		return 0, false
	}
	next := w.finishAt
	if w.Status == wrAccepted {
		next = w.startAt
	}
	return max(next.Sub(now), time.Millisecond), true
}
