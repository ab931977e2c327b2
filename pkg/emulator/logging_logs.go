package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/logging"
)

// loggingService is a service whose logs the emulator can enable: its log
// categories and the resource a log of it names.
type loggingService struct {
	categories []string
	kind       string                                // what resource names, for messages
	exists     func(st *state, resource string) bool // whether the resource exists
}

// loggingServices are the services of oci-api.md §6.2 and the seed: API
// Gateway deployments (categories access and execution, the Logging
// "Details for API Gateway" page) and Functions applications (category
// invoke).
var loggingServices = map[string]loggingService{
	"apigateway": {categories: []string{"access", "execution"}, kind: "API deployment", exists: func(st *state, id string) bool {
		d, ok := st.apigw.deployments[id]
		return ok && d.alive()
	}},
	"functions": {categories: []string{"invoke"}, kind: "functions application", exists: func(st *state, id string) bool {
		a, ok := st.fns.apps[id]
		return ok && a.State != fnDeleted
	}},
}

// loggingSource is the OCISERVICE source of a log, or nil.
func loggingSource(l *logging.Log) *logging.OciService {
	if l.Configuration == nil {
		return nil
	}
	if s, ok := l.Configuration.Source.(logging.OciService); ok {
		return &s
	}
	return nil
}

// lookupLog returns the log the request path names, in the log group it
// names, or a 404.
func (l *loggingState) lookupLog(c *call) (*loggingLog, *apiError) {
	g, err := l.lookupGroup(c)
	if err != nil {
		return nil, err
	}
	id := c.r.PathValue("logId")
	x, ok := l.logs[id]
	if !validID(id) || !ok || *x.l.LogGroupId != *g.g.Id {
		return nil, errNotFound("log", id)
	}
	return x, nil
}

// createLog answers POST /logGroups/{id}/logs: 201, no body, the log
// CREATING until its work request succeeds. A SERVICE log names its source
// (service, resource, category); the API reference: "This call fails if a
// log group has already been created with the same displayName or
// (service, resource, category) triplet".
func (l *loggingState) createLog(c *call) (int, any, error) {
	g, err := l.lookupGroup(c)
	if err != nil {
		return 0, nil, err
	}
	var in logging.CreateLogDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if err := loggingCheckName(in.DisplayName); err != nil {
		return 0, nil, err
	}
	if in.LogType == "" {
		return 0, nil, errMissing("logType")
	}
	if v, ok := logging.GetMappingCreateLogDetailsLogTypeEnum(string(in.LogType)); !ok || string(v) != string(in.LogType) {
		return 0, nil, errBadRequest("logType %q must be CUSTOM or SERVICE", in.LogType)
	}
	retention, err := loggingRetention(in.RetentionDuration, loggingDefaultRetention)
	if err != nil {
		return 0, nil, err
	}
	conf, err := l.checkConfiguration(in.LogType == logging.CreateLogDetailsLogTypeService, in.Configuration, *g.g.CompartmentId)
	if err != nil {
		return 0, nil, err
	}
	if g.g.LifecycleState != logging.LogGroupLifecycleStateActive {
		return 0, nil, errConflict(codeIncorrectState, "log group %s is %s; logs can be created once it is ACTIVE", *g.g.Id, g.g.LifecycleState)
	}
	if err := l.uniqueLog(*g.g.Id, *in.DisplayName, conf, ""); err != nil {
		return 0, nil, err
	}
	enabled := true
	if in.IsEnabled != nil {
		enabled = *in.IsEnabled
	}
	l.seq++
	x := &loggingLog{seq: l.seq, l: logging.Log{
		Id: common.String(newOCID("log", l.st.key)), LogGroupId: g.g.Id, DisplayName: in.DisplayName,
		LogType: logging.LogLogTypeEnum(in.LogType), LifecycleState: logging.LogLifecycleStateCreating,
		TenancyId: common.String(l.st.tenancyID), IsEnabled: common.Bool(enabled), Configuration: conf,
		FreeformTags: apigwFreeform(in.FreeformTags), DefinedTags: apigwDefined(in.DefinedTags),
		SystemTags: map[string]map[string]interface{}{}, TimeCreated: apigwTime(c.now),
		RetentionDuration: common.Int(retention), CompartmentId: g.g.CompartmentId,
	}}
	x.touch(c.now)
	l.logs[*x.l.Id] = x
	l.startWork(c, loggingOpCreateLog, *g.g.CompartmentId, loggingEntityLog, *x.l.Id, "CREATED", func(now time.Time) {
		x.l.LifecycleState = logging.LogLifecycleStateActive
		x.touch(now)
	})
	return l.accepted(c, http.StatusCreated)
}

// checkConfiguration checks a new log's configuration: a SERVICE log needs
// an OCISERVICE source naming a service the emulator knows, one of its
// categories and an existing resource; a CUSTOM log has none. The source's
// compartment defaults to the log group's.
func (l *loggingState) checkConfiguration(service bool, conf *logging.Configuration, groupCompartment string) (*logging.Configuration, *apiError) {
	if !service {
		if conf != nil {
			return nil, errBadRequest("configuration: a CUSTOM log has no configuration; only SERVICE logs have a source")
		}
		return nil, nil
	}
	if conf == nil {
		return nil, errMissing("configuration")
	}
	if conf.Source == nil {
		return nil, errMissing("configuration.source")
	}
	src, ok := conf.Source.(logging.OciService)
	if !ok {
		return nil, errBadRequest("configuration.source.sourceType must be OCISERVICE")
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"service", src.Service}, {"resource", src.Resource}, {"category", src.Category}} {
		if f.v == nil || *f.v == "" {
			return nil, errMissing("configuration.source." + f.name)
		}
	}
	svc, ok := loggingServices[*src.Service]
	if !ok {
		return nil, errBadRequest("configuration.source.service %q is not a service the emulator logs (apigateway, functions)", *src.Service)
	}
	if !slices.Contains(svc.categories, *src.Category) {
		return nil, errBadRequest("configuration.source.category %q is not a log category of %s (%s)", *src.Category, *src.Service, strings.Join(svc.categories, ", "))
	}
	if !validID(*src.Resource) || !svc.exists(l.st, *src.Resource) {
		return nil, errNotFound(svc.kind, *src.Resource)
	}
	out := &logging.Configuration{Source: src, CompartmentId: conf.CompartmentId, Archiving: conf.Archiving}
	if out.CompartmentId == nil {
		out.CompartmentId = common.String(groupCompartment)
	} else if err := l.st.iam.checkCompartment(*out.CompartmentId); err != nil {
		return nil, err
	}
	if src.Parameters == nil {
		src.Parameters = map[string]string{}
		out.Source = src
	}
	return out, nil
}

// uniqueLog refuses a display name another log of the group has, and a
// source (service, resource, category) another log has, anywhere.
func (l *loggingState) uniqueLog(groupID, name string, conf *logging.Configuration, self string) *apiError {
	var src *logging.OciService
	if conf != nil {
		if s, ok := conf.Source.(logging.OciService); ok {
			src = &s
		}
	}
	for id, x := range l.logs {
		if id == self {
			continue
		}
		if *x.l.LogGroupId == groupID && *x.l.DisplayName == name {
			return errConflict(codeConflict, "a log named %q already exists in log group %s: %s", name, groupID, id)
		}
		if other := loggingSource(&x.l); src != nil && other != nil && *other.Service == *src.Service &&
			*other.Resource == *src.Resource && *other.Category == *src.Category {
			return errConflict(codeConflict, "a log of service %s, resource %s and category %s already exists: %s",
				*src.Service, *src.Resource, *src.Category, id)
		}
	}
	return nil
}

// loggingRetention checks a retention duration (nil: def).
func loggingRetention(d *int, def int) (int, *apiError) {
	if d == nil {
		return def, nil
	}
	if *d < loggingRetentionStep || *d > loggingMaxRetention || *d%loggingRetentionStep != 0 {
		return 0, errBadRequest("retentionDuration %d: log retention is in 30-day increments (30, 60, 90 and so on until 180)", *d)
	}
	return *d, nil
}

// getLog answers GET /logGroups/{id}/logs/{logId}.
func (l *loggingState) getLog(c *call) (int, any, error) {
	x, err := l.lookupLog(c)
	if err != nil {
		return 0, nil, err
	}
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.l, nil
}

// listLogs answers GET /logGroups/{id}/logs with the filters logType,
// sourceService, sourceResource, displayName and lifecycleState, as a
// bare JSON array of LogSummary (SDK logging/list_logs_request_response.go).
func (l *loggingState) listLogs(c *call) (int, any, error) {
	g, err := l.lookupGroup(c)
	if err != nil {
		return 0, nil, err
	}
	logType, err := iamEnumQuery(c.r, "logType", logging.GetListLogsLogTypeEnumStringValues())
	if err != nil {
		return 0, nil, err
	}
	want, err := iamEnumQuery(c.r, "lifecycleState", logging.GetListLogsLifecycleStateEnumStringValues())
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	var matched []*loggingLog
	for _, x := range l.logs {
		src := loggingSource(&x.l)
		switch {
		case *x.l.LogGroupId != *g.g.Id,
			logType != "" && string(x.l.LogType) != logType,
			want != "" && string(x.l.LifecycleState) != want,
			q.Has("displayName") && *x.l.DisplayName != q.Get("displayName"),
			q.Has("sourceService") && (src == nil || *src.Service != q.Get("sourceService")),
			q.Has("sourceResource") && (src == nil || *src.Resource != q.Get("sourceResource")):
			continue
		}
		matched = append(matched, x)
	}
	page, err := iamPageList(c, matched, "timeCreated", "displayName", func(x *loggingLog) iamListKey {
		return iamListKey{created: x.l.TimeCreated.Time, name: *x.l.DisplayName, seq: x.seq}
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]logging.LogSummary, 0, len(page))
	for _, x := range page {
		v := x.l
		out = append(out, logging.LogSummary{Id: v.Id, LogGroupId: v.LogGroupId, DisplayName: v.DisplayName,
			LifecycleState: v.LifecycleState, LogType: logging.LogSummaryLogTypeEnum(v.LogType), IsEnabled: v.IsEnabled,
			Configuration: v.Configuration, DefinedTags: v.DefinedTags, FreeformTags: v.FreeformTags, SystemTags: v.SystemTags,
			TimeCreated: v.TimeCreated, TimeLastModified: v.TimeLastModified, RetentionDuration: v.RetentionDuration,
			CompartmentId: v.CompartmentId})
	}
	return http.StatusOK, out, nil
}

// updateLog answers PUT /logGroups/{id}/logs/{logId}: enable or disable
// (isEnabled), rename, retention, tags, and a SERVICE log's source
// parameters and archiving. 202, no body; the log is UPDATING until the
// work request succeeds. A disabled log stays ACTIVE with isEnabled false.
func (l *loggingState) updateLog(c *call) (int, any, error) {
	x, err := l.lookupLog(c)
	if err != nil {
		return 0, nil, err
	}
	if err := l.checkLogMutable(c, x, "updated"); err != nil {
		return 0, nil, err
	}
	var in logging.UpdateLogDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if in.DisplayName != nil {
		if err := loggingCheckName(in.DisplayName); err != nil {
			return 0, nil, err
		}
		if err := l.uniqueLog(*x.l.LogGroupId, *in.DisplayName, nil, *x.l.Id); err != nil {
			return 0, nil, err
		}
	}
	if _, err := loggingRetention(in.RetentionDuration, 0); err != nil {
		return 0, nil, err
	}
	if in.Configuration != nil {
		if x.l.LogType != logging.LogLogTypeService {
			return 0, nil, errBadRequest("configuration: a CUSTOM log has no configuration; only SERVICE logs have a source")
		}
		if in.Configuration.Source == nil {
			return 0, nil, errMissing("configuration.source")
		}
	}
	x.l.LifecycleState = logging.LogLifecycleStateUpdating
	x.touch(c.now)
	l.startWork(c, loggingOpUpdateLog, *x.l.CompartmentId, loggingEntityLog, *x.l.Id, "UPDATED", func(now time.Time) {
		loggingApplyUpdate(&x.l, &in)
		x.l.LifecycleState = logging.LogLifecycleStateActive
		x.touch(now)
	})
	return l.accepted(c, http.StatusAccepted)
}

// loggingApplyUpdate applies an update's fields to v.
func loggingApplyUpdate(v *logging.Log, in *logging.UpdateLogDetails) {
	if in.DisplayName != nil {
		v.DisplayName = in.DisplayName
	}
	if in.IsEnabled != nil {
		v.IsEnabled = in.IsEnabled
	}
	if in.RetentionDuration != nil {
		v.RetentionDuration = in.RetentionDuration
	}
	if in.FreeformTags != nil {
		v.FreeformTags = in.FreeformTags
	}
	if in.DefinedTags != nil {
		v.DefinedTags = in.DefinedTags
	}
	if in.Configuration != nil && v.Configuration != nil {
		conf := *v.Configuration
		if src, ok := conf.Source.(logging.OciService); ok && in.Configuration.Source.Parameters != nil {
			src.Parameters = in.Configuration.Source.Parameters
			conf.Source = src
		}
		if in.Configuration.Archiving != nil {
			conf.Archiving = in.Configuration.Archiving
		}
		v.Configuration = &conf
	}
}

// deleteLog answers DELETE /logGroups/{id}/logs/{logId}: DELETING, then
// gone when the work request succeeds. 202, no body.
func (l *loggingState) deleteLog(c *call) (int, any, error) {
	x, err := l.lookupLog(c)
	if err != nil {
		return 0, nil, err
	}
	if err := l.checkLogMutable(c, x, "deleted"); err != nil {
		return 0, nil, err
	}
	x.l.LifecycleState = logging.LogLifecycleStateDeleting
	x.touch(c.now)
	id := *x.l.Id
	l.startWork(c, loggingOpDeleteLog, *x.l.CompartmentId, loggingEntityLog, id, "DELETED", func(time.Time) {
		delete(l.logs, id)
	})
	return l.accepted(c, http.StatusAccepted)
}

// checkLogMutable refuses to change a log that is not ACTIVE (a FAILED
// one can be deleted) with 409 IncorrectState, or whose etag is not the
// if-match header's.
func (l *loggingState) checkLogMutable(c *call, x *loggingLog, verb string) *apiError {
	st := x.l.LifecycleState
	if st != logging.LogLifecycleStateActive && (verb != "deleted" || st != logging.LogLifecycleStateFailed) {
		return errConflict(codeIncorrectState, "log %s is %s and cannot be %s until it is ACTIVE", *x.l.Id, x.l.LifecycleState, verb)
	}
	return checkIfMatch(c.r, x.etag)
}
