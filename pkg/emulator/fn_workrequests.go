package emulator

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Functions work requests (WorkRequestManagementClient): get, list, and a
// work request's errors and logs. Lists of work requests, errors and logs
// are collections ({"items": [...]}), unlike application and function
// lists.

// fnWorkRequestStatuses are the values of the status filter (the SDK's
// OperationStatusEnum; the emulator's work requests never wait or need
// attention, but the filter accepts those states).
var fnWorkRequestStatuses = []string{"ACCEPTED", "IN_PROGRESS", "WAITING", "NEEDS_ATTENTION", "FAILED", "SUCCEEDED", "CANCELING", "CANCELED"}

func (f *functionsState) getWorkRequest(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		w, err := f.q.lookup(c)
		if err != nil {
			return 0, nil, err
		}
		body := api.workRequest(w)
		c.header.Set("etag", etagOf(body))
		if wait, running := w.retryAfter(c.now); running {
			c.header.Set("retry-after", strconv.Itoa(int(math.Ceil(wait.Seconds())))) // Functions' is whole seconds
		}
		return http.StatusOK, body, nil
	}
}

func (f *functionsState) listWorkRequests(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		q := c.r.URL.Query()
		comp := q.Get("compartmentId")
		if comp == "" {
			return 0, nil, errMissing("compartmentId")
		}
		if !f.knownCompartment(comp) {
			return 0, nil, errNotFound("compartment", comp)
		}
		status := q.Get("status")
		if status != "" {
			v, ok := fnEqualFoldAny(status, fnWorkRequestStatuses)
			if !ok {
				return 0, nil, errBadRequest("status %q is not one of %s", status, strings.Join(fnWorkRequestStatuses, ", "))
			}
			status = v
		}
		if by := q.Get("sortBy"); by != "" && by != "timeAccepted" {
			return 0, nil, errBadRequest("sortBy %q must be timeAccepted", by)
		}
		order, err := sortOrder(c.r, "DESC")
		if err != nil {
			return 0, nil, err
		}
		only, resource := q.Get("workRequestId"), q.Get("resourceId")
		items := []*workRequest{}
		for _, w := range f.q.sorted() {
			if w.CompartmentID != comp || (status != "" && w.Status != status) || (only != "" && w.ID != only) ||
				(resource != "" && !slices.ContainsFunc(w.Resources, func(r wrResource) bool { return r.Identifier == resource })) {
				continue
			}
			items = append(items, w)
		}
		if order == "DESC" {
			slices.Reverse(items)
		}
		page, next, err := fnPage(items, c.r)
		if err != nil {
			return 0, nil, err
		}
		if next != "" {
			c.header.Set("opc-next-page", next)
		}
		return http.StatusOK, api.workRequestSummaries(page), nil
	}
}

// fnMessages pages a work request's errors or logs, sorted by timestamp
// (descending by default).
func fnMessages(c *call, ms []wrMessage) ([]wrMessage, *apiError) {
	if by := c.r.URL.Query().Get("sortBy"); by != "" && by != "timestamp" {
		return nil, errBadRequest("sortBy %q must be timestamp", by)
	}
	order, err := sortOrder(c.r, "DESC")
	if err != nil {
		return nil, err
	}
	items := slices.Clone(ms) // oldest first, as recorded
	if order == "DESC" {
		slices.Reverse(items)
	}
	page, next, err := fnPage(items, c.r)
	if err != nil {
		return nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	return page, nil
}

func (f *functionsState) listWorkRequestErrors(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		w, err := f.q.lookup(c)
		if err != nil {
			return 0, nil, err
		}
		page, err := fnMessages(c, w.Errors)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, api.workRequestErrors(page), nil
	}
}

func (f *functionsState) listWorkRequestLogs(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		w, err := f.q.lookup(c)
		if err != nil {
			return 0, nil, err
		}
		page, err := fnMessages(c, w.Logs)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, api.workRequestLogs(page), nil
	}
}
