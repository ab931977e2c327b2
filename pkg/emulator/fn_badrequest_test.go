package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// TestFunctionsMalformedRequests sends what the SDK never sends: bad
// JSON, wrong types, unknown discriminators, oversized bodies.
func TestFunctionsMalformedRequests(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	info := e.s.Info()
	image, _ := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	app := e.createApp("app", "")
	fn := e.createFn(fnDetails(*app.Id, "f", image))
	fnBody := func(extra string) string {
		return fmt.Sprintf(`{"displayName":"x","applicationId":%q,"memoryInMBs":128,"sourceDetails":{"sourceType":"CONTAINER_IMAGE","image":%q}%s}`, *app.Id, image, extra)
	}
	appPath, fnPath := "/20260325/applications", "/20260325/functions"

	tests := []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"empty body", "POST", fnPath, "", 400, "InvalidParameter", "the request body is empty"},
		{"not JSON", "POST", fnPath, "{displayName:", 400, "InvalidParameter", "the request body is not valid JSON"},
		{"truncated", "POST", appPath, `{"compartmentId":"x"`, 400, "InvalidParameter", "the request body is not valid JSON"},
		{"array", "POST", appPath, `[1,2]`, 400, "InvalidParameter", "expected"},
		{"memory as string", "POST", fnPath, fmt.Sprintf(`{"displayName":"x","applicationId":%q,"memoryInMBs":"big"}`, *app.Id), 400, "InvalidParameter", `"memoryInMBs"`},
		{"config value as number", "POST", fnPath, fnBody(`,"config":{"A":1}`), 400, "InvalidParameter", "config"},
		{"subnets as string", "POST", appPath, fmt.Sprintf(`{"compartmentId":%q,"displayName":"x","subnetIds":%q}`, info.CompartmentID, info.SubnetID), 400, "InvalidParameter", "subnetIds"},
		{"unknown sourceType", "POST", fnPath, fmt.Sprintf(`{"displayName":"x","applicationId":%q,"memoryInMBs":128,"sourceDetails":{"sourceType":"ZIP","image":"x"}}`, *app.Id),
			400, "InvalidParameter", `sourceDetails.sourceType "ZIP" is unknown; it must be CONTAINER_IMAGE, ARCHIVE or PRE_BUILT_FUNCTIONS`},
		{"sourceType missing", "POST", fnPath, fmt.Sprintf(`{"displayName":"x","applicationId":%q,"memoryInMBs":128,"sourceDetails":{"image":"x"}}`, *app.Id),
			400, "InvalidParameter", "sourceDetails.sourceType is missing"},
		{"sourceDetails not an object", "POST", fnPath, fmt.Sprintf(`{"displayName":"x","applicationId":%q,"memoryInMBs":128,"sourceDetails":"img"}`, *app.Id),
			400, "InvalidParameter", `field "sourceDetails": expected an object, got a JSON string`},
		{"unknown strategy", "POST", fnPath, fnBody(`,"provisionedConcurrencyConfig":{"strategy":"RAMP","count":10}`), 400, "InvalidParameter", `provisionedConcurrencyConfig.strategy "RAMP" is unknown`},
		{"unknown destination", "POST", fnPath, fnBody(`,"failureDestination":{"kind":"EMAIL"}`), 400, "InvalidParameter", `failureDestination.kind "EMAIL" is unknown`},
		{"update unknown sourceType", "PUT", fnPath + "/" + *fn.Id, `{"sourceDetails":{"sourceType":"ZIP"}}`, 400, "InvalidParameter", `sourceDetails.sourceType "ZIP" is unknown; it must be CONTAINER_IMAGE or ARCHIVE`},
		{"update empty image", "PUT", fnPath + "/" + *fn.Id, `{"sourceDetails":{"sourceType":"CONTAINER_IMAGE","image":""}}`, 400, "InvalidParameter", "sourceDetails.image is empty"},
		{"update not JSON", "PUT", appPath + "/" + *app.Id, `{`, 400, "InvalidParameter", "not valid JSON"},
		{"body over 2 MB", "POST", appPath, `{"displayName":"` + strings.Repeat("x", maxControlBody) + `"}`, 413, "RequestEntityTooLarge", "larger than 2097152 bytes"},
		{"path traversal", "GET", fnPath + "/..%2F..%2Fetc%2Fpasswd", "", 404, "NotAuthorizedOrNotFound", "not found"},
		{"odd bytes in an id", "DELETE", appPath + "/ocid1.fnapp%00x", "", 404, "NotAuthorizedOrNotFound", "not found"},
		{"unknown operation", "PATCH", fnPath + "/" + *fn.Id, "{}", 404, "NotAuthorizedOrNotFound", "is not an operation of this emulator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, out := e.raw(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, status, "%v", out)
			require.Equal(t, tc.code, out["code"])
			require.Contains(t, out["message"], tc.msg)
		})
	}

	// Nothing above changed the store.
	list, err := e.mgmt.ListFunctions(e.ctx, functions.ListFunctionsRequest{ApplicationId: app.Id})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	apps, err := e.mgmt.ListApplications(e.ctx, functions.ListApplicationsRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Len(t, apps.Items, 1)
}

// TestFunctionsIDsFromPaths sends ids with path traversal and odd bytes
// through every SDK operation that takes one.
func TestFunctionsIDsFromPaths(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	for _, id := range []string{"..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "ocid1.fnfunc.oc1.iad.nope", "a b", strings.Repeat("x", 300)} {
		calls := map[string]func() error{
			"GetFunction": func() error {
				_, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: common.String(id)})
				return err
			},
			"UpdateFunction": func() error {
				_, err := e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: common.String(id)})
				return err
			},
			"DeleteFunction": func() error {
				_, err := e.mgmt.DeleteFunction(e.ctx, functions.DeleteFunctionRequest{FunctionId: common.String(id)})
				return err
			},
			"GetApplication": func() error {
				_, err := e.mgmt.GetApplication(e.ctx, functions.GetApplicationRequest{ApplicationId: common.String(id)})
				return err
			},
			"UpdateApplication": func() error {
				_, err := e.mgmt.UpdateApplication(e.ctx, functions.UpdateApplicationRequest{ApplicationId: common.String(id)})
				return err
			},
			"DeleteApplication": func() error {
				_, err := e.mgmt.DeleteApplication(e.ctx, functions.DeleteApplicationRequest{ApplicationId: common.String(id)})
				return err
			},
			"GetWorkRequest": func() error {
				_, err := e.wr.GetWorkRequest(e.ctx, functions.GetWorkRequestRequest{WorkRequestId: common.String(id)})
				return err
			},
			"ListWorkRequestErrors": func() error {
				_, err := e.wr.ListWorkRequestErrors(e.ctx, functions.ListWorkRequestErrorsRequest{WorkRequestId: common.String(id)})
				return err
			},
			"ListWorkRequestLogs": func() error {
				_, err := e.wr.ListWorkRequestLogs(e.ctx, functions.ListWorkRequestLogsRequest{WorkRequestId: common.String(id)})
				return err
			},
		}
		for name, call := range calls {
			err := call()
			var se common.ServiceError
			require.ErrorAs(t, err, &se, "%s(%q)", name, id)
			require.Equal(t, http.StatusNotFound, se.GetHTTPStatusCode(), "%s(%q): %v", name, id, err)
			require.Equal(t, "NotAuthorizedOrNotFound", se.GetCode())
		}
	}
}

// TestFunctionsNeedSignatures refuses an unsigned request.
func TestFunctionsNeedSignatures(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	resp, err := http.Get(e.s.Info().Endpoints.Functions + "/20260325/applications?compartmentId=" + e.s.Info().CompartmentID)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("opc-request-id"))
}
