package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// TestFunctionsPaging lists 25 functions page by page through the SDK,
// with the documented default limit (10), sort orders and filters.
func TestFunctionsPaging(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	image, _ := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	app := e.createApp("paging", "")
	other := e.createApp("other", "")
	e.createFn(fnDetails(*other.Id, "elsewhere", image))
	var names []string
	for _, i := range []int{7, 3, 24, 0, 11, 19, 5, 14, 22, 1, 9, 16, 2, 20, 13, 8, 23, 4, 18, 10, 6, 21, 12, 17, 15} {
		name := fmt.Sprintf("fn-%02d", i)
		names = append(names, name)
		e.createFn(fnDetails(*app.Id, name, image))
	}
	slices.Sort(names)

	listAll := func(req functions.ListFunctionsRequest) ([]string, []int) {
		var got []string
		var sizes []int
		for {
			resp, err := e.mgmt.ListFunctions(e.ctx, req)
			require.NoError(t, err)
			sizes = append(sizes, len(resp.Items))
			for _, f := range resp.Items {
				got = append(got, *f.DisplayName)
			}
			if resp.OpcNextPage == nil {
				return got, sizes
			}
			req.Page = resp.OpcNextPage
		}
	}
	got, sizes := listAll(functions.ListFunctionsRequest{ApplicationId: app.Id})
	require.Equal(t, names, got, "sorted by displayName, ascending, by default")
	require.Equal(t, []int{10, 10, 5}, sizes, "10 per page by default")

	got, sizes = listAll(functions.ListFunctionsRequest{ApplicationId: app.Id, Limit: common.Int(7), SortOrder: functions.ListFunctionsSortOrderDesc})
	require.Equal(t, []int{7, 7, 7, 4}, sizes)
	desc := slices.Clone(names)
	slices.Reverse(desc)
	require.Equal(t, desc, got)

	got, _ = listAll(functions.ListFunctionsRequest{ApplicationId: app.Id, Limit: common.Int(50), SortBy: functions.ListFunctionsSortByTimecreated, SortOrder: functions.ListFunctionsSortOrderAsc})
	require.Len(t, got, 25)

	resp, err := e.mgmt.ListFunctions(e.ctx, functions.ListFunctionsRequest{ApplicationId: app.Id, DisplayName: common.String("fn-13")})
	require.NoError(t, err)
	require.Len(t, resp.Items, 1)
	id := resp.Items[0].Id
	resp, err = e.mgmt.ListFunctions(e.ctx, functions.ListFunctionsRequest{ApplicationId: app.Id, Id: id, LifecycleState: "Active"})
	require.NoError(t, err)
	require.Len(t, resp.Items, 1, "lifecycleState matches in any case")
	require.Equal(t, "fn-13", *resp.Items[0].DisplayName)
	resp, err = e.mgmt.ListFunctions(e.ctx, functions.ListFunctionsRequest{ApplicationId: app.Id, LifecycleState: functions.FunctionLifecycleStateDeleted})
	require.NoError(t, err)
	require.Empty(t, resp.Items)
	require.NotNil(t, resp.Items, "an empty list is [], not null")

	for _, tc := range []struct {
		req    functions.ListFunctionsRequest
		status int
		code   string
		msg    string
	}{
		{functions.ListFunctionsRequest{ApplicationId: app.Id, Limit: common.Int(51)}, 400, "InvalidParameter", `limit "51" must be a number from 1 to 50`},
		{functions.ListFunctionsRequest{ApplicationId: app.Id, Limit: common.Int(0)}, 400, "InvalidParameter", `limit "0"`},
		{functions.ListFunctionsRequest{ApplicationId: app.Id, Page: common.String("x")}, 400, "InvalidParameter", `page "x" is not a page token`},
		{functions.ListFunctionsRequest{ApplicationId: common.String("ocid1.fnapp.oc1.iad.none")}, 404, "NotAuthorizedOrNotFound", "application ocid1.fnapp.oc1.iad.none not found"},
	} {
		_, err := e.mgmt.ListFunctions(e.ctx, tc.req)
		fnRequireError(t, err, tc.status, tc.code, tc.msg)
	}
	// The SDK refuses these before sending them.
	for query, msg := range map[string]string{
		"": "applicationId is required",
		"?applicationId=" + *app.Id + "&lifecycleState=SLEEPING": `lifecycleState "SLEEPING" is not one of CREATING, ACTIVE`,
		"?applicationId=" + *app.Id + "&sortBy=memory":           `sortBy "memory" must be timeCreated, displayName or id`,
		"?applicationId=" + *app.Id + "&sortOrder=UP":            `sortOrder "UP" must be ASC or DESC`,
	} {
		status, body := e.raw(http.MethodGet, "/20260325/functions"+query, "")
		require.Equal(t, http.StatusBadRequest, status, query)
		require.Contains(t, body["message"], msg)
	}
}

// TestFunctionsApplicationList lists applications by compartment, with
// paging and filters.
func TestFunctionsApplicationList(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	info := e.s.Info()
	for i := range 12 {
		e.createApp(fmt.Sprintf("app-%02d", i), "")
	}
	resp, err := e.mgmt.ListApplications(e.ctx, functions.ListApplicationsRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Len(t, resp.Items, 10)
	require.Equal(t, "app-00", *resp.Items[0].DisplayName)
	require.NotNil(t, resp.OpcNextPage)
	resp, err = e.mgmt.ListApplications(e.ctx, functions.ListApplicationsRequest{CompartmentId: &info.CompartmentID, Page: resp.OpcNextPage})
	require.NoError(t, err)
	require.Len(t, resp.Items, 2)
	require.Nil(t, resp.OpcNextPage)
	require.Equal(t, functions.ApplicationSummaryShapeX86, resp.Items[1].Shape)

	resp, err = e.mgmt.ListApplications(e.ctx, functions.ListApplicationsRequest{CompartmentId: &info.CompartmentID,
		DisplayName: common.String("app-07"), LifecycleState: functions.ApplicationLifecycleStateActive})
	require.NoError(t, err)
	require.Len(t, resp.Items, 1)
	resp, err = e.mgmt.ListApplications(e.ctx, functions.ListApplicationsRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.Empty(t, resp.Items)

	_, err = e.mgmt.ListApplications(e.ctx, functions.ListApplicationsRequest{CompartmentId: common.String("ocid1.compartment.oc1..nope")})
	fnRequireError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "compartment ocid1.compartment.oc1..nope not found")

	wrs, err := e.wr.ListWorkRequests(e.ctx, functions.ListWorkRequestsRequest{CompartmentId: &info.CompartmentID, Limit: common.Int(50)})
	require.NoError(t, err)
	require.Len(t, wrs.Items, 12)
	for _, w := range wrs.Items {
		require.Equal(t, functions.OperationTypeCreateApplication, w.OperationType)
		require.Equal(t, functions.OperationStatusSucceeded, w.Status)
	}
	wrs, err = e.wr.ListWorkRequests(e.ctx, functions.ListWorkRequestsRequest{CompartmentId: &info.CompartmentID, Status: functions.ListWorkRequestsStatusInProgress})
	require.NoError(t, err)
	require.Empty(t, wrs.Items)
}
