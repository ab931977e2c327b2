package emulator

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"
)

// startTest starts an emulator for one test.
func startTest(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := Start(context.Background(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// gatewayClient is a real SDK client pointed at the emulator.
func gatewayClient(t *testing.T, s *Server, cp common.ConfigurationProvider) apigateway.GatewayClient {
	t.Helper()
	c, err := apigateway.NewGatewayClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	c.Host = s.Info().Endpoints.APIGateway
	c.Configuration.CircuitBreaker = nil
	// No retries: these tests provoke errors on purpose, and the SDK's
	// default policy keeps retrying 404s for up to 4 minutes after any
	// Identity write in the process (its eventual-consistency window).
	noRetry := common.NoRetryPolicy()
	c.Configuration.RetryPolicy = &noRetry
	return c
}

func serviceError(t *testing.T, err error) common.ServiceError {
	t.Helper()
	var se common.ServiceError
	require.True(t, errors.As(err, &se), "want a ServiceError, got %v", err)
	return se
}

func TestSignedRequestsThroughTheSDK(t *testing.T) {
	t.Parallel()
	s := startTest(t)
	info := s.Info()
	c := gatewayClient(t, s, s.ConfigurationProvider())
	resp, err := c.GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: &info.GatewayID})
	require.NoError(t, err)
	require.Equal(t, info.GatewayID, *resp.Id)
	require.Equal(t, apigateway.GatewayLifecycleStateActive, resp.LifecycleState)
	require.Equal(t, strings.TrimPrefix(info.GatewayURL, "http://"), *resp.Hostname)
	require.NotEmpty(t, *resp.Etag)
	require.NotEmpty(t, *resp.OpcRequestId)

	list, err := c.ListGateways(context.Background(), apigateway.ListGatewaysRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	require.Nil(t, list.OpcNextPage)
}

func TestWronglySignedRequestsAreRefused(t *testing.T) {
	t.Parallel()
	s := startTest(t)
	info := s.Info()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}))
	for name, cp := range map[string]common.ConfigurationProvider{
		"another key, same key id": common.NewRawConfigurationProvider(info.TenancyID, info.UserID, info.Region, info.Fingerprint, otherPEM, nil),
		"unknown user":             common.NewRawConfigurationProvider(info.TenancyID, "ocid1.user.oc1..someoneelse", info.Region, info.Fingerprint, string(s.id.keyPEM), nil),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := gatewayClient(t, s, cp)
			_, err := c.GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: &info.GatewayID})
			se := serviceError(t, err)
			require.Equal(t, http.StatusUnauthorized, se.GetHTTPStatusCode())
			require.Equal(t, "NotAuthenticated", se.GetCode())
			require.NotEmpty(t, se.GetOpcRequestID())
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		t.Parallel()
		resp, err := http.Get(info.Endpoints.APIGateway + "/20190501/gateways/" + info.GatewayID)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
}

func TestUnknownRoutesAndIDs(t *testing.T) {
	t.Parallel()
	s := startTest(t)
	c := gatewayClient(t, s, s.ConfigurationProvider())
	for _, id := range []string{"ocid1.apigateway.oc1.iad.nope", "..%2F..%2Fetc%2Fpasswd"} {
		_, err := c.GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: common.String(id)})
		se := serviceError(t, err)
		require.Equal(t, http.StatusNotFound, se.GetHTTPStatusCode(), id)
		require.Equal(t, "NotAuthorizedOrNotFound", se.GetCode())
	}
	resp, err := http.Get(s.Info().Endpoints.APIGateway + "/20190501/nothing")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("opc-request-id"))
}

func TestWriteConfigServesTheSDKFileProvider(t *testing.T) {
	t.Parallel()
	s := startTest(t)
	info, err := s.WriteConfig(t.TempDir())
	require.NoError(t, err)
	st, err := os.Stat(filepath.Join(filepath.Dir(info.OCIConfigFile), "oci_api_key.pem"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	cp, err := common.ConfigurationProviderFromFileWithProfile(info.OCIConfigFile, info.OCIProfile, "")
	require.NoError(t, err)
	c := gatewayClient(t, s, cp)
	_, err = c.GetGateway(context.Background(), apigateway.GetGatewayRequest{GatewayId: &info.GatewayID})
	require.NoError(t, err)
}

func TestRegistryNeedsOCIRCredentials(t *testing.T) {
	t.Parallel()
	s := startTest(t)
	info := s.Info()
	get := func(path, user, pass string) int {
		req, err := http.NewRequest(http.MethodGet, "http://"+info.Registry+path, nil)
		require.NoError(t, err)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusUnauthorized, get("/v2/", "", ""))
	require.Equal(t, http.StatusUnauthorized, get("/v2/", info.RegistryUsername, "wrong"))
	require.Equal(t, http.StatusOK, get("/v2/", info.RegistryUsername, info.RegistryToken))
	require.Equal(t, http.StatusNotFound, get("/v2/othernamespace/repo/tags/list", info.RegistryUsername, info.RegistryToken))
}
