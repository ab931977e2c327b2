package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oci-serverless/oci-serverless-api/pkg/emulator"
)

type emulatorFlags struct {
	addr    string
	info    string
	latency string
	faults  string
}

func newEmulatorCommand(e *env) *cobra.Command {
	var f emulatorFlags
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run the local OCI emulator until interrupted",
		Long: `Run the local OCI emulator on 127.0.0.1 until SIGINT or SIGTERM: a registry
(OCIR-like, with credentials), the API Gateway and Functions control planes that
the OCI SDK and CLI talk to, and the gateway data plane.

Once ready it writes the emulator info document to --info (and prints it with
--json): endpoints, registry and its credentials, gateway, compartment and subnet
ids, and an OCI config file with its key (profile DEFAULT). The config and key
live in the directory FILE.oci next to the info file (or a temporary directory);
both, and the info file, are removed when the emulator stops, so a stale document
never points at a dead emulator. The info holds the registry token: keep it private.`,
		Example: `  osa emulator --info /tmp/emu.json &
  OCI_CLI_CONFIG_FILE=$(jq -r .oci_config_file /tmp/emu.json) oci --endpoint $(jq -r .endpoints.apigateway /tmp/emu.json) ...`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runEmulator(cmd, e, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:0", "control plane address (loopback only)")
	fl.StringVar(&f.info, "info", "", "write the emulator info document to this file")
	fl.StringVar(&f.latency, "latency", "", "work request latency as ACCEPT,RUN durations (default 20ms,80ms), e.g. 1s,5s")
	fl.StringVar(&f.faults, "faults", "", "inject faults: seed=N,KIND[=ARG]@RATE[:MATCH],... with KIND 429, 500, 503, reset, slow, workrequest, upload (see pkg/emulator's README)")
	return cmd
}

func runEmulator(cmd *cobra.Command, e *env, f emulatorFlags) error {
	opts := []emulator.Option{emulator.WithAddr(f.addr), emulator.WithLogger(newLogger(e.stderr, e.verbose))}
	if f.latency != "" {
		l, err := parseLatency(f.latency)
		if err != nil {
			return usageError{err}
		}
		opts = append(opts, emulator.WithLatency(l))
	}
	if f.faults != "" {
		faults, err := emulator.ParseFaults(f.faults)
		if err != nil {
			return usageError{err}
		}
		opts = append(opts, emulator.WithFaults(faults))
	}
	ctx := cmd.Context()
	srv, err := emulator.Start(ctx, opts...)
	if err != nil {
		if strings.Contains(err.Error(), "loopback") {
			return usageError{err}
		}
		return err
	}
	defer func() { _ = srv.Close() }()

	configDir := f.info + ".oci"
	if f.info == "" {
		if configDir, err = os.MkdirTemp("", "osa-emulator-"); err != nil {
			return err
		}
	}
	defer func() { _ = os.RemoveAll(configDir) }()
	info, err := srv.WriteConfig(configDir)
	if err != nil {
		return err
	}
	if f.info != "" {
		if err := writeInfoFile(f.info, info); err != nil {
			return err
		}
		defer func() { _ = os.Remove(f.info) }()
	}
	if e.json {
		writeJSON(e.stdout, info)
	} else {
		fmt.Fprintf(e.stdout, "osa emulator ready (Ctrl-C to stop)\n  apigateway, functions: %s\n  registry:              %s (user %s)\n  gateway:               %s\n  OCI config:            %s (profile %s)\n",
			info.Endpoints.APIGateway, info.Registry, info.RegistryUsername, info.GatewayURL, info.OCIConfigFile, info.OCIProfile)
		if f.info != "" {
			fmt.Fprintf(e.stdout, "  info:                  %s\n", f.info)
		}
	}
	<-ctx.Done()
	fmt.Fprintln(e.stderr, "osa emulator: stopping")
	return nil
}

// writeInfoFile writes the info document atomically, readable by its owner
// only (it holds the registry token).
func writeInfoFile(path string, info emulator.Info) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".emulator-info-")
	if err != nil {
		return fmt.Errorf("writing the emulator info: %w", err)
	}
	writeJSON(tmp, info)
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// parseLatency reads "ACCEPT,RUN" (e.g. "1s,5s").
func parseLatency(s string) (emulator.Latency, error) {
	a, r, ok := strings.Cut(s, ",")
	if !ok {
		return emulator.Latency{}, fmt.Errorf("--latency %q: want ACCEPT,RUN durations such as 1s,5s", s)
	}
	accept, err1 := time.ParseDuration(strings.TrimSpace(a))
	run, err2 := time.ParseDuration(strings.TrimSpace(r))
	if err1 != nil || err2 != nil || accept < 0 || run < 0 {
		return emulator.Latency{}, fmt.Errorf("--latency %q: want two non-negative durations such as 1s,5s", s)
	}
	return emulator.Latency{Accept: accept, Run: run}, nil
}
