package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
)

// Server is a running emulator. Its zero value is not usable; call Start.
type Server struct {
	o     *options
	id    *identity
	st    *state
	sig   *signatureVerifier
	mux   *http.ServeMux
	info  Info
	stops []func(context.Context) error

	closeOnce sync.Once
	closeErr  error
}

// state is everything the emulator holds, guarded by one lock. Handlers run
// with the lock held and the work queues advanced to the request's time.
type state struct {
	mu      sync.Mutex
	now     func() time.Time
	latency Latency
	region  string
	key     string // region key, e.g. "iad"

	tenancyID     string
	compartmentID string
	subnetID      string
	namespace     string

	retry  *retryTokens
	queues []*workQueue
	faults *injector // nil: no faults

	apigw *apigwState
	fns   *functionsState
	iam   *iamState
	logs  *loggingState
	net   *networkState
	arts  *artifactsState
}

func (st *state) advance(now time.Time) {
	for _, q := range st.queues {
		q.advance(now)
	}
}

// Start starts an emulator on 127.0.0.1: the control plane (every OCI
// endpoint), the registry and the gateway data plane, each on its own port.
// It runs until Close is called or ctx is done.
func Start(ctx context.Context, opts ...Option) (*Server, error) {
	o, err := makeOptions(opts...)
	if err != nil {
		return nil, err
	}
	id, err := newIdentity()
	if err != nil {
		return nil, err
	}
	st := &state{
		now: o.now, latency: o.latency, region: o.region, key: regionKey(o.region),
		tenancyID: id.tenancyID, namespace: id.namespace,
		retry: newRetryTokens(),
	}
	if o.faults != nil {
		st.faults = newInjector(*o.faults)
	}
	st.compartmentID = newOCID("compartment", "") // tenancy-level: no region in the OCID
	st.subnetID = newOCID("subnet", st.key)
	s := &Server{o: o, id: id, st: st, mux: http.NewServeMux(),
		sig: &signatureVerifier{keys: id.keys(), now: o.now}}

	cp, err := s.listen(ctx, o.addr, http.HandlerFunc(s.serveControlPlane))
	if err != nil {
		return nil, err
	}
	reg, err := s.listen(ctx, "127.0.0.1:0", newRegistry(id.namespace, id.registryUser, id.registryToken, st.faults))
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	gw, err := s.listen(ctx, "127.0.0.1:0", http.HandlerFunc(s.serveGateway))
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	cpURL := "http://" + cp
	s.info = Info{
		Registry:          reg,
		RegistryUsername:  id.registryUser,
		RegistryToken:     id.registryToken,
		Namespace:         id.namespace,
		Endpoints:         Endpoints{APIGateway: cpURL, Functions: cpURL, Identity: cpURL, Logging: cpURL, Core: cpURL, Artifacts: cpURL},
		IdentityDomainURL: cpURL,
		GatewayURL:        "http://" + gw,
		CompartmentID:     st.compartmentID,
		SubnetID:          st.subnetID,
		TenancyID:         id.tenancyID,
		UserID:            id.userID,
		Fingerprint:       id.fingerprint,
		Region:            o.region,
		OCIProfile:        "DEFAULT",
	}
	st.apigw = newAPIGatewayState(st, gw)
	st.fns = newFunctionsState(st, cpURL, reg)
	s.info.GatewayID = st.apigw.seededGatewayID()
	st.iam = newIAMState(st)
	st.logs = newLoggingState(st)
	st.net = newNetworkState(st)
	st.arts = newArtifactsState(st)
	if st.faults != nil {
		st.logs.failWork = func(op, _ string) error {
			if err := st.faults.failWorkRequest(op); err != nil {
				return err
			}
			return nil
		}
		st.apigw.failWork = func(op, _ string) error {
			if err := st.faults.failWorkRequest(op); err != nil {
				return err
			}
			return nil
		}
	}
	s.registerAPIGateway(s.mux)
	s.registerFunctions(s.mux)
	s.registerIAM(s.mux)
	s.registerLogging(s.mux)
	s.registerNetwork(s.mux)
	s.registerArtifacts(s.mux)
	s.registerTokenExchange(s.mux)
	go func() {
		<-ctx.Done()
		_ = s.Close()
	}()
	return s, nil
}

// listen serves h on addr and returns the address it listens on.
func (s *Server) listen(_ context.Context, addr string, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("emulator: listening on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	s.stops = append(s.stops, srv.Shutdown)
	return ln.Addr().String(), nil
}

// Close stops the emulator and releases its ports.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, stop := range s.stops {
			s.closeErr = errors.Join(s.closeErr, stop(ctx))
		}
	})
	return s.closeErr
}

// Info returns the emulator info document (design.md §8). OCIConfigFile is
// empty until WriteConfig has written one.
func (s *Server) Info() Info { return s.info }

// ConfigurationProvider returns an OCI SDK configuration provider holding
// the emulator's throwaway API key. Point a client at the emulator with it
// and set the client's Host to the matching Info().Endpoints URL.
func (s *Server) ConfigurationProvider() common.ConfigurationProvider {
	return common.NewRawConfigurationProvider(s.id.tenancyID, s.id.userID, s.o.region, s.id.fingerprint, string(s.id.keyPEM), nil)
}

// call is one control-plane request being handled.
type call struct {
	r      *http.Request
	body   []byte
	now    time.Time
	header http.Header // extra response headers
}

// endpoint handles one control-plane operation with the state locked. It
// returns the status and the value to encode as the JSON body (nil: none).
type endpoint func(c *call) (int, any, error)

// prepare is the first half of an operation that must do slow work (such as
// reading the registry) before it takes decisions that depend on the state:
// it runs without the state lock and returns the endpoint that runs with it.
type prepare func(c *call) (endpoint, *apiError)

// handle wraps an endpoint: request id, body limit, signature check, lock,
// work-request progress, retry tokens for POST, and OCI-shaped errors.
func (s *Server) handle(ep endpoint) http.HandlerFunc {
	return s.handlePrepared(func(*call) (endpoint, *apiError) { return ep, nil })
}

// handlePrepared is handle for an operation split by a prepare step. A POST
// whose retry token was seen is answered from the store before the prepare
// step runs, and checked again under the lock before the endpoint runs, so
// two concurrent requests with one token create one resource.
func (s *Server) handlePrepared(prep prepare) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.begin(w, r, maxControlBody)
		if !ok {
			return
		}
		if r.Method == http.MethodPost && r.Header.Get("opc-retry-token") != "" {
			s.st.mu.Lock()
			replayed := s.replayLocked(w, c)
			s.st.mu.Unlock()
			if replayed {
				return
			}
		}
		ep, aerr := prep(c)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		s.st.mu.Lock()
		defer s.st.mu.Unlock()
		c.now = s.st.now()
		s.st.advance(c.now)
		if r.Method == http.MethodPost && s.replayLocked(w, c) {
			return
		}
		status, v, err := ep(c)
		if err != nil {
			writeError(w, err)
			return
		}
		for k, vs := range c.header {
			w.Header()[k] = vs
		}
		if v == nil {
			w.WriteHeader(status)
			if r.Method == http.MethodPost && status < 300 {
				s.st.retry.remember(r, c.body, c.now, status, c.header, nil)
			}
			return
		}
		rec := &recorder{ResponseWriter: w}
		writeJSON(rec, status, v)
		if r.Method == http.MethodPost && status < 300 {
			s.st.retry.remember(r, c.body, c.now, status, c.header, rec.body)
		}
	}
}

// replayLocked answers c from the retry-token store when its token was seen
// (or refuses it when the token was used for another request), and reports
// whether it answered. The caller holds the state lock.
func (s *Server) replayLocked(w http.ResponseWriter, c *call) bool {
	kept, aerr := s.st.retry.lookup(c.r, c.body, c.now)
	if aerr != nil {
		writeError(w, aerr)
		return true
	}
	if kept == nil {
		return false
	}
	for k, v := range kept.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(kept.status)
	_, _ = w.Write(kept.body)
	return true
}

// begin does what every control-plane request needs before its handler:
// an opc-request-id, the body (within limit), and a valid signature.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, limit int64) (*call, bool) {
	w.Header().Set("opc-request-id", requestID(r))
	body, aerr := readBody(r, limit)
	if aerr == nil {
		aerr = s.sig.verify(r, body)
	}
	if aerr != nil {
		writeError(w, aerr)
		return nil, false
	}
	return &call{r: r, body: body, now: s.st.now(), header: http.Header{}}, true
}

// serveControlPlane routes to the registered endpoints; anything else gets
// OCI's 404.
func (s *Server) serveControlPlane(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		w.Header().Set("opc-request-id", requestID(r))
		writeError(w, &apiError{Status: http.StatusNotFound, Code: codeNotFound,
			Message: fmt.Sprintf("%s %s is not an operation of this emulator", r.Method, r.URL.Path)})
		return
	}
	if s.st.faults != nil && s.injectHTTP(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// recorder keeps a copy of what a handler wrote, for retry-token replays.
type recorder struct {
	http.ResponseWriter
	body []byte
}

func (r *recorder) Write(p []byte) (int, error) {
	r.body = append(r.body, p...)
	return r.ResponseWriter.Write(p)
}
