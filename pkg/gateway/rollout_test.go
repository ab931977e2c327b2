package gateway

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/oracle/oci-go-sdk/v65/apigateway"
)

// fakeAPI answers work request reads from a script.
type fakeAPI struct {
	deploymentAPI // nil: any other call panics
	wrs           []apigateway.GetWorkRequestResponse
	errs          []apigateway.WorkRequestError
}

func (f *fakeAPI) GetWorkRequest(context.Context, apigateway.GetWorkRequestRequest) (apigateway.GetWorkRequestResponse, error) {
	r := f.wrs[0]
	f.wrs = f.wrs[1:]
	return r, nil
}

func (f *fakeAPI) ListWorkRequestErrors(context.Context, apigateway.ListWorkRequestErrorsRequest) (apigateway.ListWorkRequestErrorsResponse, error) {
	return apigateway.ListWorkRequestErrorsResponse{WorkRequestErrorCollection: apigateway.WorkRequestErrorCollection{Items: f.errs}}, nil
}

func wr(status apigateway.WorkRequestStatusEnum, retryAfter *float32) apigateway.GetWorkRequestResponse {
	return apigateway.GetWorkRequestResponse{RetryAfter: retryAfter, OpcRequestId: ptr("req-1"),
		WorkRequest: apigateway.WorkRequest{Id: ptr("wr-1"), Status: status, OperationType: apigateway.WorkRequestOperationTypeUpdateDeployment}}
}

// TestWait checks that polling honours retry-after and otherwise backs
// off, and that a failed work request reports its errors.
func TestWait(t *testing.T) {
	t.Parallel()
	var slept []time.Duration
	record := func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	api := &fakeAPI{wrs: []apigateway.GetWorkRequestResponse{
		wr(apigateway.WorkRequestStatusAccepted, ptr(float32(0.02))),
		wr(apigateway.WorkRequestStatusInProgress, nil),
		wr(apigateway.WorkRequestStatusInProgress, nil),
		wr(apigateway.WorkRequestStatusInProgress, nil),
		wr(apigateway.WorkRequestStatusInProgress, ptr(float32(90))),
		wr(apigateway.WorkRequestStatusSucceeded, nil),
	}}
	d, err := NewDeployer(apigateway.DeploymentClient{}, apigateway.WorkRequestsClient{}, withAPI(api), withSleep(record),
		WithPolling(100*time.Millisecond, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.wait(context.Background(), "wr-1", "dep-1"); err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{20 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
	if diff := cmp.Diff(want, slept); diff != "" {
		t.Errorf("pauses (-want +got):\n%s", diff)
	}

	api.wrs = []apigateway.GetWorkRequestResponse{wr(apigateway.WorkRequestStatusFailed, nil)}
	api.errs = []apigateway.WorkRequestError{{Code: ptr("InternalError"), Message: ptr("the gateway could not be configured")}}
	err = d.wait(context.Background(), "wr-1", "dep-1")
	var wf *WorkRequestFailedError
	if !errors.As(err, &wf) {
		t.Fatalf("wait = %v, want *WorkRequestFailedError", err)
	}
	if want := "work request wr-1 (UPDATE_DEPLOYMENT of dep-1) FAILED: InternalError: the gateway could not be configured (opc-request-id req-1)"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d.sleep = sleep
	api.wrs = []apigateway.GetWorkRequestResponse{wr(apigateway.WorkRequestStatusInProgress, nil)}
	if err := d.wait(ctx, "wr-1", "dep-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("wait with a canceled context = %v", err)
	}
	if _, err := NewDeployer(apigateway.DeploymentClient{}, apigateway.WorkRequestsClient{}, WithPolling(0, 1)); err == nil {
		t.Error("WithPolling(0, 1) accepted")
	}
}
