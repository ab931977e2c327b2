package emulator

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"
)

func TestAPIGatewayDeploymentLifecycle(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	info := c.s.Info()
	d := c.createDetails("/v1")
	d.FreeformTags = map[string]string{"osa-managed": "true", "osa-release": "v1.2.3", "osa-active-slot": "blue"}
	d.DefinedTags = map[string]map[string]interface{}{"ops": {"team": "payments"}}

	created := c.create(t, d)
	require.Equal(t, apigateway.DeploymentLifecycleStateCreating, created.LifecycleState)
	require.True(t, strings.HasPrefix(*created.Id, "ocid1.apideployment.oc1.iad."), *created.Id)
	require.Equal(t, info.GatewayURL+"/v1", *created.Endpoint)
	gw, err := c.gw.GetGateway(ctx, apigateway.GetGatewayRequest{GatewayId: created.GatewayId})
	require.NoError(t, err)
	require.Equal(t, "http://"+*gw.Hostname+"/v1", *created.Endpoint, "endpoint = http://<gateway hostname><pathPrefix>")
	require.Equal(t, d.FreeformTags, created.FreeformTags)
	require.Equal(t, d.DefinedTags, created.DefinedTags)
	require.NotEmpty(t, *created.Etag)
	require.Equal(t, info.Endpoints.APIGateway+"/20190501/deployments/"+*created.Id, *created.Location)
	wid := *created.OpcWorkRequestId

	// ACCEPTED, then IN_PROGRESS after 20 ms, then SUCCEEDED after 80 more.
	wr := c.workRequest(t, wid)
	require.Equal(t, apigateway.WorkRequestStatusAccepted, wr.Status)
	require.Equal(t, apigateway.WorkRequestOperationTypeCreateDeployment, wr.OperationType)
	require.Equal(t, info.CompartmentID, *wr.CompartmentId)
	require.Equal(t, []apigateway.WorkRequestResource{{EntityType: common.String("deployment"),
		ActionType: apigateway.WorkRequestResourceActionTypeInProgress, Identifier: created.Id,
		EntityUri: common.String("/20190501/deployments/" + *created.Id)}}, wr.Resources)
	require.InDelta(t, 0.02, *wr.RetryAfter, 1e-6)
	require.Zero(t, *wr.PercentComplete)
	require.Nil(t, wr.TimeStarted)

	clock.add(20 * time.Millisecond)
	wr = c.workRequest(t, wid)
	require.Equal(t, apigateway.WorkRequestStatusInProgress, wr.Status)
	require.NotNil(t, wr.TimeStarted)
	require.Nil(t, wr.TimeFinished)
	require.InDelta(t, 50, *wr.PercentComplete, 1e-6)
	require.InDelta(t, 0.08, *wr.RetryAfter, 1e-6)
	require.Equal(t, apigateway.DeploymentLifecycleStateCreating, c.get(t, *created.Id).LifecycleState)

	clock.add(80 * time.Millisecond)
	wr = c.workRequest(t, wid)
	require.Equal(t, apigateway.WorkRequestStatusSucceeded, wr.Status)
	require.Equal(t, apigateway.WorkRequestResourceActionTypeCreated, wr.Resources[0].ActionType)
	require.InDelta(t, 100, *wr.PercentComplete, 1e-6)
	require.Nil(t, wr.RetryAfter)
	require.Equal(t, wr.TimeAccepted.Add(100*time.Millisecond), wr.TimeFinished.Time)

	got := c.get(t, *created.Id)
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, got.LifecycleState)
	require.NotEqual(t, *created.Etag, *got.Etag, "the etag changes with the state")
	require.Equal(t, d.FreeformTags, got.FreeformTags)
	require.Equal(t, "/hello", *got.Specification.Routes[0].Path)
	require.Equal(t, apigateway.StockResponseBackend{Status: common.Int(200), Body: common.String("ok")}, got.Specification.Routes[0].Backend)

	logs, err := c.wr.ListWorkRequestLogs(ctx, apigateway.ListWorkRequestLogsRequest{WorkRequestId: &wid})
	require.NoError(t, err)
	var messages []string
	for _, l := range logs.Items {
		messages = append(messages, *l.Message)
	}
	require.Equal(t, []string{"CREATE_DEPLOYMENT accepted", "CREATE_DEPLOYMENT started", "CREATE_DEPLOYMENT succeeded"}, messages)
	errs, err := c.wr.ListWorkRequestErrors(ctx, apigateway.ListWorkRequestErrorsRequest{WorkRequestId: &wid})
	require.NoError(t, err)
	require.Empty(t, errs.Items)

	// Update: UPDATING with the old values until the work request ends;
	// tags are replaced as a whole.
	newSpec := &apigateway.ApiSpecification{Routes: []apigateway.ApiSpecificationRoute{apigwStockRoute("/hello"), apigwStockRoute("/bye")}}
	newTags := map[string]string{"osa-managed": "true", "osa-release": "v1.3.0"}
	up, err := c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: created.Id, IfMatch: got.Etag,
		UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{Specification: newSpec, FreeformTags: newTags, DisplayName: common.String("renamed")}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, up.RawResponse.StatusCode)
	updating := c.get(t, *created.Id)
	require.Equal(t, apigateway.DeploymentLifecycleStateUpdating, updating.LifecycleState)
	require.Len(t, updating.Specification.Routes, 1)
	require.Equal(t, "api-v1", *updating.DisplayName)
	require.Equal(t, apigateway.WorkRequestOperationTypeUpdateDeployment, c.workRequest(t, *up.OpcWorkRequestId).OperationType)

	clock.add(100 * time.Millisecond)
	updated := c.get(t, *created.Id)
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, updated.LifecycleState)
	require.Len(t, updated.Specification.Routes, 2)
	require.Equal(t, newTags, updated.FreeformTags)
	require.Equal(t, d.DefinedTags, updated.DefinedTags, "tags not sent are kept")
	require.Equal(t, "renamed", *updated.DisplayName)
	require.Equal(t, apigateway.WorkRequestResourceActionTypeUpdated, c.workRequest(t, *up.OpcWorkRequestId).Resources[0].ActionType)

	// Delete: DELETING, then DELETED, still readable; listed only when asked.
	del, err := c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: created.Id, IfMatch: updated.Etag})
	require.NoError(t, err)
	require.Equal(t, apigateway.DeploymentLifecycleStateDeleting, c.get(t, *created.Id).LifecycleState)
	clock.add(100 * time.Millisecond)
	require.Equal(t, apigateway.DeploymentLifecycleStateDeleted, c.get(t, *created.Id).LifecycleState)
	wr = c.workRequest(t, *del.OpcWorkRequestId)
	require.Equal(t, apigateway.WorkRequestOperationTypeDeleteDeployment, wr.OperationType)
	require.Equal(t, apigateway.WorkRequestResourceActionTypeDeleted, wr.Resources[0].ActionType)

	list, err := c.dep.ListDeployments(ctx, apigateway.ListDeploymentsRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Empty(t, list.Items)
	list, err = c.dep.ListDeployments(ctx, apigateway.ListDeploymentsRequest{CompartmentId: &info.CompartmentID,
		LifecycleState: apigateway.DeploymentLifecycleStateDeleted})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)

	// Deleted: the path prefix is free again; the old one is gone for good
	// after the retention.
	again := c.createActive(t, clock, c.createDetails("/v1"))
	_, err = c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: created.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", *created.Id)
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: created.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", *created.Id)
	c.locked(func(a *apigwState) { a.purge(clock.now().Add(apigwDeletedRetention + time.Second)) })
	_, err = c.dep.GetDeployment(ctx, apigateway.GetDeploymentRequest{DeploymentId: created.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", *created.Id)
	c.get(t, *again.Id)

	// Work requests of a resource, newest first.
	wrs, err := c.wr.ListWorkRequests(ctx, apigateway.ListWorkRequestsRequest{CompartmentId: &info.CompartmentID, ResourceId: created.Id})
	require.NoError(t, err)
	var ops []apigateway.WorkRequestOperationTypeEnum
	for _, w := range wrs.Items {
		ops = append(ops, w.OperationType)
		require.Equal(t, apigateway.WorkRequestStatusSucceeded, w.Status)
	}
	require.Equal(t, []apigateway.WorkRequestOperationTypeEnum{apigateway.WorkRequestOperationTypeDeleteDeployment,
		apigateway.WorkRequestOperationTypeUpdateDeployment, apigateway.WorkRequestOperationTypeCreateDeployment}, ops)
	require.Equal(t, wid, *wrs.Items[2].WorkRequestId)
}

// TestAPIGatewayRealTimePolling drives a deployment to ACTIVE the way a
// client does against OCI: the real clock, polling GetWorkRequest and
// sleeping for its retry-after.
func TestAPIGatewayRealTimePolling(t *testing.T) {
	t.Parallel()
	s := startTest(t)
	c := newAPIGWClients(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created := c.create(t, c.createDetails("/poll"))
	var seen []apigateway.WorkRequestStatusEnum
	for {
		wr := c.workRequest(t, *created.OpcWorkRequestId)
		if len(seen) == 0 || seen[len(seen)-1] != wr.Status {
			seen = append(seen, wr.Status)
		}
		if wr.RetryAfter == nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the work request did not end: %v", seen)
		case <-time.After(time.Duration(*wr.RetryAfter * float32(time.Second))):
		}
	}
	require.Equal(t, apigateway.WorkRequestStatusSucceeded, seen[len(seen)-1])
	require.Contains(t, []int{2, 3}, len(seen), "%v", seen)
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, c.get(t, *created.Id).LifecycleState)
}

func TestAPIGatewayListPagingAndSorting(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	info := c.s.Info()
	second := c.addGateway()
	names := map[string]string{} // id -> display name
	for i := range 25 {
		d := c.createDetails("/p" + strconv.Itoa(i))
		d.DisplayName = common.String("name-" + strconv.Itoa(100-i))
		if i%2 == 1 {
			d.GatewayId = common.String(second)
		}
		resp := c.create(t, d)
		names[*resp.Id] = *d.DisplayName
		clock.add(time.Millisecond)
	}
	clock.add(100 * time.Millisecond)

	list := func(req apigateway.ListDeploymentsRequest) ([]apigateway.DeploymentSummary, int) {
		req.CompartmentId = &info.CompartmentID
		req.Limit = common.Int(10)
		var all []apigateway.DeploymentSummary
		pages := 0
		for {
			resp, err := c.dep.ListDeployments(ctx, req)
			require.NoError(t, err)
			pages++
			all = append(all, resp.Items...)
			if resp.OpcNextPage == nil {
				return all, pages
			}
			req.Page = resp.OpcNextPage
		}
	}
	all, pages := list(apigateway.ListDeploymentsRequest{})
	require.Equal(t, 3, pages)
	require.Len(t, all, 25)
	seen := map[string]bool{}
	for i, d := range all {
		require.False(t, seen[*d.Id], "deployment listed twice")
		seen[*d.Id] = true
		require.Equal(t, apigateway.DeploymentLifecycleStateActive, d.LifecycleState)
		if i > 0 {
			require.False(t, d.TimeCreated.After(all[i-1].TimeCreated.Time), "newest first by default")
		}
	}
	require.Equal(t, "name-76", *all[0].DisplayName)

	for _, tc := range []struct {
		name  string
		req   apigateway.ListDeploymentsRequest
		count int
		first string
	}{
		{"time ascending", apigateway.ListDeploymentsRequest{SortOrder: apigateway.ListDeploymentsSortOrderAsc}, 25, "name-100"},
		{"name ascending by default", apigateway.ListDeploymentsRequest{SortBy: apigateway.ListDeploymentsSortByDisplayname}, 25, "name-100"},
		{"name descending", apigateway.ListDeploymentsRequest{SortBy: apigateway.ListDeploymentsSortByDisplayname, SortOrder: apigateway.ListDeploymentsSortOrderDesc}, 25, "name-99"},
		{"by gateway", apigateway.ListDeploymentsRequest{GatewayId: common.String(second)}, 12, "name-77"},
		{"by name", apigateway.ListDeploymentsRequest{DisplayName: common.String("name-90")}, 1, "name-90"},
		{"by state", apigateway.ListDeploymentsRequest{LifecycleState: apigateway.DeploymentLifecycleStateCreating}, 0, ""},
		{"other compartment", apigateway.ListDeploymentsRequest{}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, _ := list(tc.req)
			if tc.name == "other compartment" {
				resp, err := c.dep.ListDeployments(ctx, apigateway.ListDeploymentsRequest{CompartmentId: common.String(info.TenancyID)})
				require.NoError(t, err)
				got = resp.Items
			}
			require.Len(t, got, tc.count)
			if tc.count > 0 {
				require.Equal(t, tc.first, *got[0].DisplayName)
			}
			for i := 1; i < len(got) && tc.req.SortBy == apigateway.ListDeploymentsSortByDisplayname; i++ {
				cmp := strings.Compare(*got[i-1].DisplayName, *got[i].DisplayName)
				require.True(t, cmp < 0 == (tc.req.SortOrder != apigateway.ListDeploymentsSortOrderDesc), "order at %d", i)
			}
		})
	}
	require.Len(t, names, 25)
}

func TestAPIGatewayEtagsAndIfMatch(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	got := c.createActive(t, clock, c.createDetails("/etag"))
	again := c.get(t, *got.Id)
	require.Equal(t, *got.Etag, *again.Etag, "the etag is stable while nothing changes")

	_, err := c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: got.Id, IfMatch: common.String("stale"),
		UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{DisplayName: common.String("x")}})
	requireServiceError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", "stale")
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: got.Id, IfMatch: common.String("stale")})
	requireServiceError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", "stale")
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, c.get(t, *got.Id).LifecycleState, "a refused request changes nothing")

	_, err = c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: got.Id, IfMatch: common.String("*"),
		UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{DisplayName: common.String("x")}})
	require.NoError(t, err)
	clock.add(100 * time.Millisecond)
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: got.Id, IfMatch: got.Etag})
	requireServiceError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", *got.Etag)
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: got.Id, IfMatch: c.get(t, *got.Id).Etag})
	require.NoError(t, err)
}

// TestAPIGatewayIncorrectState: while a work request runs on a deployment,
// updates and deletes are 409 IncorrectState (retryable by the SDK's
// default policy; UpdateDeployment has none, so callers opt in).
func TestAPIGatewayIncorrectState(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	update := func(id *string) error {
		_, err := c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: id,
			UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{DisplayName: common.String("y")}})
		return err
	}
	remove := func(id *string) error {
		_, err := c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: id})
		return err
	}
	created := c.create(t, c.createDetails("/busy"))
	requireServiceError(t, update(created.Id), http.StatusConflict, "IncorrectState", "is CREATING")
	requireServiceError(t, remove(created.Id), http.StatusConflict, "IncorrectState", "is CREATING")
	clock.add(100 * time.Millisecond)

	require.NoError(t, update(created.Id))
	requireServiceError(t, update(created.Id), http.StatusConflict, "IncorrectState", "is UPDATING")
	requireServiceError(t, remove(created.Id), http.StatusConflict, "IncorrectState", "is UPDATING")
	clock.add(100 * time.Millisecond)

	require.NoError(t, remove(created.Id))
	requireServiceError(t, update(created.Id), http.StatusConflict, "IncorrectState", "is DELETING")
	requireServiceError(t, remove(created.Id), http.StatusConflict, "IncorrectState", "is DELETING")

	// A caller that opts into the SDK's default retry gets through once the
	// deployment is ACTIVE again (here: the real clock moves it).
	s := startTest(t)
	rc := newAPIGWClients(t, s)
	live := rc.create(t, rc.createDetails("/retry"))
	retry := common.NewRetryPolicyWithOptions(common.ReplaceWithValuesFromRetryPolicy(common.DefaultRetryPolicyWithoutEventualConsistency()),
		common.WithMaximumNumberAttempts(50),
		common.WithShouldRetryOperation(common.DefaultShouldRetryOperation), common.WithFixedBackoff(20*time.Millisecond))
	start := time.Now()
	_, err := rc.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: live.Id,
		UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{DisplayName: common.String("z")},
		RequestMetadata:         common.RequestMetadata{RetryPolicy: &retry}})
	require.NoError(t, err)
	require.Less(t, time.Since(start), 10*time.Second)
}

func TestAPIGatewayFailedWorkRequests(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	failing := map[string]bool{}
	c.locked(func(a *apigwState) {
		a.failWork = func(op, _ string) error {
			if failing[op] {
				return errConflict("InternalServerError", "the gateway could not load the configuration")
			}
			return nil
		}
	})

	// A failed create leaves the deployment FAILED; it can be deleted, not updated.
	c.locked(func(*apigwState) { failing[apigwOpCreate] = true })
	created := c.create(t, c.createDetails("/broken"))
	clock.add(100 * time.Millisecond)
	got := c.get(t, *created.Id)
	require.Equal(t, apigateway.DeploymentLifecycleStateFailed, got.LifecycleState)
	require.Contains(t, *got.LifecycleDetails, "could not load")
	wr := c.workRequest(t, *created.OpcWorkRequestId)
	require.Equal(t, apigateway.WorkRequestStatusFailed, wr.Status)
	require.Equal(t, apigateway.WorkRequestResourceActionTypeFailed, wr.Resources[0].ActionType)
	errs, err := c.wr.ListWorkRequestErrors(ctx, apigateway.ListWorkRequestErrorsRequest{WorkRequestId: created.OpcWorkRequestId})
	require.NoError(t, err)
	require.Len(t, errs.Items, 1)
	require.Equal(t, "InternalServerError", *errs.Items[0].Code)
	require.Contains(t, *errs.Items[0].Message, "could not load")
	_, err = c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: created.Id})
	requireServiceError(t, err, http.StatusConflict, "IncorrectState", "is FAILED")
	c.locked(func(*apigwState) { failing[apigwOpCreate] = false })

	// A failed update leaves it ACTIVE with the old values.
	ok := c.createActive(t, clock, c.createDetails("/fine"))
	c.locked(func(*apigwState) { failing[apigwOpUpdate] = true })
	up, err := c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: ok.Id,
		UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{Specification: &apigateway.ApiSpecification{}}})
	require.NoError(t, err)
	clock.add(100 * time.Millisecond)
	after := c.get(t, *ok.Id)
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, after.LifecycleState)
	require.Len(t, after.Specification.Routes, 1, "the old specification is kept")
	require.Contains(t, *after.LifecycleDetails, "UPDATE_DEPLOYMENT failed")
	require.Equal(t, apigateway.WorkRequestStatusFailed, c.workRequest(t, *up.OpcWorkRequestId).Status)

	// A failed delete leaves it as it was; the FAILED one can go.
	c.locked(func(*apigwState) { failing[apigwOpDelete] = true })
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: created.Id})
	require.NoError(t, err)
	clock.add(100 * time.Millisecond)
	require.Equal(t, apigateway.DeploymentLifecycleStateFailed, c.get(t, *created.Id).LifecycleState)
	c.locked(func(*apigwState) { failing[apigwOpDelete] = false })
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: created.Id})
	require.NoError(t, err)
	clock.add(100 * time.Millisecond)
	require.Equal(t, apigateway.DeploymentLifecycleStateDeleted, c.get(t, *created.Id).LifecycleState)
}

func TestAPIGatewayCancelWorkRequest(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	created := c.create(t, c.createDetails("/cancel"))
	_, err := c.wr.CancelWorkRequest(ctx, apigateway.CancelWorkRequestRequest{WorkRequestId: created.OpcWorkRequestId})
	require.NoError(t, err)
	wr := c.workRequest(t, *created.OpcWorkRequestId)
	require.Equal(t, apigateway.WorkRequestStatusCanceled, wr.Status)
	require.NotNil(t, wr.TimeFinished)
	require.Equal(t, apigateway.DeploymentLifecycleStateDeleted, c.get(t, *created.Id).LifecycleState)
	clock.add(time.Second)
	require.Equal(t, apigateway.WorkRequestStatusCanceled, c.workRequest(t, *created.OpcWorkRequestId).Status, "a canceled work request stays canceled")

	// A canceled update leaves the deployment as it was.
	ok := c.createActive(t, clock, c.createDetails("/cancel"))
	up, err := c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: ok.Id,
		UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{DisplayName: common.String("never")}})
	require.NoError(t, err)
	_, err = c.wr.CancelWorkRequest(ctx, apigateway.CancelWorkRequestRequest{WorkRequestId: up.OpcWorkRequestId})
	require.NoError(t, err)
	clock.add(time.Second)
	after := c.get(t, *ok.Id)
	require.Equal(t, apigateway.DeploymentLifecycleStateActive, after.LifecycleState)
	require.Equal(t, *ok.DisplayName, *after.DisplayName)

	// Started or finished work requests cannot be canceled.
	_, err = c.wr.CancelWorkRequest(ctx, apigateway.CancelWorkRequestRequest{WorkRequestId: up.OpcWorkRequestId})
	requireServiceError(t, err, http.StatusConflict, "IncorrectState", "CANCELED")
	del, err := c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: ok.Id})
	require.NoError(t, err)
	clock.add(30 * time.Millisecond)
	_, err = c.wr.CancelWorkRequest(ctx, apigateway.CancelWorkRequestRequest{WorkRequestId: del.OpcWorkRequestId})
	requireServiceError(t, err, http.StatusConflict, "IncorrectState", "IN_PROGRESS")
	_, err = c.wr.CancelWorkRequest(ctx, apigateway.CancelWorkRequestRequest{WorkRequestId: common.String("ocid1.apigatewayworkrequest.oc1.iad.nope")})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "nope")
}

func TestAPIGatewayRetryToken(t *testing.T) {
	t.Parallel()
	c, _ := startAPIGW(t)
	ctx := context.Background()
	info := c.s.Info()
	req := apigateway.CreateDeploymentRequest{CreateDeploymentDetails: c.createDetails("/once"), OpcRetryToken: common.String("token-1")}
	first, err := c.dep.CreateDeployment(ctx, req)
	require.NoError(t, err)
	second, err := c.dep.CreateDeployment(ctx, req)
	require.NoError(t, err)
	require.Equal(t, *first.Id, *second.Id)
	require.Equal(t, *first.OpcWorkRequestId, *second.OpcWorkRequestId)
	require.Equal(t, *first.Etag, *second.Etag)
	list, err := c.dep.ListDeployments(ctx, apigateway.ListDeploymentsRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)

	req.DisplayName = common.String("another body")
	_, err = c.dep.CreateDeployment(ctx, req)
	requireServiceError(t, err, http.StatusConflict, "InvalidatedRetryToken", "token-1")

	// Without a token the SDK makes one per call: two deployments (here the
	// second is refused for its path prefix, proving it was not replayed).
	_, err = c.dep.CreateDeployment(ctx, apigateway.CreateDeploymentRequest{CreateDeploymentDetails: c.createDetails("/once")})
	requireServiceError(t, err, http.StatusConflict, "Conflict", "/once")
}

func TestAPIGatewayLocks(t *testing.T) {
	t.Parallel()
	c, clock := startAPIGW(t)
	ctx := context.Background()
	d := c.createDetails("/locked")
	d.Locks = []apigateway.AddResourceLockDetails{{Type: apigateway.AddResourceLockDetailsTypeDelete, Message: common.String("keep")}}
	got := c.createActive(t, clock, d)
	require.Len(t, got.Locks, 1)
	require.Equal(t, apigateway.ResourceLockTypeDelete, got.Locks[0].Type)
	require.Equal(t, "keep", *got.Locks[0].Message)
	require.NotNil(t, got.Locks[0].TimeCreated)

	_, err := c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: got.Id})
	requireServiceError(t, err, http.StatusConflict, "LockConflict", "DELETE lock")
	_, err = c.dep.UpdateDeployment(ctx, apigateway.UpdateDeploymentRequest{DeploymentId: got.Id,
		UpdateDeploymentDetails: apigateway.UpdateDeploymentDetails{DisplayName: common.String("a DELETE lock allows updates")}})
	require.NoError(t, err)
	clock.add(100 * time.Millisecond)
	_, err = c.dep.DeleteDeployment(ctx, apigateway.DeleteDeploymentRequest{DeploymentId: got.Id, IsLockOverride: common.Bool(true)})
	require.NoError(t, err)
}
