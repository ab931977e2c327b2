package emulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// TestFunctionsWorkRequests reads work requests, their errors and logs
// through the SDK's WorkRequestManagementClient, including a failed one.
func TestFunctionsWorkRequests(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	info := e.s.Info()
	app := e.createApp("app", "")

	// A work request whose effect fails (no operation of the emulator fails
	// on its own, so the test adds one).
	f := e.s.st.fns
	var failed *workRequest
	f.locked(func() {
		c := &call{now: e.s.st.now(), header: http.Header{}}
		failed = f.addWorkRequest(c, fnAPI20260325{}, "UPDATE_APPLICATION", info.CompartmentID, "application", *app.Id, "UPDATED",
			func(time.Time) error { return errConflict(codeIncorrectState, "the application changed meanwhile") })
	})

	got, err := e.wr.GetWorkRequest(e.ctx, functions.GetWorkRequestRequest{WorkRequestId: &failed.ID})
	require.NoError(t, err)
	require.Equal(t, functions.OperationStatusFailed, got.Status)
	require.Equal(t, functions.ActionTypeFailed, got.Resources[0].ActionType)
	require.Equal(t, "/20260325/applications/"+*app.Id, *got.Resources[0].EntityUri)
	require.Nil(t, got.RetryAfter, "no retry-after once finished")
	require.NotEmpty(t, *got.Etag)

	errs, err := e.wr.ListWorkRequestErrors(e.ctx, functions.ListWorkRequestErrorsRequest{WorkRequestId: &failed.ID})
	require.NoError(t, err)
	require.Len(t, errs.Items, 1)
	require.Equal(t, "IncorrectState", *errs.Items[0].Code)
	require.Contains(t, *errs.Items[0].Message, "the application changed meanwhile")
	require.NotNil(t, errs.Items[0].Timestamp)

	logs, err := e.wr.ListWorkRequestLogs(e.ctx, functions.ListWorkRequestLogsRequest{WorkRequestId: &failed.ID,
		SortOrder: functions.ListWorkRequestLogsSortOrderAsc})
	require.NoError(t, err)
	require.Len(t, logs.Items, 3)
	require.Equal(t, "UPDATE_APPLICATION accepted", *logs.Items[0].Message)
	require.Contains(t, *logs.Items[2].Message, "failed")
	logs, err = e.wr.ListWorkRequestLogs(e.ctx, functions.ListWorkRequestLogsRequest{WorkRequestId: &failed.ID, Limit: common.Int(2)})
	require.NoError(t, err)
	require.Len(t, logs.Items, 2)
	require.Contains(t, *logs.Items[0].Message, "failed", "newest first by default")
	require.Equal(t, "2", *logs.OpcNextPage)

	list, err := e.wr.ListWorkRequests(e.ctx, functions.ListWorkRequestsRequest{CompartmentId: &info.CompartmentID, Status: "failed"})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	require.Equal(t, failed.ID, *list.Items[0].Id)
	list, err = e.wr.ListWorkRequests(e.ctx, functions.ListWorkRequestsRequest{CompartmentId: &info.CompartmentID,
		ResourceId: app.Id, SortOrder: functions.ListWorkRequestsSortOrderAsc})
	require.NoError(t, err)
	require.Len(t, list.Items, 2)
	require.Equal(t, functions.OperationTypeCreateApplication, list.Items[0].OperationType)
	list, err = e.wr.ListWorkRequests(e.ctx, functions.ListWorkRequestsRequest{CompartmentId: &info.CompartmentID, WorkRequestId: &failed.ID})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)

	_, err = e.wr.ListWorkRequests(e.ctx, functions.ListWorkRequestsRequest{CompartmentId: common.String("ocid1.compartment.oc1..x")})
	fnRequireError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "compartment")
	for query, msg := range map[string]string{
		"": "compartmentId is required",
		"?compartmentId=" + info.CompartmentID + "&status=DONE":   `status "DONE" is not one of`,
		"?compartmentId=" + info.CompartmentID + "&sortBy=status": `sortBy "status" must be timeAccepted`,
		"?compartmentId=" + info.CompartmentID + "&limit=100":     `limit "100" must be a number from 1 to 50`,
	} {
		status, out := e.raw(http.MethodGet, "/20260325/workRequests"+query, "")
		require.Equal(t, http.StatusBadRequest, status, query)
		require.Contains(t, out["message"], msg)
	}
	status, out := e.raw(http.MethodGet, "/20260325/workRequests/"+failed.ID+"/logs?sortBy=message", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, out["message"], `sortBy "message" must be timestamp`)
}
