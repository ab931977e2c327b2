package gateway

import (
	"errors"
	"fmt"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"
)

// OCIError is a failed OCI call: the operation, the resource, and what the
// service answered.
type OCIError struct {
	// Operation is the API operation, such as UpdateDeployment.
	Operation string
	// Resource is the OCID (or the display name) the call was about.
	Resource string
	// StatusCode, Code and Message are the service's answer (0 and ""
	// when the call did not get one).
	StatusCode int
	Code       string
	Message    string
	// OpcRequestID identifies the request for Oracle support.
	OpcRequestID string
	// Err is the SDK's error.
	Err error
}

func (e *OCIError) Error() string {
	if e.StatusCode == 0 {
		return fmt.Sprintf("%s %s: %v", e.Operation, e.Resource, e.Err)
	}
	s := fmt.Sprintf("%s %s: %d %s: %s", e.Operation, e.Resource, e.StatusCode, e.Code, e.Message)
	if e.OpcRequestID != "" {
		s += " (opc-request-id " + e.OpcRequestID + ")"
	}
	return s
}

// Unwrap returns the SDK's error.
func (e *OCIError) Unwrap() error { return e.Err }

// ociError wraps an SDK error with the operation and the resource.
func ociError(op, resource string, err error) error {
	if err == nil {
		return nil
	}
	e := &OCIError{Operation: op, Resource: resource, Err: err}
	var svc common.ServiceError
	if errors.As(err, &svc) {
		e.StatusCode, e.Code, e.Message, e.OpcRequestID = svc.GetHTTPStatusCode(), svc.GetCode(), svc.GetMessage(), svc.GetOpcRequestID()
	}
	return e
}

// isStatus reports whether err is an OCI answer with that status.
func hasStatus(err error, status int) bool {
	var e *OCIError
	return errors.As(err, &e) && e.StatusCode == status
}

// WorkRequestFailedError is a work request that ended FAILED or CANCELED.
type WorkRequestFailedError struct {
	// ID is the work request's OCID; Operation its type
	// (UPDATE_DEPLOYMENT).
	ID, Operation string
	// Resource is the deployment's OCID.
	Resource string
	// Status is FAILED or CANCELED.
	Status string
	// Errors are the work request's errors, "code: message".
	Errors []string
	// OpcRequestID is that of the call that read the work request.
	OpcRequestID string
}

func (e *WorkRequestFailedError) Error() string {
	s := fmt.Sprintf("work request %s (%s of %s) %s", e.ID, e.Operation, e.Resource, e.Status)
	if len(e.Errors) > 0 {
		s += ": " + strings.Join(e.Errors, "; ")
	}
	if e.OpcRequestID != "" {
		s += " (opc-request-id " + e.OpcRequestID + ")"
	}
	return s
}

// ConcurrentUpdateError is an update refused by if-match because someone
// else changed the deployment since it was planned.
type ConcurrentUpdateError struct {
	// ID is the deployment's OCID.
	ID string
	// Changes are what the other party changed since the plan.
	Changes []Change
	// Err is OCI's 412 answer.
	Err error
}

func (e *ConcurrentUpdateError) Error() string {
	return fmt.Sprintf("deployment %s changed since it was planned (%d change(s), e.g. %s); plan again: %v",
		e.ID, len(e.Changes), firstChange(e.Changes), e.Err)
}

// Unwrap returns OCI's answer.
func (e *ConcurrentUpdateError) Unwrap() error { return e.Err }

func firstChange(cs []Change) string {
	if len(cs) == 0 {
		return "its etag"
	}
	c := cs[0]
	return strings.TrimSpace(c.Route + " " + c.Field)
}

// VerifyError is a deployment that did not end as asked: not ACTIVE, or
// with a specification other than the one sent.
type VerifyError struct {
	// ID is the deployment's OCID; State its lifecycle state and Details
	// its lifecycle details.
	ID, State, Details string
	// Changes are the differences between what was sent and what is live.
	Changes []Change
}

func (e *VerifyError) Error() string {
	if e.State != "ACTIVE" {
		s := fmt.Sprintf("deployment %s is %s, not ACTIVE", e.ID, e.State)
		if e.Details != "" {
			s += ": " + e.Details
		}
		return s
	}
	return fmt.Sprintf("deployment %s is ACTIVE but its specification differs from the one sent (%d difference(s), e.g. %s)",
		e.ID, len(e.Changes), firstChange(e.Changes))
}
