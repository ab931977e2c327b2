package emulator

import (
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/logging"
	"github.com/stretchr/testify/require"
)

// checkLogging verifies the Logging store's invariants through its own
// endpoints.
func (f *iamFuzzStore) checkLogging(t *testing.T) {
	t.Helper()
	l := f.st.logs
	groupNames := map[string]bool{}
	for id, x := range l.groups {
		require.Equal(t, etagOf(x.g), x.etag)
		require.Nil(t, loggingCheckName(x.g.DisplayName))
		key := *x.g.CompartmentId + "/" + *x.g.DisplayName
		require.False(t, groupNames[key], "two log groups named %s", key)
		groupNames[key] = true
		require.True(t, f.st.iam.knownCompartment(*x.g.CompartmentId))
		_, v, _, err := f.call(l.getLogGroup, "GET", "/x", nil, "id", id)
		require.NoError(t, err)
		require.Equal(t, x.g, v)
	}
	logNames, sources := map[string]bool{}, map[string]bool{}
	for id, x := range l.logs {
		v := x.l
		require.Equal(t, etagOf(v), x.etag)
		require.Contains(t, l.groups, *v.LogGroupId, "a log's group exists")
		require.Nil(t, loggingCheckName(v.DisplayName))
		key := *v.LogGroupId + "/" + *v.DisplayName
		require.False(t, logNames[key], "two logs named %s", key)
		logNames[key] = true
		_, rerr := loggingRetention(v.RetentionDuration, 0)
		require.Nil(t, rerr)
		src := loggingSource(&v)
		if v.LogType == logging.LogLogTypeService {
			require.NotNil(t, src, "a SERVICE log has a source")
			triplet := *src.Service + " " + *src.Resource + " " + *src.Category
			require.False(t, sources[triplet], "two logs of %s", triplet)
			sources[triplet] = true
		} else {
			require.Equal(t, logging.LogLogTypeCustom, v.LogType)
			require.Nil(t, v.Configuration)
		}
		_, got, _, err := f.call(l.getLog, "GET", "/x", nil, "id", *v.LogGroupId, "logId", id)
		require.NoError(t, err)
		require.Equal(t, v, got)
		_, list, _, err := f.call(l.listLogs, "GET", "/x?limit=1000", nil, "id", *v.LogGroupId)
		require.NoError(t, err)
		found := false
		for _, s := range list.([]logging.LogSummary) {
			found = found || *s.Id == id
		}
		require.True(t, found, "the list holds log %s", id)
	}
}

// loggingFuzzSeeds are the Logging seeds: the testdata bodies and odd ones.
func loggingFuzzSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(`{}`), []byte(`null`), []byte(`{"configuration": null}`),
		[]byte(`{"displayName": "x", "logType": "SERVICE", "configuration": {"source": {"sourceType": "OCISERVICE"}}}`),
		[]byte(`{"displayName": "x", "logType": "SERVICE", "configuration": {"source": {"sourceType": "ociservice", "service": "apigateway"}}}`),
		[]byte(`{"displayName": "x", "logType": "SERVICE", "configuration": {"source": {"sourceType": "OCISERVICE", "service": "apigateway", "resource": "$DEPLOYMENT", "category": "access"}, "archiving": {"isEnabled": true}}}`),
		[]byte(`{"isEnabled": false, "retentionDuration": 60, "configuration": {"source": {"parameters": {"a": "b"}}}}`),
		[]byte(`{"compartmentId": "$TENANCY", "displayName": "g"}`),
	}
	for _, n := range []string{"log-group.json", "execution-log.json", "invoke-log.json", "custom-log.json"} {
		seeds = append(seeds, iamTestdata(t, "logging", n))
	}
	return seeds
}

// FuzzLoggingDecoders sends one body to every Logging create and update,
// around an ACTIVE log group holding an ACTIVE log.
func FuzzLoggingDecoders(f *testing.F) {
	for _, b := range loggingFuzzSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := newIAMFuzzStore()
		l := s.st.logs
		_, _, _, err := s.call(l.createLogGroup, "POST", "/x", s.fill([]byte(`{"compartmentId": "$COMPARTMENT", "displayName": "fixed"}`)))
		require.NoError(t, err)
		s.now = s.now.Add(time.Second)
		var group string
		for id := range l.groups {
			group = id
		}
		_, _, _, err = s.call(l.createLog, "POST", "/x", s.fill(iamTestdata(t, "logging", "custom-log.json")), "id", group)
		require.NoError(t, err)
		s.now = s.now.Add(time.Second)
		var logID string
		for id := range l.logs {
			logID = id
		}
		body = s.fill(body)
		for range 2 {
			status, _, _, err := s.call(l.createLogGroup, "POST", "/x", body)
			iamRequireAnswer(t, status, err)
			status, _, _, err = s.call(l.createLog, "POST", "/x", body, "id", group)
			iamRequireAnswer(t, status, err)
		}
		status, _, _, err := s.call(l.updateLog, "PUT", "/x", body, "id", group, "logId", logID)
		iamRequireAnswer(t, status, err)
		status, _, _, err = s.call(l.updateLogGroup, "PUT", "/x", body, "id", group)
		iamRequireAnswer(t, status, err)
		s.checkLogging(t)
		s.now = s.now.Add(time.Second)
		s.checkLogging(t)
		_, v, _, err := s.call(l.getLog, "GET", "/x", nil, "id", group, "logId", logID)
		require.NoError(t, err)
		require.Equal(t, logging.LogLifecycleStateActive, v.(logging.Log).LifecycleState, "every change has ended")
	})
}
