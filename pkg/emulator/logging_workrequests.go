package emulator

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/logging"
)

// Logging's work requests (GET /20200531/workRequests...): lists are bare
// JSON arrays, like the rest of Logging (SDK
// logging/list_work_requests_request_response.go).

// loggingWorkRequest is w as Logging answers it.
func loggingWorkRequest(w *workRequest) logging.WorkRequest {
	out := logging.WorkRequest{
		Id: common.String(w.ID), OperationType: logging.OperationTypesEnum(w.Operation),
		Status: logging.OperationStatusEnum(w.Status), CompartmentId: common.String(w.CompartmentID),
		Resources:       make([]logging.WorkRequestResource, 0, len(w.Resources)),
		PercentComplete: common.Float32(w.Percent()), TimeAccepted: apigwTime(w.Accepted),
	}
	for _, r := range w.Resources {
		out.Resources = append(out.Resources, logging.WorkRequestResource{EntityType: common.String(r.EntityType),
			ActionType: logging.ActionTypesEnum(r.ActionType), Identifier: common.String(r.Identifier), EntityUri: common.String(r.EntityURI)})
	}
	out.TimeStarted, out.TimeFinished = optTime(w.Started), optTime(w.Finished)
	return out
}

// listWorkRequests answers GET /workRequests?compartmentId= with the
// filters status and id, sorted by timeAccepted (the default, newest
// first), operationType or status.
func (l *loggingState) listWorkRequests(c *call) (int, any, error) {
	comp, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := l.st.iam.checkCompartment(comp); err != nil {
		return 0, nil, err
	}
	status, err := iamEnumQuery(c.r, "status", logging.GetListWorkRequestsStatusEnumStringValues())
	if err != nil {
		return 0, nil, err
	}
	by, err := iamEnumQuery(c.r, "sortBy", logging.GetListWorkRequestsSortByEnumStringValues())
	if err != nil {
		return 0, nil, err
	}
	def := "DESC"
	if by == "operationType" || by == "status" {
		def = "ASC"
	}
	order, err := sortOrder(c.r, def)
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	var matched []*workRequest
	for _, w := range l.q.sorted() {
		if w.CompartmentID != comp || status != "" && w.Status != status || q.Has("id") && w.ID != q.Get("id") {
			continue
		}
		matched = append(matched, w)
	}
	switch by {
	case "operationType":
		slices.SortStableFunc(matched, func(x, y *workRequest) int { return cmp.Compare(x.Operation, y.Operation) })
	case "status":
		slices.SortStableFunc(matched, func(x, y *workRequest) int { return cmp.Compare(x.Status, y.Status) })
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
	out := make([]logging.WorkRequestSummary, 0, len(page))
	for _, w := range page {
		out = append(out, logging.WorkRequestSummary(loggingWorkRequest(w)))
	}
	return http.StatusOK, out, nil
}

// listWorkRequestErrors answers GET /workRequests/{id}/errors, oldest
// first.
func (l *loggingState) listWorkRequestErrors(c *call) (int, any, error) {
	w, err := l.q.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	page, next, err := pageOf(w.Errors, c.r)
	if err != nil {
		return 0, nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	out := make([]logging.WorkRequestError, 0, len(page))
	for _, m := range page {
		out = append(out, logging.WorkRequestError{Code: common.String(m.Code), Message: common.String(m.Message), Timestamp: apigwTime(m.Time)})
	}
	return http.StatusOK, out, nil
}

// listWorkRequestLogs answers GET /workRequests/{id}/logs, oldest first.
func (l *loggingState) listWorkRequestLogs(c *call) (int, any, error) {
	w, err := l.q.lookup(c)
	if err != nil {
		return 0, nil, err
	}
	page, next, err := pageOf(w.Logs, c.r)
	if err != nil {
		return 0, nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	out := make([]logging.WorkRequestLog, 0, len(page))
	for _, m := range page {
		out = append(out, logging.WorkRequestLog{Message: common.String(m.Message), Timestamp: apigwTime(m.Time)})
	}
	return http.StatusOK, out, nil
}
