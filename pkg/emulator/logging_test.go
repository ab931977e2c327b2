package emulator

import (
	"net/http"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/logging"
	"github.com/stretchr/testify/require"
)

// createGroup creates an ACTIVE log group and returns its OCID.
func (e *iamEnv) createGroup(name string) string {
	e.t.Helper()
	comp := e.s.Info().CompartmentID
	resp, err := e.logs.CreateLogGroup(e.ctx, logging.CreateLogGroupRequest{CreateLogGroupDetails: logging.CreateLogGroupDetails{
		CompartmentId: &comp, DisplayName: common.String(name),
	}})
	require.NoError(e.t, err)
	e.settle()
	wr, err := e.logs.GetWorkRequest(e.ctx, logging.GetWorkRequestRequest{WorkRequestId: resp.OpcWorkRequestId})
	require.NoError(e.t, err)
	require.Equal(e.t, logging.OperationStatusSucceeded, wr.Status)
	return *wr.Resources[0].Identifier
}

// deployment creates an ACTIVE API deployment and returns its OCID.
func (e *iamEnv) deployment(prefix string) string {
	e.t.Helper()
	c := newAPIGWClients(e.t, e.s)
	return *c.createActive(e.t, e.clock, c.createDetails(prefix)).Id
}

// serviceLog is a SERVICE log of an API deployment.
func iamServiceLog(name, deploymentID, category string) logging.CreateLogDetails {
	return logging.CreateLogDetails{DisplayName: common.String(name), LogType: logging.CreateLogDetailsLogTypeService,
		IsEnabled: common.Bool(true), RetentionDuration: common.Int(30),
		Configuration: &logging.Configuration{Source: logging.OciService{Service: common.String("apigateway"),
			Resource: common.String(deploymentID), Category: common.String(category)}}}
}

// createLog creates a log and waits until it is ACTIVE.
func (e *iamEnv) createLog(group string, d logging.CreateLogDetails) logging.Log {
	e.t.Helper()
	resp, err := e.logs.CreateLog(e.ctx, logging.CreateLogRequest{LogGroupId: &group, CreateLogDetails: d})
	require.NoError(e.t, err)
	e.settle()
	wr, err := e.logs.GetWorkRequest(e.ctx, logging.GetWorkRequestRequest{WorkRequestId: resp.OpcWorkRequestId})
	require.NoError(e.t, err)
	require.Equal(e.t, logging.OperationStatusSucceeded, wr.Status)
	got, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: wr.Resources[0].Identifier})
	require.NoError(e.t, err)
	require.Equal(e.t, logging.LogLifecycleStateActive, got.LifecycleState)
	return got.Log
}

// TestLoggingLifecycle walks the seed's execution log through the real
// LoggingManagementClient: a log group, a SERVICE log of an API
// deployment, what doctor reads, disable, enable, delete.
func TestLoggingLifecycle(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	comp := e.s.Info().CompartmentID

	created, err := e.logs.CreateLogGroup(e.ctx, logging.CreateLogGroupRequest{CreateLogGroupDetails: logging.CreateLogGroupDetails{
		CompartmentId: &comp, DisplayName: common.String("api-logs"), Description: common.String("gateway logs"),
	}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.RawResponse.StatusCode)
	wr, err := e.logs.GetWorkRequest(e.ctx, logging.GetWorkRequestRequest{WorkRequestId: created.OpcWorkRequestId})
	require.NoError(t, err)
	require.Equal(t, logging.OperationStatusAccepted, wr.Status)
	require.Equal(t, logging.OperationTypesCreateLogGroup, wr.OperationType)
	require.NotNil(t, wr.RetryAfter)
	group := *wr.Resources[0].Identifier
	g, err := e.logs.GetLogGroup(e.ctx, logging.GetLogGroupRequest{LogGroupId: &group})
	require.NoError(t, err)
	require.Equal(t, logging.LogGroupLifecycleStateCreating, g.LifecycleState)
	e.settle()
	g, err = e.logs.GetLogGroup(e.ctx, logging.GetLogGroupRequest{LogGroupId: &group})
	require.NoError(t, err)
	require.Equal(t, logging.LogGroupLifecycleStateActive, g.LifecycleState)
	require.NotEmpty(t, *g.Etag)

	dep := e.deployment("/v1")
	execLog := e.createLog(group, iamServiceLog("gateway-execution-log", dep, "execution"))
	require.True(t, *execLog.IsEnabled)
	require.Equal(t, 30, *execLog.RetentionDuration)
	require.Equal(t, comp, *execLog.CompartmentId)
	require.Equal(t, comp, *execLog.Configuration.CompartmentId, "the source's compartment defaults to the group's")
	src, ok := execLog.Configuration.Source.(logging.OciService)
	require.True(t, ok, "the source decodes as OciService: %T", execLog.Configuration.Source)
	require.Equal(t, "execution", *src.Category)
	e.createLog(group, iamServiceLog("gateway-access-log", dep, "access"))

	// What doctor reads: log groups, then the service logs of the deployment.
	groups, err := e.logs.ListLogGroups(e.ctx, logging.ListLogGroupsRequest{CompartmentId: &comp})
	require.NoError(t, err)
	require.Len(t, groups.Items, 1)
	logs, err := e.logs.ListLogs(e.ctx, logging.ListLogsRequest{LogGroupId: &group, LogType: logging.ListLogsLogTypeService,
		SourceService: common.String("apigateway"), SourceResource: &dep, SortBy: logging.ListLogsSortByDisplayname})
	require.NoError(t, err)
	require.Len(t, logs.Items, 2)
	require.Equal(t, "gateway-access-log", *logs.Items[0].DisplayName)
	require.Equal(t, "gateway-execution-log", *logs.Items[1].DisplayName)
	other, err := e.logs.ListLogs(e.ctx, logging.ListLogsRequest{LogGroupId: &group, SourceResource: common.String("ocid1.apideployment.oc1.iad.other")})
	require.NoError(t, err)
	require.Empty(t, other.Items)
	custom, err := e.logs.ListLogs(e.ctx, logging.ListLogsRequest{LogGroupId: &group, LogType: logging.ListLogsLogTypeCustom})
	require.NoError(t, err)
	require.Empty(t, custom.Items)

	// Disable: UPDATING, then ACTIVE with isEnabled false.
	_, err = e.logs.UpdateLog(e.ctx, logging.UpdateLogRequest{LogGroupId: &group, LogId: execLog.Id, IfMatch: common.String("stale"),
		UpdateLogDetails: logging.UpdateLogDetails{IsEnabled: common.Bool(false)}})
	requireServiceError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", "")
	cur, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: execLog.Id})
	require.NoError(t, err)
	upd, err := e.logs.UpdateLog(e.ctx, logging.UpdateLogRequest{LogGroupId: &group, LogId: execLog.Id, IfMatch: cur.Etag,
		UpdateLogDetails: logging.UpdateLogDetails{IsEnabled: common.Bool(false), RetentionDuration: common.Int(180)}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, upd.RawResponse.StatusCode)
	require.NotEmpty(t, *upd.OpcWorkRequestId)
	mid, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: execLog.Id})
	require.NoError(t, err)
	require.Equal(t, logging.LogLifecycleStateUpdating, mid.LifecycleState)
	require.True(t, *mid.IsEnabled, "the change takes effect when the work request succeeds")
	_, err = e.logs.UpdateLog(e.ctx, logging.UpdateLogRequest{LogGroupId: &group, LogId: execLog.Id,
		UpdateLogDetails: logging.UpdateLogDetails{IsEnabled: common.Bool(true)}})
	requireServiceError(t, err, http.StatusConflict, "IncorrectState", "is UPDATING and cannot be updated until it is ACTIVE")
	e.settle()
	off, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: execLog.Id})
	require.NoError(t, err)
	require.Equal(t, logging.LogLifecycleStateActive, off.LifecycleState)
	require.False(t, *off.IsEnabled)
	require.Equal(t, 180, *off.RetentionDuration)
	disabled, err := e.logs.ListLogs(e.ctx, logging.ListLogsRequest{LogGroupId: &group, DisplayName: common.String("gateway-execution-log")})
	require.NoError(t, err)
	require.False(t, *disabled.Items[0].IsEnabled)

	// A group with logs cannot go; its logs can.
	_, err = e.logs.DeleteLogGroup(e.ctx, logging.DeleteLogGroupRequest{LogGroupId: &group})
	requireServiceError(t, err, http.StatusConflict, "Conflict", "still holds 2 log(s)")
	for _, l := range logs.Items {
		_, err := e.logs.DeleteLog(e.ctx, logging.DeleteLogRequest{LogGroupId: &group, LogId: l.Id})
		require.NoError(t, err)
	}
	gone, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: execLog.Id})
	require.NoError(t, err)
	require.Equal(t, logging.LogLifecycleStateDeleting, gone.LifecycleState)
	e.settle()
	_, err = e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: execLog.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "log "+*execLog.Id)
	_, err = e.logs.DeleteLogGroup(e.ctx, logging.DeleteLogGroupRequest{LogGroupId: &group})
	require.NoError(t, err)
	e.settle()
	_, err = e.logs.GetLogGroup(e.ctx, logging.GetLogGroupRequest{LogGroupId: &group})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "log group "+group)
}

// TestLoggingWorkRequests lists Logging's work requests and their logs,
// and replays a create sent twice with one retry token.
func TestLoggingWorkRequests(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	comp := e.s.Info().CompartmentID
	token := common.String("logging-retry-token")
	req := logging.CreateLogGroupRequest{OpcRetryToken: token, CreateLogGroupDetails: logging.CreateLogGroupDetails{
		CompartmentId: &comp, DisplayName: common.String("once")}}
	first, err := e.logs.CreateLogGroup(e.ctx, req)
	require.NoError(t, err)
	again, err := e.logs.CreateLogGroup(e.ctx, req)
	require.NoError(t, err)
	require.Equal(t, *first.OpcWorkRequestId, *again.OpcWorkRequestId, "the same token and request get the first answer")
	require.Equal(t, http.StatusCreated, again.RawResponse.StatusCode)
	req.DisplayName = common.String("other")
	_, err = e.logs.CreateLogGroup(e.ctx, req)
	requireServiceError(t, err, http.StatusConflict, "InvalidatedRetryToken", "")
	e.settle()
	e.createGroup("second")

	list, err := e.logs.ListWorkRequests(e.ctx, logging.ListWorkRequestsRequest{CompartmentId: &comp})
	require.NoError(t, err)
	require.Len(t, list.Items, 2)
	require.Equal(t, logging.OperationStatusSucceeded, list.Items[0].Status)
	only, err := e.logs.ListWorkRequests(e.ctx, logging.ListWorkRequestsRequest{CompartmentId: &comp, Id: first.OpcWorkRequestId,
		Status: logging.ListWorkRequestsStatusSucceeded})
	require.NoError(t, err)
	require.Len(t, only.Items, 1)
	paged, err := e.logs.ListWorkRequests(e.ctx, logging.ListWorkRequestsRequest{CompartmentId: &comp, Limit: common.Int(1),
		SortBy: logging.ListWorkRequestsSortByTimeaccepted, SortOrder: logging.ListWorkRequestsSortOrderAsc})
	require.NoError(t, err)
	require.Equal(t, *first.OpcWorkRequestId, *paged.Items[0].Id)
	require.NotNil(t, paged.OpcNextPage)

	wrLogs, err := e.logs.ListWorkRequestLogs(e.ctx, logging.ListWorkRequestLogsRequest{WorkRequestId: first.OpcWorkRequestId})
	require.NoError(t, err)
	require.Equal(t, "CREATE_LOG_GROUP accepted", *wrLogs.Items[0].Message)
	require.Len(t, wrLogs.Items, 3)
	wrErrs, err := e.logs.ListWorkRequestErrors(e.ctx, logging.ListWorkRequestErrorsRequest{WorkRequestId: first.OpcWorkRequestId})
	require.NoError(t, err)
	require.Empty(t, wrErrs.Items)
	_, err = e.logs.GetWorkRequest(e.ctx, logging.GetWorkRequestRequest{WorkRequestId: common.String("ocid1.logworkrequest.oc1.iad.nope")})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "work request ocid1.logworkrequest.oc1.iad.nope")
	_, err = e.logs.ListWorkRequests(e.ctx, logging.ListWorkRequestsRequest{CompartmentId: common.String("ocid1.compartment.oc1..nope")})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "compartment ocid1.compartment.oc1..nope")
	done, err := e.logs.GetWorkRequest(e.ctx, logging.GetWorkRequestRequest{WorkRequestId: first.OpcWorkRequestId})
	require.NoError(t, err)
	require.Nil(t, done.RetryAfter, "no retry-after once finished")
	require.Equal(t, float32(100), *done.PercentComplete)
	require.Equal(t, logging.ActionTypesCreated, done.Resources[0].ActionType)
}

// TestLoggingFailedWorkRequests drives the FAILED paths with failWork: a
// failed create leaves the resource FAILED (deletable), a failed update
// leaves it ACTIVE and unchanged.
func TestLoggingFailedWorkRequests(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	comp := e.s.Info().CompartmentID
	group := e.createGroup("ok")
	l := e.createLog(group, logging.CreateLogDetails{DisplayName: common.String("custom"), LogType: logging.CreateLogDetailsLogTypeCustom})
	e.locked(func(st *state) {
		st.logs.failWork = func(op, _ string) error {
			return &apiError{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: op + " failed on purpose"}
		}
	})

	resp, err := e.logs.CreateLogGroup(e.ctx, logging.CreateLogGroupRequest{CreateLogGroupDetails: logging.CreateLogGroupDetails{
		CompartmentId: &comp, DisplayName: common.String("doomed")}})
	require.NoError(t, err)
	_, err = e.logs.UpdateLog(e.ctx, logging.UpdateLogRequest{LogGroupId: &group, LogId: l.Id,
		UpdateLogDetails: logging.UpdateLogDetails{IsEnabled: common.Bool(false)}})
	require.NoError(t, err)
	e.settle()
	wr, err := e.logs.GetWorkRequest(e.ctx, logging.GetWorkRequestRequest{WorkRequestId: resp.OpcWorkRequestId})
	require.NoError(t, err)
	require.Equal(t, logging.OperationStatusFailed, wr.Status)
	errs, err := e.logs.ListWorkRequestErrors(e.ctx, logging.ListWorkRequestErrorsRequest{WorkRequestId: resp.OpcWorkRequestId})
	require.NoError(t, err)
	require.Len(t, errs.Items, 1)
	require.Equal(t, "InternalServerError", *errs.Items[0].Code)
	require.Contains(t, *errs.Items[0].Message, "CREATE_LOG_GROUP failed on purpose")
	doomed := wr.Resources[0].Identifier
	g, err := e.logs.GetLogGroup(e.ctx, logging.GetLogGroupRequest{LogGroupId: doomed})
	require.NoError(t, err)
	require.Equal(t, logging.LogGroupLifecycleStateFailed, g.LifecycleState)
	got, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: l.Id})
	require.NoError(t, err)
	require.Equal(t, logging.LogLifecycleStateActive, got.LifecycleState)
	require.True(t, *got.IsEnabled, "a failed update changes nothing")

	_, err = e.logs.UpdateLogGroup(e.ctx, logging.UpdateLogGroupRequest{LogGroupId: doomed, UpdateLogGroupDetails: logging.UpdateLogGroupDetails{Description: common.String("d")}})
	requireServiceError(t, err, http.StatusConflict, "IncorrectState", "is FAILED and cannot be updated")
	e.locked(func(st *state) { st.logs.failWork = nil })
	_, err = e.logs.DeleteLogGroup(e.ctx, logging.DeleteLogGroupRequest{LogGroupId: doomed})
	require.NoError(t, err, "a FAILED group can be deleted")
	e.settle()
	_, err = e.logs.GetLogGroup(e.ctx, logging.GetLogGroupRequest{LogGroupId: doomed})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "")
}
