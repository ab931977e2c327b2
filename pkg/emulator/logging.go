package emulator

import (
	"net/http"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/logging"
)

// loggingBase is the Logging API version the SDK speaks (SDK
// logging/logging_loggingmanagement_client.go, BasePath 20200531).
const loggingBase = "/20200531"

// Logging limits the emulator enforces: display names (log groups and
// logs) are 1 to 255 letters, digits, '.', '-' and '_' (the Console
// refuses spaces); retention is in 30-day steps up to 180 days (SDK
// logging/log.go).
const (
	loggingMaxName          = 255
	loggingMaxDescription   = 400
	loggingRetentionStep    = 30
	loggingMaxRetention     = 180
	loggingDefaultRetention = 30
)

// Work request operation types of Logging (SDK logging/operation_types.go)
// and the entity types of its work request resources.
const (
	loggingOpCreateGroup = "CREATE_LOG_GROUP"
	loggingOpUpdateGroup = "UPDATE_LOG_GROUP"
	loggingOpDeleteGroup = "DELETE_LOG_GROUP"
	loggingOpCreateLog   = "CREATE_LOG"
	loggingOpUpdateLog   = "UPDATE_LOG"
	loggingOpDeleteLog   = "DELETE_LOG"
	loggingEntityGroup   = "loggroup"
	loggingEntityLog     = "log"
)

// loggingState is the state of the Logging plane (oci-api.md §6.2): log
// groups and the logs in them. Every change is asynchronous: it answers
// with an opc-work-request-id and takes effect when the work request
// (Logging's own queue, GET /20200531/workRequests/{id}) succeeds. Guarded
// by state.mu.
type loggingState struct {
	st     *state
	q      *workQueue
	seq    int
	groups map[string]*loggingGroup
	logs   map[string]*loggingLog

	// failWork, when set, is asked before a work request applies its
	// effect; an error fails the work request with that message and puts
	// the resource back (failed). Fault injection and tests set it.
	failWork func(operation, id string) error
}

// loggingGroup is a stored log group.
type loggingGroup struct {
	g    logging.LogGroup
	etag string
	seq  int
}

// loggingLog is a stored log.
type loggingLog struct {
	l    logging.Log
	etag string
	seq  int
}

// touch records a change of the group at now: timeLastModified and a new
// etag.
func (x *loggingGroup) touch(now time.Time) {
	x.g.TimeLastModified = apigwTime(now)
	x.etag = etagOf(x.g)
}

// touch records a change of the log at now.
func (x *loggingLog) touch(now time.Time) {
	x.l.TimeLastModified = apigwTime(now)
	x.etag = etagOf(x.l)
}

// newLoggingState starts with no log groups: a deployment without
// execution logs is one of the pitfalls `osa doctor` finds.
func newLoggingState(st *state) *loggingState {
	l := &loggingState{st: st, q: newWorkQueue(), groups: map[string]*loggingGroup{}, logs: map[string]*loggingLog{}}
	st.queues = append(st.queues, l.q)
	return l
}

// registerLogging registers the Logging endpoints.
func (s *Server) registerLogging(mux *http.ServeMux) {
	l := s.st.logs
	b := loggingBase
	mux.HandleFunc("POST "+b+"/logGroups", s.handle(l.createLogGroup))
	mux.HandleFunc("GET "+b+"/logGroups", s.handle(l.listLogGroups))
	mux.HandleFunc("GET "+b+"/logGroups/{id}", s.handle(l.getLogGroup))
	mux.HandleFunc("PUT "+b+"/logGroups/{id}", s.handle(l.updateLogGroup))
	mux.HandleFunc("DELETE "+b+"/logGroups/{id}", s.handle(l.deleteLogGroup))

	mux.HandleFunc("POST "+b+"/logGroups/{id}/logs", s.handle(l.createLog))
	mux.HandleFunc("GET "+b+"/logGroups/{id}/logs", s.handle(l.listLogs))
	mux.HandleFunc("GET "+b+"/logGroups/{id}/logs/{logId}", s.handle(l.getLog))
	mux.HandleFunc("PUT "+b+"/logGroups/{id}/logs/{logId}", s.handle(l.updateLog))
	mux.HandleFunc("DELETE "+b+"/logGroups/{id}/logs/{logId}", s.handle(l.deleteLog))

	mux.HandleFunc("GET "+b+"/workRequests", s.handle(l.listWorkRequests))
	mux.HandleFunc("GET "+b+"/workRequests/{id}", s.handle(getWorkRequestAs(l.q, loggingWorkRequest)))
	mux.HandleFunc("GET "+b+"/workRequests/{id}/errors", s.handle(l.listWorkRequestErrors))
	mux.HandleFunc("GET "+b+"/workRequests/{id}/logs", s.handle(l.listWorkRequestLogs))
}

// lookupGroup returns the log group named by the request path, or a 404.
func (l *loggingState) lookupGroup(c *call) (*loggingGroup, *apiError) {
	id := c.r.PathValue("id")
	x, ok := l.groups[id]
	if !validID(id) || !ok {
		return nil, errNotFound("log group", id)
	}
	return x, nil
}

// createLogGroup answers POST /logGroups: 201, no body, the new group
// CREATING until its work request succeeds. Display names are unique in a
// compartment ("This call fails if the log group is already created with
// the same displayName in the compartment", the API reference).
func (l *loggingState) createLogGroup(c *call) (int, any, error) {
	var in logging.CreateLogGroupDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if in.CompartmentId == nil || *in.CompartmentId == "" {
		return 0, nil, errMissing("compartmentId")
	}
	if err := loggingCheckName(in.DisplayName); err != nil {
		return 0, nil, err
	}
	if err := loggingCheckDescription(in.Description); err != nil {
		return 0, nil, err
	}
	if err := l.st.iam.checkCompartment(*in.CompartmentId); err != nil {
		return 0, nil, err
	}
	if err := l.uniqueGroupName(*in.CompartmentId, *in.DisplayName, ""); err != nil {
		return 0, nil, err
	}
	l.seq++
	x := &loggingGroup{seq: l.seq, g: logging.LogGroup{
		Id: common.String(newOCID("loggroup", l.st.key)), CompartmentId: in.CompartmentId, DisplayName: in.DisplayName,
		Description: in.Description, LifecycleState: logging.LogGroupLifecycleStateCreating,
		FreeformTags: apigwFreeform(in.FreeformTags), DefinedTags: apigwDefined(in.DefinedTags),
		SystemTags: map[string]map[string]interface{}{}, TimeCreated: apigwTime(c.now),
	}}
	x.touch(c.now)
	l.groups[*x.g.Id] = x
	l.startWork(c, loggingOpCreateGroup, *x.g.CompartmentId, loggingEntityGroup, *x.g.Id, "CREATED", func(now time.Time) {
		x.g.LifecycleState = logging.LogGroupLifecycleStateActive
		x.touch(now)
	})
	return l.accepted(c, http.StatusCreated)
}

// uniqueGroupName refuses a display name another group of the compartment
// has (except the group self).
func (l *loggingState) uniqueGroupName(compartmentID, name, self string) *apiError {
	for id, x := range l.groups {
		if id != self && *x.g.CompartmentId == compartmentID && *x.g.DisplayName == name {
			return errConflict(codeConflict, "a log group named %q already exists in compartment %s: %s", name, compartmentID, id)
		}
	}
	return nil
}

// getLogGroup answers GET /logGroups/{id}.
func (l *loggingState) getLogGroup(c *call) (int, any, error) {
	x, err := l.lookupGroup(c)
	if err != nil {
		return 0, nil, err
	}
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.g, nil
}

// listLogGroups answers GET /logGroups?compartmentId= (with
// isCompartmentIdInSubtree=true, the compartment and every compartment
// below it) as a bare JSON array of LogGroupSummary.
func (l *loggingState) listLogGroups(c *call) (int, any, error) {
	comp, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := l.st.iam.checkCompartment(comp); err != nil {
		return 0, nil, err
	}
	subtree, err := apigwBoolParam(c.r, "isCompartmentIdInSubtree")
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	var matched []*loggingGroup
	for _, x := range l.groups {
		in := *x.g.CompartmentId == comp || subtree && l.st.iam.inSubtree(*x.g.CompartmentId, comp)
		if !in || q.Has("displayName") && *x.g.DisplayName != q.Get("displayName") {
			continue
		}
		matched = append(matched, x)
	}
	page, err := iamPageList(c, matched, "timeCreated", "displayName", func(x *loggingGroup) iamListKey {
		return iamListKey{created: x.g.TimeCreated.Time, name: *x.g.DisplayName, seq: x.seq}
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]logging.LogGroupSummary, 0, len(page))
	for _, x := range page {
		g := x.g
		out = append(out, logging.LogGroupSummary{Id: g.Id, CompartmentId: g.CompartmentId, DisplayName: g.DisplayName,
			Description: g.Description, DefinedTags: g.DefinedTags, FreeformTags: g.FreeformTags, SystemTags: g.SystemTags,
			TimeCreated: g.TimeCreated, TimeLastModified: g.TimeLastModified, LifecycleState: g.LifecycleState})
	}
	return http.StatusOK, out, nil
}

// updateLogGroup answers PUT /logGroups/{id}: display name, description
// and tags, applied when the work request succeeds (UPDATING until then).
func (l *loggingState) updateLogGroup(c *call) (int, any, error) {
	x, err := l.lookupGroup(c)
	if err != nil {
		return 0, nil, err
	}
	if err := l.checkGroupMutable(c, x, "updated"); err != nil {
		return 0, nil, err
	}
	var in logging.UpdateLogGroupDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if in.DisplayName != nil {
		if err := loggingCheckName(in.DisplayName); err != nil {
			return 0, nil, err
		}
		if err := l.uniqueGroupName(*x.g.CompartmentId, *in.DisplayName, *x.g.Id); err != nil {
			return 0, nil, err
		}
	}
	if err := loggingCheckDescription(in.Description); err != nil {
		return 0, nil, err
	}
	x.g.LifecycleState = logging.LogGroupLifecycleStateUpdating
	x.touch(c.now)
	l.startWork(c, loggingOpUpdateGroup, *x.g.CompartmentId, loggingEntityGroup, *x.g.Id, "UPDATED", func(now time.Time) {
		if in.DisplayName != nil {
			x.g.DisplayName = in.DisplayName
		}
		if in.Description != nil {
			x.g.Description = in.Description
		}
		if in.FreeformTags != nil {
			x.g.FreeformTags = in.FreeformTags
		}
		if in.DefinedTags != nil {
			x.g.DefinedTags = in.DefinedTags
		}
		x.g.LifecycleState = logging.LogGroupLifecycleStateActive
		x.touch(now)
	})
	return l.accepted(c, http.StatusAccepted)
}

// deleteLogGroup answers DELETE /logGroups/{id}: a group that still holds
// logs cannot be deleted (409 Conflict); otherwise it is DELETING and gone
// when the work request succeeds.
func (l *loggingState) deleteLogGroup(c *call) (int, any, error) {
	x, err := l.lookupGroup(c)
	if err != nil {
		return 0, nil, err
	}
	if err := l.checkGroupMutable(c, x, "deleted"); err != nil {
		return 0, nil, err
	}
	held := 0
	for _, lg := range l.logs {
		if *lg.l.LogGroupId == *x.g.Id {
			held++
		}
	}
	if held > 0 {
		return 0, nil, errConflict(codeConflict, "log group %s still holds %d log(s); delete them first", *x.g.Id, held)
	}
	x.g.LifecycleState = logging.LogGroupLifecycleStateDeleting
	x.touch(c.now)
	id := *x.g.Id
	l.startWork(c, loggingOpDeleteGroup, *x.g.CompartmentId, loggingEntityGroup, id, "DELETED", func(time.Time) {
		delete(l.groups, id)
	})
	return l.accepted(c, http.StatusAccepted)
}

// checkGroupMutable refuses to change a group that is not ACTIVE (a
// FAILED one can be deleted) with 409 IncorrectState, or whose etag is
// not the if-match header's.
func (l *loggingState) checkGroupMutable(c *call, x *loggingGroup, verb string) *apiError {
	st := x.g.LifecycleState
	if st != logging.LogGroupLifecycleStateActive && (verb != "deleted" || st != logging.LogGroupLifecycleStateFailed) {
		return errConflict(codeIncorrectState, "log group %s is %s and cannot be %s until it is ACTIVE", *x.g.Id, x.g.LifecycleState, verb)
	}
	return checkIfMatch(c.r, x.etag)
}

// startWork queues a Logging work request on one resource; apply is its
// effect when it succeeds.
func (l *loggingState) startWork(c *call, op, compartmentID, entity, id, action string, apply func(now time.Time)) {
	uri := loggingBase + "/logGroups/" + id
	if entity == loggingEntityLog {
		uri = loggingBase + "/logs/" + id
	}
	w := &workRequest{
		ID: newOCID("logworkrequest", l.st.key), Operation: op, CompartmentID: compartmentID,
		Resources: []wrResource{{EntityType: entity, ActionType: action, Identifier: id, EntityURI: uri}},
		finish: func(now time.Time) error {
			if l.failWork != nil {
				if err := l.failWork(op, id); err != nil {
					l.failed(entity, id, action == "CREATED", now)
					return err
				}
			}
			apply(now)
			return nil
		},
	}
	l.q.add(w, c.now, l.st.latency)
	c.header.Set("opc-work-request-id", w.ID)
}

// failed puts back a resource whose work request failed: a failed create
// leaves it FAILED, a failed update or delete leaves it ACTIVE with its
// values unchanged.
func (l *loggingState) failed(entity, id string, create bool, now time.Time) {
	switch entity {
	case loggingEntityGroup:
		if x := l.groups[id]; x != nil {
			x.g.LifecycleState = logging.LogGroupLifecycleStateActive
			if create {
				x.g.LifecycleState = logging.LogGroupLifecycleStateFailed
			}
			x.touch(now)
		}
	case loggingEntityLog:
		if x := l.logs[id]; x != nil {
			x.l.LifecycleState = logging.LogLifecycleStateActive
			if create {
				x.l.LifecycleState = logging.LogLifecycleStateFailed
			}
			x.touch(now)
		}
	}
}

// accepted answers a Logging change: the status, no body, the
// opc-work-request-id header. The answer is kept under the request's
// opc-retry-token here because Server.handle keeps only answers with a
// body.
func (l *loggingState) accepted(c *call, status int) (int, any, error) {
	if c.r.Method == http.MethodPost {
		l.st.retry.remember(c.r, c.body, c.now, status, c.header, nil)
	}
	return status, nil, nil
}

// loggingCheckName checks a display name.
func loggingCheckName(name *string) *apiError {
	if name == nil {
		return errMissing("displayName")
	}
	n := *name
	if n == "" || len(n) > loggingMaxName {
		return errBadRequest("displayName %q: a display name is 1 to %d characters", n, loggingMaxName)
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') { //nolint:staticcheck // readable
			return errBadRequest("displayName %q: character %q is not allowed (allowed: letters, digits, \".\", \"-\" and \"_\")", n, r)
		}
	}
	return nil
}

// loggingCheckDescription checks an optional description's length.
func loggingCheckDescription(d *string) *apiError {
	if d != nil && len(*d) > loggingMaxDescription {
		return errBadRequest("description is %d characters long; the limit is %d", len(*d), loggingMaxDescription)
	}
	return nil
}
