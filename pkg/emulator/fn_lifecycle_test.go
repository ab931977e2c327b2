package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// TestFunctionsLifecycleThroughTheSDK drives an application and a function
// from creation to deletion with the default latency model, through the
// SDK's management and work request clients.
func TestFunctionsLifecycleThroughTheSDK(t *testing.T) {
	t.Parallel()
	s := startTest(t) // default latency: work requests take ~100 ms
	e := fnEnvOf(t, s)
	info := s.Info()
	image, digest := fnPush(t, s, "fns/hello:0.0.1", "linux/amd64")

	app, err := e.mgmt.CreateApplication(e.ctx, functions.CreateApplicationRequest{CreateApplicationDetails: functions.CreateApplicationDetails{
		CompartmentId: &info.CompartmentID, DisplayName: common.String("orders"), SubnetIds: []string{info.SubnetID},
		Config: map[string]string{"LEVEL": "app"},
	}})
	require.NoError(t, err)
	require.Equal(t, functions.ApplicationLifecycleStateCreating, app.LifecycleState)
	require.Equal(t, functions.ApplicationShapeX86, app.Shape, "GENERIC_X86 is the default shape")
	require.NotEmpty(t, *app.Etag)
	require.NotNil(t, app.OpcWorkRequestId)
	wr := e.wait(*app.OpcWorkRequestId)
	require.Equal(t, functions.OperationTypeCreateApplication, wr.OperationType)
	require.Equal(t, *app.Id, *wr.Resources[0].Identifier)
	require.Equal(t, functions.ActionTypeCreated, wr.Resources[0].ActionType)
	require.Equal(t, float32(100), *wr.PercentComplete)
	require.NotNil(t, wr.TimeFinished)

	created, err := e.mgmt.CreateFunction(e.ctx, functions.CreateFunctionRequest{CreateFunctionDetails: fnDetails(*app.Id, "hello", image)})
	require.NoError(t, err)
	require.Equal(t, functions.FunctionLifecycleStateCreating, created.LifecycleState)
	src, ok := created.SourceDetails.(functions.ContainerImageFunctionSourceDetails)
	require.True(t, ok, "sourceDetails is %T", created.SourceDetails)
	require.Equal(t, image, *src.Image)
	require.Equal(t, digest, *src.ImageDigest, "the digest is resolved from the tag")
	require.Equal(t, functions.FunctionShapeX86, created.Shape)
	require.Equal(t, info.Endpoints.Functions, *created.InvokeEndpoint)
	require.Equal(t, 30, *created.TimeoutInSeconds, "timeoutInSeconds defaults to 30")
	require.IsType(t, functions.NoneProvisionedConcurrencyConfig{}, created.ProvisionedConcurrencyConfig)
	require.Equal(t, info.CompartmentID, *created.CompartmentId)
	e.wait(*created.OpcWorkRequestId)

	got, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: created.Id})
	require.NoError(t, err)
	require.Equal(t, functions.FunctionLifecycleStateActive, got.LifecycleState)
	require.NotEqual(t, *created.Etag, *got.Etag, "the etag changes with the state")

	upd, err := e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: created.Id, IfMatch: got.Etag,
		UpdateFunctionDetails: functions.UpdateFunctionDetails{MemoryInMBs: common.Int64(512), Config: map[string]string{"LEVEL": "fn"}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, upd.RawResponse.StatusCode)
	during, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: created.Id})
	require.NoError(t, err)
	require.Equal(t, functions.FunctionLifecycleStateUpdating, during.LifecycleState)
	require.Equal(t, int64(256), *during.MemoryInMBs, "the update applies when its work request completes")
	wr = e.wait(*upd.OpcWorkRequestId)
	require.Equal(t, functions.OperationTypeUpdateFunction, wr.OperationType)
	after, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: created.Id})
	require.NoError(t, err)
	require.Equal(t, functions.FunctionLifecycleStateActive, after.LifecycleState)
	require.Equal(t, int64(512), *after.MemoryInMBs)
	require.Equal(t, map[string]string{"LEVEL": "fn"}, after.Config)
	require.Equal(t, digest, *after.SourceDetails.(functions.ContainerImageFunctionSourceDetails).ImageDigest)

	list, err := e.wr.ListWorkRequests(e.ctx, functions.ListWorkRequestsRequest{CompartmentId: &info.CompartmentID, ResourceId: created.Id})
	require.NoError(t, err)
	require.Len(t, list.Items, 2)
	require.Equal(t, functions.OperationTypeUpdateFunction, list.Items[0].OperationType, "newest first")
	logs, err := e.wr.ListWorkRequestLogs(e.ctx, functions.ListWorkRequestLogsRequest{WorkRequestId: upd.OpcWorkRequestId})
	require.NoError(t, err)
	require.Len(t, logs.Items, 3)
	require.Contains(t, *logs.Items[0].Message, "succeeded")
	errs, err := e.wr.ListWorkRequestErrors(e.ctx, functions.ListWorkRequestErrorsRequest{WorkRequestId: upd.OpcWorkRequestId})
	require.NoError(t, err)
	require.Empty(t, errs.Items)

	_, err = e.mgmt.DeleteApplication(e.ctx, functions.DeleteApplicationRequest{ApplicationId: app.Id})
	fnRequireError(t, err, http.StatusConflict, "Conflict", "has 1 function(s)")

	del, err := e.mgmt.DeleteFunction(e.ctx, functions.DeleteFunctionRequest{FunctionId: created.Id})
	require.NoError(t, err)
	e.wait(*del.OpcWorkRequestId)
	gone, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: created.Id})
	require.NoError(t, err)
	require.Equal(t, functions.FunctionLifecycleStateDeleted, gone.LifecycleState)

	delApp, err := e.mgmt.DeleteApplication(e.ctx, functions.DeleteApplicationRequest{ApplicationId: app.Id})
	require.NoError(t, err)
	e.wait(*delApp.OpcWorkRequestId)
	goneApp, err := e.mgmt.GetApplication(e.ctx, functions.GetApplicationRequest{ApplicationId: app.Id})
	require.NoError(t, err)
	require.Equal(t, functions.ApplicationLifecycleStateDeleted, goneApp.LifecycleState)

	// A name is free again once its holder is deleted.
	again := e.createApp("orders", "")
	require.NotEqual(t, *app.Id, *again.Id)
}

// TestFunctionsApplicationUpdate updates an application's configuration,
// tags and tracing, and shows the shape cannot change.
func TestFunctionsApplicationUpdate(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	app := e.createApp("app", functions.CreateApplicationDetailsShapeArm)
	require.Equal(t, functions.ApplicationShapeArm, app.Shape)
	got, err := e.mgmt.GetApplication(e.ctx, functions.GetApplicationRequest{ApplicationId: app.Id})
	require.NoError(t, err)

	_, err = e.mgmt.UpdateApplication(e.ctx, functions.UpdateApplicationRequest{ApplicationId: app.Id, IfMatch: common.String("stale"),
		UpdateApplicationDetails: functions.UpdateApplicationDetails{Config: map[string]string{"A": "1"}}})
	fnRequireError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", "does not match the current etag")

	upd, err := e.mgmt.UpdateApplication(e.ctx, functions.UpdateApplicationRequest{ApplicationId: app.Id, IfMatch: got.Etag,
		UpdateApplicationDetails: functions.UpdateApplicationDetails{
			Config:       map[string]string{"A": "1"},
			FreeformTags: map[string]string{"team": "orders"},
			TraceConfig:  &functions.ApplicationTraceConfig{IsEnabled: common.Bool(true), DomainId: common.String("ocid1.apmdomain.oc1..x")},
			Logging:      &functions.ApplicationLoggingConfig{LineFormat: "plain_text"},
		}})
	require.NoError(t, err)
	e.wait(*upd.OpcWorkRequestId)
	after, err := e.mgmt.GetApplication(e.ctx, functions.GetApplicationRequest{ApplicationId: app.Id})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"A": "1"}, after.Config)
	require.Equal(t, map[string]string{"team": "orders"}, after.FreeformTags)
	require.True(t, *after.TraceConfig.IsEnabled)
	require.Equal(t, functions.ApplicationLoggingConfigLineFormatPlainText, after.Logging.LineFormat, "enum case is normalised")
	require.Equal(t, functions.ApplicationShapeArm, after.Shape)
	require.NotEqual(t, *got.Etag, *after.Etag)

	status, body := e.raw(http.MethodPut, "/20260325/applications/"+*app.Id, `{"shape":"GENERIC_X86"}`)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, "InvalidParameter", body["code"])
	require.Contains(t, body["message"], "shape cannot be changed after create")
}

// TestFunctionsStatesAndEtags checks the 409s of resources that are
// changing and the 412s of stale etags, with a clock moved by hand.
func TestFunctionsStatesAndEtags(t *testing.T) {
	t.Parallel()
	clock := newFnClock()
	s := startTest(t, withClock(clock.now))
	e := fnEnvOf(t, s)
	info := s.Info()
	image, _ := fnPush(t, s, "fns/hello:0.0.1", "linux/amd64")

	app, err := e.mgmt.CreateApplication(e.ctx, functions.CreateApplicationRequest{CreateApplicationDetails: functions.CreateApplicationDetails{
		CompartmentId: &info.CompartmentID, DisplayName: common.String("app"), SubnetIds: []string{info.SubnetID}}})
	require.NoError(t, err)
	_, err = e.mgmt.CreateFunction(e.ctx, functions.CreateFunctionRequest{CreateFunctionDetails: fnDetails(*app.Id, "f", image)})
	fnRequireError(t, err, http.StatusConflict, "IncorrectState", "is CREATING")

	// Work requests move only with the clock.
	wr, err := e.wr.GetWorkRequest(e.ctx, functions.GetWorkRequestRequest{WorkRequestId: app.OpcWorkRequestId})
	require.NoError(t, err)
	require.Equal(t, functions.OperationStatusAccepted, wr.Status)
	require.Equal(t, 1, *wr.RetryAfter)
	clock.advance(DefaultLatency.Accept)
	wr, err = e.wr.GetWorkRequest(e.ctx, functions.GetWorkRequestRequest{WorkRequestId: app.OpcWorkRequestId})
	require.NoError(t, err)
	require.Equal(t, functions.OperationStatusInProgress, wr.Status)
	require.Equal(t, float32(50), *wr.PercentComplete)
	require.Equal(t, functions.ActionTypeInProgress, wr.Resources[0].ActionType)
	clock.advance(DefaultLatency.Run)

	fn, err := e.mgmt.CreateFunction(e.ctx, functions.CreateFunctionRequest{CreateFunctionDetails: fnDetails(*app.Id, "f", image)})
	require.NoError(t, err)
	_, err = e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: fn.Id,
		UpdateFunctionDetails: functions.UpdateFunctionDetails{TimeoutInSeconds: common.Int(60)}})
	fnRequireError(t, err, http.StatusConflict, "IncorrectState", "is CREATING")
	clock.advance(time.Second)

	got, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: fn.Id})
	require.NoError(t, err)
	for _, call := range []func() error{
		func() error {
			_, err := e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: fn.Id, IfMatch: common.String("0123"),
				UpdateFunctionDetails: functions.UpdateFunctionDetails{TimeoutInSeconds: common.Int(60)}})
			return err
		},
		func() error {
			_, err := e.mgmt.DeleteFunction(e.ctx, functions.DeleteFunctionRequest{FunctionId: fn.Id, IfMatch: common.String("0123")})
			return err
		},
	} {
		fnRequireError(t, call(), http.StatusPreconditionFailed, "NoEtagMatch", `if-match "0123"`)
	}

	_, err = e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: fn.Id, IfMatch: got.Etag,
		UpdateFunctionDetails: functions.UpdateFunctionDetails{TimeoutInSeconds: common.Int(60)}})
	require.NoError(t, err)
	_, err = e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: fn.Id,
		UpdateFunctionDetails: functions.UpdateFunctionDetails{TimeoutInSeconds: common.Int(90)}})
	fnRequireError(t, err, http.StatusConflict, "IncorrectState", "is UPDATING")
	_, err = e.mgmt.DeleteFunction(e.ctx, functions.DeleteFunctionRequest{FunctionId: fn.Id})
	fnRequireError(t, err, http.StatusConflict, "IncorrectState", "is UPDATING")
	_, err = e.invokeClient(*fn.InvokeEndpoint).InvokeFunction(e.ctx, functions.InvokeFunctionRequest{FunctionId: fn.Id})
	fnRequireError(t, err, http.StatusConflict, "IncorrectState", "can be invoked only when ACTIVE")

	clock.advance(time.Second)
	after, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: fn.Id})
	require.NoError(t, err)
	require.Equal(t, functions.FunctionLifecycleStateActive, after.LifecycleState)
	require.Equal(t, 60, *after.TimeoutInSeconds)
	require.NotEqual(t, *got.Etag, *after.Etag)
}

// TestFunctionsRetryTokens replays a create sent twice with the same
// opc-retry-token (the SDK sends none for Functions, other clients may),
// and refuses the token for another body.
func TestFunctionsRetryTokens(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	image, _ := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	app := e.createApp("app", "")
	body := fmt.Sprintf(`{"displayName":"once","applicationId":%q,"memoryInMBs":128,"sourceDetails":{"sourceType":"CONTAINER_IMAGE","image":%q}}`, *app.Id, image)
	var ids []string
	for range 2 {
		status, data, header := fnRawRequest(t, e.s, http.MethodPost, "/20260325/functions", []byte(body), "opc-retry-token", "token-1")
		require.Equal(t, http.StatusOK, status, "%s", data)
		var fn functions.Function
		require.NoError(t, json.Unmarshal(data, &fn))
		ids = append(ids, *fn.Id)
		require.NotEmpty(t, header.Get("opc-work-request-id"))
	}
	require.Equal(t, ids[0], ids[1], "the second create is a replay")
	status, data, _ := fnRawRequest(t, e.s, http.MethodPost, "/20260325/functions", []byte(strings.Replace(body, "once", "twice", 1)), "opc-retry-token", "token-1")
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, string(data), "InvalidatedRetryToken")
	list, err := e.mgmt.ListFunctions(e.ctx, functions.ListFunctionsRequest{ApplicationId: app.Id})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
}
