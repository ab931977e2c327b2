package emulator

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// apigwWorkRequest is w as the API Gateway service answers it.
func apigwWorkRequest(w *workRequest) apigateway.WorkRequest {
	out := apigateway.WorkRequest{
		Id:              common.String(w.ID),
		OperationType:   apigateway.WorkRequestOperationTypeEnum(w.Operation),
		Status:          apigateway.WorkRequestStatusEnum(w.Status),
		CompartmentId:   common.String(w.CompartmentID),
		Resources:       make([]apigateway.WorkRequestResource, 0, len(w.Resources)),
		PercentComplete: common.Float32(w.Percent()),
		TimeAccepted:    apigwTime(w.Accepted),
	}
	for _, r := range w.Resources {
		out.Resources = append(out.Resources, apigateway.WorkRequestResource{
			EntityType: common.String(r.EntityType), ActionType: apigateway.WorkRequestResourceActionTypeEnum(r.ActionType),
			Identifier: common.String(r.Identifier), EntityUri: common.String(r.EntityURI),
		})
	}
	out.TimeStarted, out.TimeFinished = optTime(w.Started), optTime(w.Finished)
	return out
}

// listWorkRequests answers GET /workRequests?compartmentId=...[&resourceId=]
// sorted by time accepted (sortBy timeCreated, newest first by default) or
// by operation type (sortBy displayName: work requests have no name).
func (a *apigwState) listWorkRequests(c *call) (int, any, error) {
	q := c.r.URL.Query()
	comp := q.Get("compartmentId")
	if comp == "" {
		return 0, nil, errMissing("compartmentId")
	}
	by := q.Get("sortBy")
	def := "DESC"
	switch by {
	case "", "timeCreated":
	case "displayName":
		def = "ASC"
	default:
		return 0, nil, errBadRequest("sortBy %q must be timeCreated or displayName", by)
	}
	order, err := sortOrder(c.r, def)
	if err != nil {
		return 0, nil, err
	}
	var matched []*workRequest
	for _, w := range a.q.sorted() {
		if w.CompartmentID != comp || q.Has("resourceId") && !slices.ContainsFunc(w.Resources, func(r wrResource) bool {
			return r.Identifier == q.Get("resourceId")
		}) {
			continue
		}
		matched = append(matched, w)
	}
	if by == "displayName" {
		slices.SortStableFunc(matched, func(x, y *workRequest) int { return cmp.Compare(x.Operation, y.Operation) })
	}
	if order == "DESC" {
		slices.Reverse(matched)
	}
	page, next, err := pageOf(matched, c.r)
	if err != nil {
		return 0, nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	items := make([]apigateway.WorkRequestSummary, 0, len(page))
	for _, w := range page {
		full := apigwWorkRequest(w)
		items = append(items, apigateway.WorkRequestSummary{
			OperationType: full.OperationType, Status: full.Status, WorkRequestId: full.Id, CompartmentId: full.CompartmentId,
			PercentComplete: full.PercentComplete, TimeAccepted: full.TimeAccepted, TimeStarted: full.TimeStarted, TimeFinished: full.TimeFinished,
		})
	}
	return http.StatusOK, apigateway.WorkRequestCollection{Items: items}, nil
}

// listWorkRequestErrors answers GET /workRequests/{id}/errors.
func (a *apigwState) listWorkRequestErrors(c *call) (int, any, error) {
	w, err := a.q.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	msgs, next, err := apigwMessages(c.r, w.Errors)
	if err != nil {
		return 0, nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	items := make([]apigateway.WorkRequestError, 0, len(msgs))
	for _, m := range msgs {
		items = append(items, apigateway.WorkRequestError{Code: common.String(m.Code), Message: common.String(m.Message), Timestamp: apigwTime(m.Time)})
	}
	return http.StatusOK, apigateway.WorkRequestErrorCollection{Items: items}, nil
}

// listWorkRequestLogs answers GET /workRequests/{id}/logs.
func (a *apigwState) listWorkRequestLogs(c *call) (int, any, error) {
	w, err := a.q.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	msgs, next, err := apigwMessages(c.r, w.Logs)
	if err != nil {
		return 0, nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	items := make([]apigateway.WorkRequestLog, 0, len(msgs))
	for _, m := range msgs {
		items = append(items, apigateway.WorkRequestLog{Message: common.String(m.Message), Timestamp: apigwTime(m.Time)})
	}
	return http.StatusOK, apigateway.WorkRequestLogCollection{Items: items}, nil
}

// apigwMessages sorts (oldest first by default) and pages a work
// request's errors or logs.
func apigwMessages(r *http.Request, all []wrMessage) ([]wrMessage, string, *apiError) {
	switch by := r.URL.Query().Get("sortBy"); by {
	case "", "timeCreated", "displayName":
	default:
		return nil, "", errBadRequest("sortBy %q must be timeCreated or displayName", by)
	}
	order, err := sortOrder(r, "ASC")
	if err != nil {
		return nil, "", err
	}
	msgs := slices.Clone(all)
	slices.SortStableFunc(msgs, func(x, y wrMessage) int { return x.Time.Compare(y.Time) })
	if order == "DESC" {
		slices.Reverse(msgs)
	}
	return pageOf(msgs, r)
}

// cancelWorkRequest answers DELETE /workRequests/{id}: a work request that
// has not started yet (ACCEPTED) is CANCELED and its deployment goes back
// to where it was (a canceled create leaves it DELETED); one that has
// started or ended can no longer be canceled (409 IncorrectState).
func (a *apigwState) cancelWorkRequest(c *call) (int, any, error) {
	w, err := a.q.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	if err := checkIfMatch(c.r, etagOf(apigwWorkRequest(w))); err != nil {
		return 0, nil, err
	}
	revert, ok := a.reverts[w.ID]
	if w.Status != wrAccepted || !ok {
		return 0, nil, errConflict(codeIncorrectState, "work request %s is %s; only an ACCEPTED work request can be canceled", w.ID, w.Status)
	}
	delete(a.reverts, w.ID)
	w.Status, w.Finished = wrCanceled, c.now
	for i := range w.Resources {
		w.Resources[i].ActionType = "FAILED"
	}
	w.Logs = append(w.Logs, wrMessage{Message: w.Operation + " canceled", Time: c.now})
	revert(c.now, w.Operation+" was canceled")
	return http.StatusAccepted, nil, nil
}
