package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/oracle/oci-go-sdk/v65/logging"
	"github.com/stretchr/testify/require"
)

// loggingOddSource is a log source of a type the SDK does not know.
type loggingOddSource map[string]any

// TestLoggingCreateRules is the table of the rules on new log groups and
// logs, each with its exact error, through the real client.
func TestLoggingCreateRules(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	group := e.createGroup("rules")
	dep := e.deployment("/rules")
	taken := e.createLog(group, iamServiceLog("taken", dep, "access"))

	fns := fnEnvOf(t, e.s)
	app, err := fns.mgmt.CreateApplication(e.ctx, functions.CreateApplicationRequest{CreateApplicationDetails: functions.CreateApplicationDetails{
		CompartmentId: &info.CompartmentID, DisplayName: common.String("app"), SubnetIds: []string{info.SubnetID}}})
	require.NoError(t, err)
	e.settle()

	groupRules := []iamRule[logging.CreateLogGroupDetails]{
		{"no compartmentId", func(d *logging.CreateLogGroupDetails) { d.CompartmentId = nil }, iamBad, iamMissing, "compartmentId is required"},
		{"no displayName", func(d *logging.CreateLogGroupDetails) { d.DisplayName = nil }, iamBad, iamMissing, "displayName is required"},
		{"name with a space", func(d *logging.CreateLogGroupDetails) { d.DisplayName = common.String("api logs") }, iamBad, iamInvalid, `character ' ' is not allowed`},
		{"name of 256 characters", func(d *logging.CreateLogGroupDetails) { d.DisplayName = common.String(strings.Repeat("n", 256)) }, iamBad, iamInvalid, "a display name is 1 to 255 characters"},
		{"description of 401 characters", func(d *logging.CreateLogGroupDetails) { d.Description = common.String(strings.Repeat("d", 401)) }, iamBad, iamInvalid, "the limit is 400"},
		{"unknown compartment", func(d *logging.CreateLogGroupDetails) { d.CompartmentId = common.String("ocid1.compartment.oc1..nope") }, http.StatusNotFound, iamNotFound, "compartment ocid1.compartment.oc1..nope"},
		{"name taken in the compartment", func(d *logging.CreateLogGroupDetails) { d.DisplayName = common.String("rules") }, http.StatusConflict, "Conflict", `a log group named "rules" already exists`},
		{"same name in the tenancy", func(d *logging.CreateLogGroupDetails) {
			d.DisplayName, d.CompartmentId = common.String("rules"), &info.TenancyID
		}, 0, "", ""},
	}
	for _, tc := range groupRules {
		t.Run("log group/"+tc.name, func(t *testing.T) {
			d := logging.CreateLogGroupDetails{CompartmentId: &info.CompartmentID, DisplayName: common.String("g-" + iamSlug(tc.name))}
			tc.mutate(&d)
			_, err := e.logs.CreateLogGroup(e.ctx, logging.CreateLogGroupRequest{CreateLogGroupDetails: d})
			iamRequire(t, err, tc.status, tc.code, tc.fragment)
		})
	}

	source := func(mut func(s *logging.OciService)) func(d *logging.CreateLogDetails) {
		return func(d *logging.CreateLogDetails) {
			s := d.Configuration.Source.(logging.OciService)
			mut(&s)
			d.Configuration.Source = s
		}
	}
	logRules := []iamRule[logging.CreateLogDetails]{
		{"no displayName", func(d *logging.CreateLogDetails) { d.DisplayName = nil }, iamBad, iamMissing, "displayName is required"},
		{"retention 0", func(d *logging.CreateLogDetails) { d.RetentionDuration = common.Int(0) }, iamBad, iamInvalid, "retentionDuration 0: log retention is in 30-day increments"},
		{"retention 45", func(d *logging.CreateLogDetails) { d.RetentionDuration = common.Int(45) }, iamBad, iamInvalid, "retentionDuration 45"},
		{"retention 210", func(d *logging.CreateLogDetails) { d.RetentionDuration = common.Int(210) }, iamBad, iamInvalid, "until 180"},
		{"service log without configuration", func(d *logging.CreateLogDetails) { d.Configuration = nil }, iamBad, iamMissing, "configuration is required"},
		{"source of another type", func(d *logging.CreateLogDetails) {
			d.Configuration.Source = loggingOddSource{"sourceType": "AGENT"}
		}, iamBad, iamInvalid, "configuration.source.sourceType must be OCISERVICE"},
		{"no service", source(func(s *logging.OciService) { s.Service = common.String("") }), iamBad, iamMissing, "configuration.source.service is required"},
		{"no category", source(func(s *logging.OciService) { s.Category = common.String("") }), iamBad, iamMissing, "configuration.source.category is required"},
		{"unknown service", source(func(s *logging.OciService) { s.Service = common.String("objectstorage") }), iamBad, iamInvalid, `configuration.source.service "objectstorage" is not a service the emulator logs`},
		{"unknown category", source(func(s *logging.OciService) { s.Category = common.String("invoke") }), iamBad, iamInvalid, `configuration.source.category "invoke" is not a log category of apigateway (access, execution)`},
		{"unknown deployment", source(func(s *logging.OciService) { s.Resource = common.String("ocid1.apideployment.oc1.iad.nope") }), http.StatusNotFound, iamNotFound, "API deployment ocid1.apideployment.oc1.iad.nope"},
		{"unknown source compartment", func(d *logging.CreateLogDetails) {
			d.Configuration.CompartmentId = common.String("ocid1.compartment.oc1..nope")
		}, http.StatusNotFound, iamNotFound, "compartment ocid1.compartment.oc1..nope"},
		{"name taken in the group", func(d *logging.CreateLogDetails) { d.DisplayName = taken.DisplayName }, http.StatusConflict, "Conflict", `a log named "taken" already exists`},
		{"source taken", source(func(s *logging.OciService) { s.Category = common.String("access") }), http.StatusConflict, "Conflict", "a log of service apigateway, resource " + dep + " and category access already exists: " + *taken.Id},
		{"custom log with a source", func(d *logging.CreateLogDetails) { d.LogType = logging.CreateLogDetailsLogTypeCustom }, iamBad, iamInvalid, "a CUSTOM log has no configuration"},
		{"custom log", func(d *logging.CreateLogDetails) {
			d.LogType, d.Configuration = logging.CreateLogDetailsLogTypeCustom, nil
		}, 0, "", ""},
		{"execution log", func(*logging.CreateLogDetails) {}, 0, "", ""},
		{"custom log kept 180 days", func(d *logging.CreateLogDetails) {
			d.LogType, d.Configuration, d.RetentionDuration = logging.CreateLogDetailsLogTypeCustom, nil, common.Int(180)
		}, 0, "", ""},
		{"custom log disabled at creation", func(d *logging.CreateLogDetails) {
			d.LogType, d.Configuration, d.IsEnabled = logging.CreateLogDetailsLogTypeCustom, nil, common.Bool(false)
		}, 0, "", ""},
		{"functions invoke log", source(func(s *logging.OciService) {
			s.Service, s.Resource, s.Category = common.String("functions"), app.Id, common.String("invoke")
		}), 0, "", ""},
	}
	for _, tc := range logRules {
		t.Run("log/"+tc.name, func(t *testing.T) {
			d := iamServiceLog("l-"+iamSlug(tc.name), dep, "execution")
			tc.mutate(&d)
			_, err := e.logs.CreateLog(e.ctx, logging.CreateLogRequest{LogGroupId: &group, CreateLogDetails: d})
			iamRequire(t, err, tc.status, tc.code, tc.fragment)
		})
	}

	// A log cannot go into a group that is not ACTIVE yet, nor into a group that does not exist.
	resp, err := e.logs.CreateLogGroup(e.ctx, logging.CreateLogGroupRequest{CreateLogGroupDetails: logging.CreateLogGroupDetails{
		CompartmentId: &info.CompartmentID, DisplayName: common.String("young")}})
	require.NoError(t, err)
	wr, err := e.logs.GetWorkRequest(e.ctx, logging.GetWorkRequestRequest{WorkRequestId: resp.OpcWorkRequestId})
	require.NoError(t, err)
	_, err = e.logs.CreateLog(e.ctx, logging.CreateLogRequest{LogGroupId: wr.Resources[0].Identifier, CreateLogDetails: iamServiceLog("x", dep, "execution")})
	requireServiceError(t, err, http.StatusConflict, "IncorrectState", "is CREATING; logs can be created once it is ACTIVE")
	_, err = e.logs.CreateLog(e.ctx, logging.CreateLogRequest{LogGroupId: common.String("ocid1.loggroup.oc1.iad.nope"), CreateLogDetails: iamServiceLog("x", dep, "execution")})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "log group ocid1.loggroup.oc1.iad.nope")
	_, err = e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: wr.Resources[0].Identifier, LogId: taken.Id})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "log "+*taken.Id)
}

// TestLoggingMalformedRequests sends what the SDK would not.
func TestLoggingMalformedRequests(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	comp := e.s.Info().CompartmentID
	group := e.createGroup("malformed")
	dep := e.deployment("/m")
	l := e.createLog(group, iamServiceLog("l", dep, "execution"))
	logPath := "/20200531/logGroups/" + group + "/logs/" + *l.Id
	before, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: l.Id})
	require.NoError(t, err)
	for _, tc := range []struct {
		method, path, body string
		status             int
		code, fragment     string
	}{
		{"POST", "/20200531/logGroups", "{", iamBad, iamInvalid, "not valid JSON"},
		{"POST", "/20200531/logGroups/" + group + "/logs", `{"displayName": "x"}`, iamBad, iamMissing, "logType is required"},
		{"POST", "/20200531/logGroups/" + group + "/logs", `{"displayName": "x", "logType": "SERVICE", "configuration": {}}`, iamBad, iamMissing, "configuration.source is required"},
		{"POST", "/20200531/logGroups/" + group + "/logs", `{"displayName": "x", "logType": "service"}`, iamBad, iamInvalid, `logType "service" must be CUSTOM or SERVICE`},
		{"POST", "/20200531/logGroups/" + group + "/logs", `{"displayName": "x", "logType": "SERVICE", "configuration": {"source": {"service": "apigateway"}}}`, iamBad, iamInvalid, "sourceType must be OCISERVICE"},
		{"POST", "/20200531/logGroups/" + group + "/logs", `{"displayName": "x", "logType": "SERVICE", "retentionDuration": "30"}`, iamBad, iamInvalid, `field "retentionDuration": expected an integer, got a JSON string`},
		{"PUT", logPath, `{"retentionDuration": 31}`, iamBad, iamInvalid, "retentionDuration 31"},
		{"PUT", logPath, `{"configuration": {}}`, iamBad, iamMissing, "configuration.source is required"},
		{"PUT", logPath, `{"displayName": "a b"}`, iamBad, iamInvalid, `character ' ' is not allowed`},
		{"PUT", logPath, `{"isEnabled": "no"}`, iamBad, iamInvalid, `field "isEnabled": expected a boolean, got a JSON string`},
		{"GET", "/20200531/logGroups", "", iamBad, iamMissing, "compartmentId is required"},
		{"GET", "/20200531/logGroups?compartmentId=" + comp + "&sortBy=TIMECREATED", "", iamBad, iamInvalid, `sortBy "TIMECREATED" must be timeCreated or displayName`},
		{"GET", "/20200531/logGroups?compartmentId=" + comp + "&isCompartmentIdInSubtree=1x", "", iamBad, iamInvalid, `isCompartmentIdInSubtree "1x" must be true or false`},
		{"GET", "/20200531/logGroups/" + group + "/logs?logType=service", "", iamBad, iamInvalid, `logType "service" must be one of CUSTOM, SERVICE`},
		{"GET", "/20200531/logGroups/" + group + "/logs?lifecycleState=DELETED", "", iamBad, iamInvalid, `lifecycleState "DELETED" must be one of ACTIVE, CREATING, DELETING, FAILED, INACTIVE, UPDATING`},
		{"GET", "/20200531/workRequests?compartmentId=" + comp + "&status=DONE", "", iamBad, iamInvalid, `status "DONE"`},
		{"GET", "/20200531/workRequests?compartmentId=" + comp + "&sortBy=timeCreated", "", iamBad, iamInvalid, `sortBy "timeCreated" must be one of operationType, status, timeAccepted`},
		{"GET", "/20200531/logGroups/" + group + "/logs/x%2Fy", "", http.StatusNotFound, iamNotFound, "log x/y"},
	} {
		r := e.raw(tc.method, tc.path, tc.body, nil)
		require.Equal(t, tc.status, r.Status, "%s %s %s: %s", tc.method, tc.path, tc.body, r.Body)
		require.Equal(t, tc.code, r.Code, "%s %s: %s", tc.method, tc.path, r.Body)
		require.Contains(t, r.Message, tc.fragment, "%s %s %s", tc.method, tc.path, tc.body)
	}
	got, err := e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: l.Id})
	require.NoError(t, err)
	require.Equal(t, *before.Etag, *got.Etag, "refused updates change nothing")

	// A SERVICE log's source parameters and archiving can be updated; a CUSTOM log has no configuration.
	_, err = e.logs.UpdateLog(e.ctx, logging.UpdateLogRequest{LogGroupId: &group, LogId: l.Id, UpdateLogDetails: logging.UpdateLogDetails{
		Configuration: &logging.UpdateConfigurationDetails{Source: &logging.SourceUpdateDetails{Parameters: map[string]string{"k": "v"}},
			Archiving: &logging.Archiving{IsEnabled: common.Bool(false)}}}})
	require.NoError(t, err)
	e.settle()
	got, err = e.logs.GetLog(e.ctx, logging.GetLogRequest{LogGroupId: &group, LogId: l.Id})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"k": "v"}, got.Configuration.Source.(logging.OciService).Parameters)
	custom := e.createLog(group, logging.CreateLogDetails{DisplayName: common.String("custom"), LogType: logging.CreateLogDetailsLogTypeCustom})
	require.Nil(t, custom.Configuration)
	_, err = e.logs.UpdateLog(e.ctx, logging.UpdateLogRequest{LogGroupId: &group, LogId: custom.Id, UpdateLogDetails: logging.UpdateLogDetails{
		Configuration: &logging.UpdateConfigurationDetails{Source: &logging.SourceUpdateDetails{}}}})
	requireServiceError(t, err, http.StatusBadRequest, "InvalidParameter", "a CUSTOM log has no configuration")
	_, err = e.logs.UpdateLog(e.ctx, logging.UpdateLogRequest{LogGroupId: &group, LogId: custom.Id, UpdateLogDetails: logging.UpdateLogDetails{
		DisplayName: common.String("l")}})
	requireServiceError(t, err, http.StatusConflict, "Conflict", `a log named "l" already exists`)

	// Log group updates: rename (unique), description.
	_, err = e.logs.UpdateLogGroup(e.ctx, logging.UpdateLogGroupRequest{LogGroupId: &group, UpdateLogGroupDetails: logging.UpdateLogGroupDetails{
		DisplayName: common.String("renamed"), Description: common.String("d")}})
	require.NoError(t, err)
	e.settle()
	g, err := e.logs.GetLogGroup(e.ctx, logging.GetLogGroupRequest{LogGroupId: &group})
	require.NoError(t, err)
	require.Equal(t, "renamed", *g.DisplayName)
	require.Equal(t, logging.LogGroupLifecycleStateActive, g.LifecycleState)
	other := e.createGroup("other")
	_, err = e.logs.UpdateLogGroup(e.ctx, logging.UpdateLogGroupRequest{LogGroupId: &other, UpdateLogGroupDetails: logging.UpdateLogGroupDetails{
		DisplayName: common.String("renamed")}})
	requireServiceError(t, err, http.StatusConflict, "Conflict", `a log group named "renamed" already exists`)
	sub, err := e.logs.ListLogGroups(e.ctx, logging.ListLogGroupsRequest{CompartmentId: common.String(e.s.Info().TenancyID), IsCompartmentIdInSubtree: common.Bool(true)})
	require.NoError(t, err)
	require.Len(t, sub.Items, 2, "the tenancy's subtree holds the emulator compartment's groups")
	top, err := e.logs.ListLogGroups(e.ctx, logging.ListLogGroupsRequest{CompartmentId: common.String(e.s.Info().TenancyID)})
	require.NoError(t, err)
	require.Empty(t, top.Items)
}
