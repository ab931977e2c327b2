package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/oracle/oci-go-sdk/v65/identity"
	"github.com/oracle/oci-go-sdk/v65/logging"
	"github.com/stretchr/testify/require"

	"github.com/oci-serverless/oci-serverless-api/internal/e2e"
	"github.com/oci-serverless/oci-serverless-api/pkg/emulator"
)

// TestOCICLIReadsWhatTheGoSDKCreated uses a second, independent client —
// the Python OCI CLI, configured only by the emulator's info document — to
// list and get the deployments, functions, policies and logs created
// through the Go SDK.
func TestOCICLIReadsWhatTheGoSDKCreated(t *testing.T) {
	t.Parallel()
	oci := e2e.LookTool(t, "oci")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := emulator.Start(ctx)
	require.NoError(t, err)
	defer srv.Close()
	info, err := srv.WriteConfig(t.TempDir())
	require.NoError(t, err)
	cp := srv.ConfigurationProvider()

	// A deployment, through the Go SDK.
	dep, err := apigateway.NewDeploymentClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	dep.Host = info.Endpoints.APIGateway
	created, err := dep.CreateDeployment(ctx, apigateway.CreateDeploymentRequest{CreateDeploymentDetails: apigateway.CreateDeploymentDetails{
		GatewayId: &info.GatewayID, CompartmentId: &info.CompartmentID, PathPrefix: common.String("/v1"),
		DisplayName: common.String("orders-v1"),
		Specification: &apigateway.ApiSpecification{Routes: []apigateway.ApiSpecificationRoute{{
			Path: common.String("/hello"), Methods: []apigateway.ApiSpecificationRouteMethodsEnum{apigateway.ApiSpecificationRouteMethodsGet},
			Backend: apigateway.StockResponseBackend{Status: common.Int(200), Body: common.String("ok")},
		}}},
	}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		d, err := dep.GetDeployment(ctx, apigateway.GetDeploymentRequest{DeploymentId: created.Id})
		return err == nil && d.LifecycleState == apigateway.DeploymentLifecycleStateActive
	}, 30*time.Second, 50*time.Millisecond)

	// An application and a function, through the Go SDK, on an image in the emulator's registry.
	ref, err := name.ParseReference(info.Registry + "/" + info.Namespace + "/fns/hello:0.0.1")
	require.NoError(t, err)
	img, err := random.Image(64, 1)
	require.NoError(t, err)
	cf, err := img.ConfigFile()
	require.NoError(t, err)
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	img, err = mutate.ConfigFile(img, cf)
	require.NoError(t, err)
	require.NoError(t, remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: info.RegistryUsername, Password: info.RegistryToken})))
	fm, err := functions.NewFunctionsManagementClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	fm.Host = info.Endpoints.Functions
	app, err := fm.CreateApplication(ctx, functions.CreateApplicationRequest{CreateApplicationDetails: functions.CreateApplicationDetails{
		CompartmentId: &info.CompartmentID, DisplayName: common.String("orders"), SubnetIds: []string{info.SubnetID}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		a, err := fm.GetApplication(ctx, functions.GetApplicationRequest{ApplicationId: app.Id})
		return err == nil && a.LifecycleState == functions.ApplicationLifecycleStateActive
	}, 30*time.Second, 50*time.Millisecond)
	fn, err := fm.CreateFunction(ctx, functions.CreateFunctionRequest{CreateFunctionDetails: functions.CreateFunctionDetails{
		DisplayName: common.String("order-validator"), ApplicationId: app.Id, MemoryInMBs: common.Int64(256),
		SourceDetails: functions.CreateContainerImageFunctionSourceDetails{Image: common.String(ref.String())}}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		f, err := fm.GetFunction(ctx, functions.GetFunctionRequest{FunctionId: fn.Id})
		return err == nil && f.LifecycleState == functions.FunctionLifecycleStateActive
	}, 30*time.Second, 50*time.Millisecond)

	// A policy (the gateway-to-functions grant) and an execution log for the
	// deployment, through the Go SDK.
	idc, err := identity.NewIdentityClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	idc.Host = info.Endpoints.Identity
	policy, err := idc.CreatePolicy(ctx, identity.CreatePolicyRequest{CreatePolicyDetails: identity.CreatePolicyDetails{
		CompartmentId: &info.CompartmentID, Name: common.String("gateway-invoke-functions-policy"),
		Description: common.String("lets API Gateway invoke functions"),
		Statements: []string{"Allow any-user to use functions-family in compartment id " + info.CompartmentID +
			" where ALL {request.principal.type='ApiGateway'}"},
	}})
	require.NoError(t, err)
	lc, err := logging.NewLoggingManagementClientWithConfigurationProvider(cp)
	require.NoError(t, err)
	lc.Host = info.Endpoints.Logging
	_, err = lc.CreateLogGroup(ctx, logging.CreateLogGroupRequest{CreateLogGroupDetails: logging.CreateLogGroupDetails{
		CompartmentId: &info.CompartmentID, DisplayName: common.String("api-logs")}})
	require.NoError(t, err)
	var groupID string
	require.Eventually(t, func() bool {
		groups, err := lc.ListLogGroups(ctx, logging.ListLogGroupsRequest{CompartmentId: &info.CompartmentID})
		if err != nil || len(groups.Items) != 1 || groups.Items[0].LifecycleState != logging.LogGroupLifecycleStateActive {
			return false
		}
		groupID = *groups.Items[0].Id
		return true
	}, 30*time.Second, 50*time.Millisecond)
	_, err = lc.CreateLog(ctx, logging.CreateLogRequest{LogGroupId: &groupID, CreateLogDetails: logging.CreateLogDetails{
		DisplayName: common.String("gateway-execution-log"), LogType: logging.CreateLogDetailsLogTypeService, IsEnabled: common.Bool(true),
		RetentionDuration: common.Int(30),
		Configuration: &logging.Configuration{Source: logging.OciService{Service: common.String("apigateway"),
			Resource: created.Id, Category: common.String("execution")}},
	}})
	require.NoError(t, err)
	var logID string
	require.Eventually(t, func() bool {
		logs, err := lc.ListLogs(ctx, logging.ListLogsRequest{LogGroupId: &groupID})
		if err != nil || len(logs.Items) != 1 || logs.Items[0].LifecycleState != logging.LogLifecycleStateActive {
			return false
		}
		logID = *logs.Items[0].Id
		return true
	}, 30*time.Second, 50*time.Millisecond)

	// The OCI CLI sees the same things.
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.CommandContext(ctx, oci, append([]string{"--config-file", info.OCIConfigFile, "--profile", info.OCIProfile,
			"--endpoint", info.Endpoints.APIGateway}, args...)...)
		cmd.Env = append(os.Environ(), "SUPPRESS_LABEL_WARNING=True", "OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING=True")
		out, err := cmd.Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("oci %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(out, &doc), "oci %s printed %q", strings.Join(args, " "), out)
		return doc
	}
	list := run("api-gateway", "deployment", "list", "--compartment-id", info.CompartmentID)
	items := list["data"].(map[string]any)["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, *created.Id, items[0].(map[string]any)["id"])
	got := run("api-gateway", "deployment", "get", "--deployment-id", *created.Id)["data"].(map[string]any)
	require.Equal(t, "/v1", got["path-prefix"])
	require.Equal(t, "ACTIVE", got["lifecycle-state"])
	require.Equal(t, "orders-v1", got["display-name"])

	fns := run("fn", "function", "list", "--application-id", *app.Id)["data"].([]any)
	require.Len(t, fns, 1)
	f := run("fn", "function", "get", "--function-id", *fn.Id)["data"].(map[string]any)
	require.Equal(t, "order-validator", f["display-name"])
	require.Equal(t, "ACTIVE", f["lifecycle-state"])
	require.Equal(t, ref.String(), f["source-details"].(map[string]any)["image"])

	policies := run("iam", "policy", "list", "--compartment-id", info.CompartmentID, "--all")["data"].([]any)
	var found bool
	for _, p := range policies {
		found = found || p.(map[string]any)["id"] == *policy.Id
	}
	require.True(t, found, "the CLI lists the policy: %v", policies)
	pol := run("iam", "policy", "get", "--policy-id", *policy.Id)["data"].(map[string]any)
	require.Equal(t, policy.Statements, toStrings(pol["statements"].([]any)))

	logs := run("logging", "log", "list", "--log-group-id", groupID)["data"].([]any)
	require.Len(t, logs, 1)
	lg := run("logging", "log", "get", "--log-group-id", groupID, "--log-id", logID)["data"].(map[string]any)
	require.Equal(t, true, lg["is-enabled"])
	source := lg["configuration"].(map[string]any)["source"].(map[string]any)
	require.Equal(t, *created.Id, source["resource"])
	require.Equal(t, "execution", source["category"])
}

func toStrings(in []any) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i], _ = v.(string)
	}
	return out
}
