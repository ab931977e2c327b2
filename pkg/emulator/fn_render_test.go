package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// TestFunctionsRendering20260325 compares the 20260325 rendering of a
// stored application and function with golden files (testdata/fn), and
// decodes them back with the SDK. FN_UPDATE_GOLDEN=1 rewrites the files.
func TestFunctionsRendering20260325(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 25, 12, 0, 0, 123456789, time.UTC)
	a := &fnApp{ID: "ocid1.fnapp.oc1.iad.app", State: fnActive, Created: at, Updated: at.Add(time.Minute), fnAppSpec: fnAppSpec{
		CompartmentID: "ocid1.compartment.oc1..c", DisplayName: "orders", SubnetIDs: []string{"ocid1.subnet.oc1.iad.s"},
		Shape: fnShapeX86ARM, Config: map[string]string{"LEVEL": "app"}, NSGIDs: []string{}, LineFormat: "JSON",
		Trace: &fnAppTrace{Enabled: true, DomainID: common.String("ocid1.apmdomain.oc1.iad.d")},
	}}
	fn := &fnFunc{ID: "ocid1.fnfunc.oc1.iad.fn", State: fnUpdating, CompartmentID: a.CompartmentID, Shape: fnShapeX86ARM,
		Created: at, Updated: at, fnFuncSpec: fnFuncSpec{
			ApplicationID: a.ID, DisplayName: "create-order", Image: "127.0.0.1:5000/ns/orders/create:0.0.1",
			ImageDigest: "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", MemoryMB: 256,
			TimeoutSeconds: 30, DetachedTimeoutSeconds: common.Int(600), PCU: fnPCU{Strategy: fnPCUConstant, Count: 20},
			Config: map[string]string{"LEVEL": "fn"}, TraceEnabled: true,
			FailureDestination: functions.QueueFailureDestinationDetails{QueueId: common.String("ocid1.queue.oc1.iad.q")},
		}}
	api := fnAPI20260325{}
	for file, v := range map[string]any{
		"application-20260325.json": api.application(a),
		"function-20260325.json":    api.function(fn, "http://127.0.0.1:8080"),
	} {
		got, err := json.MarshalIndent(v, "", "  ")
		require.NoError(t, err)
		path := filepath.Join("testdata", "fn", file)
		if os.Getenv("FN_UPDATE_GOLDEN") != "" {
			require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(got), "%s (FN_UPDATE_GOLDEN=1 rewrites it)", file)
	}

	var back functions.Function
	data, err := os.ReadFile(filepath.Join("testdata", "fn", "function-20260325.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, functions.ConstantProvisionedConcurrencyConfig{Count: common.Int(20)}, back.ProvisionedConcurrencyConfig)
	require.Equal(t, "127.0.0.1:5000/ns/orders/create:0.0.1", *back.SourceDetails.(functions.ContainerImageFunctionSourceDetails).Image)
	require.IsType(t, functions.QueueFailureDestinationDetails{}, back.FailureDestination)
	require.Equal(t, at.Truncate(time.Millisecond), back.TimeCreated.Time)
}
