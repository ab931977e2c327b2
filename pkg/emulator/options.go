package emulator

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"
)

// Option configures an emulator.
type Option func(*options) error

type options struct {
	addr          string
	region        string
	latency       Latency
	logger        *slog.Logger
	invoker       FunctionInvoker
	faults        *Faults
	now           func() time.Time
	tokenExchange *TokenExchangeConfig // WithTokenExchange (tokenexchange.go); nil: off
}

func makeOptions(opts ...Option) (*options, error) {
	o := &options{
		addr:    "127.0.0.1:0",
		region:  "us-ashburn-1",
		latency: DefaultLatency,
		logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		now:     time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	if o.invoker == nil {
		o.invoker = noInvoker{}
	}
	return o, nil
}

// WithAddr sets the control plane's listen address. Only loopback addresses
// are allowed: the emulator has no real authentication. The default is
// 127.0.0.1:0 (a free port).
func WithAddr(addr string) Option {
	return func(o *options) error {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("emulator address %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("emulator address %q is not a loopback address (fix: use 127.0.0.1:PORT)", addr)
		}
		o.addr = addr
		return nil
	}
}

// WithRegion sets the region the emulator claims to be (OCIDs, endpoints
// and the configuration's region). The default is us-ashburn-1.
func WithRegion(region string) Option {
	return func(o *options) error {
		if region == "" {
			return errors.New("region is empty")
		}
		o.region = region
		return nil
	}
}

// WithLatency sets the latency model of asynchronous operations. The
// default is DefaultLatency.
func WithLatency(l Latency) Option {
	return func(o *options) error {
		if l.Accept < 0 || l.Run < 0 {
			return fmt.Errorf("latency %+v is negative", l)
		}
		o.latency = l
		return nil
	}
}

// WithLogger sets where the emulator logs. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("logger is nil")
		}
		o.logger = l
		return nil
	}
}

// WithFunctionInvoker sets what runs functions for the invoke endpoint. The
// default answers every invocation with 502 and a message saying that no
// runner is configured.
func WithFunctionInvoker(inv FunctionInvoker) Option {
	return func(o *options) error {
		if inv == nil {
			return errors.New("function invoker is nil")
		}
		o.invoker = inv
		return nil
	}
}

// WithFaults injects failures into the emulator's answers (see Faults and
// ParseFaults for what and how). The default injects none.
func WithFaults(f Faults) Option {
	return func(o *options) error {
		for _, r := range f.Rules {
			if err := r.validate(); err != nil {
				return err
			}
		}
		o.faults = &f
		return nil
	}
}

// withClock replaces the clock; tests use it to drive work requests.
func withClock(now func() time.Time) Option {
	return func(o *options) error {
		o.now = now
		return nil
	}
}
