package gateway

import (
	"context"
	"math"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// wait polls a work request until it finishes, sleeping what OCI's
// retry-after says, else backing off from firstPoll to maxPoll. A FAILED
// or CANCELED work request is a *WorkRequestFailedError with its errors.
func (d *Deployer) wait(ctx context.Context, wrID, resource string) error {
	backoff := d.firstPoll
	for {
		resp, err := d.api.GetWorkRequest(ctx, apigateway.GetWorkRequestRequest{WorkRequestId: &wrID,
			RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}})
		if err != nil {
			return ociError("GetWorkRequest", wrID, err)
		}
		switch resp.Status {
		case apigateway.WorkRequestStatusSucceeded:
			return nil
		case apigateway.WorkRequestStatusFailed, apigateway.WorkRequestStatusCanceled:
			return d.failed(ctx, resp, resource)
		}
		pause := backoff
		if resp.RetryAfter != nil {
			// retry-after is float32 seconds: round to the microsecond.
			ra := time.Duration(math.Round(float64(*resp.RetryAfter)*1e6)) * time.Microsecond
			pause = min(max(ra, time.Millisecond), d.maxPoll)
		} else {
			backoff = min(2*backoff, d.maxPoll)
		}
		d.log.DebugContext(ctx, "waiting for work request", "id", wrID, "status", resp.Status, "pause", pause)
		if err := d.sleep(ctx, pause); err != nil {
			return err
		}
	}
}

func (d *Deployer) failed(ctx context.Context, wr apigateway.GetWorkRequestResponse, resource string) error {
	e := &WorkRequestFailedError{ID: val(wr.Id), Operation: string(wr.OperationType), Resource: resource,
		Status: string(wr.Status), OpcRequestID: val(wr.OpcRequestId)}
	errs, err := d.api.ListWorkRequestErrors(ctx, apigateway.ListWorkRequestErrorsRequest{WorkRequestId: wr.Id,
		RequestMetadata: common.RequestMetadata{RetryPolicy: retryPolicy()}})
	if err != nil {
		e.Errors = append(e.Errors, "reading the errors: "+ociError("ListWorkRequestErrors", e.ID, err).Error())
		return e
	}
	for _, x := range errs.Items {
		e.Errors = append(e.Errors, val(x.Code)+": "+val(x.Message))
	}
	return e
}

// waitSettled reads a deployment until it is no longer CREATING,
// UPDATING or DELETING.
func (d *Deployer) waitSettled(ctx context.Context, id string) (Live, error) {
	backoff := d.firstPoll
	for {
		live, err := d.Get(ctx, id)
		if err != nil {
			return live, err
		}
		switch apigateway.DeploymentLifecycleStateEnum(live.State) {
		case apigateway.DeploymentLifecycleStateCreating, apigateway.DeploymentLifecycleStateUpdating,
			apigateway.DeploymentLifecycleStateDeleting:
		default:
			return live, nil
		}
		if err := d.sleep(ctx, backoff); err != nil {
			return live, err
		}
		backoff = min(2*backoff, d.maxPoll)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
