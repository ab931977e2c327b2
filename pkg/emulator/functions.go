package emulator

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// functionsBase is the Functions API version the pinned SDK speaks.
const functionsBase = "/20260325"

// functionsState is the Functions control plane's state: applications and
// functions in the version-neutral model (fn_model.go), and their work
// requests. It is guarded by the state lock.
type functionsState struct {
	st        *state
	q         *workQueue
	invokeURL string
	registry  string

	apps map[string]*fnApp
	fns  map[string]*fnFunc

	// auth is the registry login the control plane reads images with.
	auth authn.Authenticator
	// invoker runs functions for the invoke endpoint.
	invoker FunctionInvoker
	// resolve reads an image's digest and platforms from the registry. It
	// is called without the state lock. Tests may replace it.
	resolve func(ctx context.Context, image, digest string) (fnImage, *apiError)
}

func newFunctionsState(st *state, invokeURL, registry string) *functionsState {
	f := &functionsState{st: st, q: newWorkQueue(), invokeURL: invokeURL, registry: registry,
		apps: map[string]*fnApp{}, fns: map[string]*fnFunc{}, auth: authn.Anonymous, invoker: noInvoker{}}
	f.resolve = f.resolveImage
	st.queues = append(st.queues, f.q)
	return f
}

// registerFunctions registers the Functions endpoints of every API version
// the emulator serves.
func (s *Server) registerFunctions(mux *http.ServeMux) {
	f := s.st.fns
	f.auth = &authn.Basic{Username: s.id.registryUser, Password: s.id.registryToken}
	f.invoker = s.o.invoker
	for _, api := range fnAPIVersions {
		b := api.base()
		mux.HandleFunc("POST "+b+"/applications", s.handle(f.createApplication(api)))
		mux.HandleFunc("GET "+b+"/applications", s.handle(f.listApplications(api)))
		mux.HandleFunc("GET "+b+"/applications/{id}", s.handle(f.getApplication(api)))
		mux.HandleFunc("PUT "+b+"/applications/{id}", s.handle(f.updateApplication(api)))
		mux.HandleFunc("DELETE "+b+"/applications/{id}", s.handle(f.deleteApplication(api)))

		mux.HandleFunc("POST "+b+"/functions", s.handlePrepared(f.prepareCreateFunction(api)))
		mux.HandleFunc("GET "+b+"/functions", s.handle(f.listFunctions(api)))
		mux.HandleFunc("GET "+b+"/functions/{id}", s.handle(f.getFunction(api)))
		mux.HandleFunc("PUT "+b+"/functions/{id}", s.handlePrepared(f.prepareUpdateFunction(api)))
		mux.HandleFunc("DELETE "+b+"/functions/{id}", s.handle(f.deleteFunction(api)))
		mux.HandleFunc("POST "+b+"/functions/{id}/actions/invoke", s.fnInvoke())

		mux.HandleFunc("GET "+b+"/workRequests", s.handle(f.listWorkRequests(api)))
		mux.HandleFunc("GET "+b+"/workRequests/{id}", s.handle(f.getWorkRequest(api)))
		mux.HandleFunc("GET "+b+"/workRequests/{id}/errors", s.handle(f.listWorkRequestErrors(api)))
		mux.HandleFunc("GET "+b+"/workRequests/{id}/logs", s.handle(f.listWorkRequestLogs(api)))
	}
}

// locked runs fn with the state locked and the work queues advanced to
// the current time (for the short reads a prepare step needs).
func (f *functionsState) locked(fn func()) {
	f.st.mu.Lock()
	defer f.st.mu.Unlock()
	f.st.advance(f.st.now())
	fn()
}

// addWorkRequest starts a work request on one resource, accepted now, and
// names it in the response's opc-work-request-id header. finish applies
// the operation's effect when the work request completes.
func (f *functionsState) addWorkRequest(c *call, api fnAPIVersion, op, compartmentID, entity, id, action string, finish func(time.Time) error) *workRequest {
	w := &workRequest{
		ID: newOCID("fnworkrequest", f.st.key), Operation: op, CompartmentID: compartmentID,
		Resources: []wrResource{{EntityType: entity, ActionType: action, Identifier: id,
			EntityURI: api.base() + "/" + entity + "s/" + id}},
		finish: finish,
	}
	if f.st.faults != nil {
		w.finish = func(t time.Time) error {
			if err := f.st.faults.failWorkRequest(op); err != nil {
				f.revertFailed(entity, id, strings.HasPrefix(op, "CREATE_"), t)
				return err
			}
			return finish(t)
		}
	}
	f.q.add(w, c.now, f.st.latency)
	c.header.Set("opc-work-request-id", w.ID)
	return w
}

// revertFailed puts a resource whose work request failed back as OCI
// leaves it: a failed create is FAILED, a failed update or delete leaves the
// resource ACTIVE with its values unchanged.
func (f *functionsState) revertFailed(entity, id string, create bool, t time.Time) {
	state := fnActive
	if create {
		state = fnFailed
	}
	switch entity {
	case "function":
		if fn := f.fns[id]; fn != nil {
			fn.State, fn.Updated = state, t.UTC().Truncate(time.Millisecond)
		}
	case "application":
		if app := f.apps[id]; app != nil {
			app.State, app.Updated = state, t.UTC().Truncate(time.Millisecond)
		}
	}
}

// knownCompartment reports whether id is a compartment of the emulator's
// tenancy (its one compartment, or the tenancy itself).
func (f *functionsState) knownCompartment(id string) bool {
	if f.st.iam != nil {
		return f.st.iam.knownCompartment(id)
	}
	return id == f.st.compartmentID || id == f.st.tenancyID
}
