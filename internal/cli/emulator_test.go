package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"

	"github.com/oci-serverless/oci-serverless-api/pkg/emulator"
)

func TestEmulatorCommand(t *testing.T) {
	t.Parallel()
	infoFile := filepath.Join(t.TempDir(), "emu.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"emulator", "--info", infoFile, "--latency", "0s,10ms"}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	}()
	var info emulator.Info
	require.Eventually(t, func() bool {
		var err error
		info, err = emulator.ReadInfo(infoFile)
		return err == nil
	}, 20*time.Second, 20*time.Millisecond, "the info file never appeared; stderr: %s", &stderr)

	st, err := os.Stat(infoFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the info file holds the registry token")

	// The OCI config file it names authenticates the real SDK.
	cp, err := common.ConfigurationProviderFromFileWithProfile(info.OCIConfigFile, info.OCIProfile, "")
	require.NoError(t, err)
	c, err := apigateway.NewGatewayClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	c.Host = info.Endpoints.APIGateway
	g, err := c.GetGateway(ctx, apigateway.GetGatewayRequest{GatewayId: &info.GatewayID})
	require.NoError(t, err)
	require.Equal(t, info.CompartmentID, *g.CompartmentId)

	cancel()
	select {
	case code := <-done:
		require.Equal(t, ExitOK, code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("osa emulator did not stop on cancel")
	}
	require.NoFileExists(t, infoFile, "a stale info file must not outlive the emulator")
	require.NoDirExists(t, infoFile+".oci")
	require.NotContains(t, stderr.String(), info.RegistryToken)
}

func TestEmulatorBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"emulator", "--addr", "0.0.0.0:0"},
		{"emulator", "--latency", "fast"},
		{"emulator", "extra"},
		{"emulator", "--faults", "teapot@0.5"},
	} {
		r := run(t, nil, args...)
		require.Equal(t, ExitUsage, r.code, "%v: %s", args, r.stderr)
	}
}
