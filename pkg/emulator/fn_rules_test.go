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

// fnRule is one documented limit or rule: a change to a valid request and
// the answer OCI gives (status 0: accepted).
type fnRule[D any] struct {
	name   string
	mod    func(d *D)
	status int
	code   string
	msg    string
}

func fnMemory(mb int64) func(*functions.CreateFunctionDetails) {
	return func(d *functions.CreateFunctionDetails) { d.MemoryInMBs = common.Int64(mb) }
}

func fnPCUCount(mb int64, count int) func(*functions.CreateFunctionDetails) {
	return func(d *functions.CreateFunctionDetails) {
		d.MemoryInMBs = common.Int64(mb)
		d.ProvisionedConcurrencyConfig = functions.ConstantProvisionedConcurrencyConfig{Count: common.Int(count)}
	}
}

func fnConfig(c map[string]string) func(*functions.CreateFunctionDetails) {
	return func(d *functions.CreateFunctionDetails) { d.Config = c }
}

// fnConfigOfSize is a configuration of exactly n bytes (keys and values).
func fnConfigOfSize(n int) map[string]string {
	return map[string]string{"BIG": strings.Repeat("v", n-len("BIG"))}
}

// TestFunctionsCreateRules checks every documented limit of a function
// create, through the SDK, with the exact OCI error.
func TestFunctionsCreateRules(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	image, _ := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	app := e.createApp("limits", "")
	e.createFn(fnDetails(*app.Id, "taken", image))

	const bad, missing = "InvalidParameter", "MissingParameter"
	type D = functions.CreateFunctionDetails
	rules := []fnRule[D]{
		{name: "memory 128", mod: fnMemory(128)},
		{name: "memory 512", mod: fnMemory(512)},
		{name: "memory 1024", mod: fnMemory(1024)},
		{name: "memory 2048", mod: fnMemory(2048)},
		{name: "memory 3072", mod: fnMemory(3072)},
		{name: "memory 100", mod: fnMemory(100), status: 400, code: bad, msg: "memoryInMBs 100 is not allowed"},
		{name: "memory 4096", mod: fnMemory(4096), status: 400, code: bad, msg: "memoryInMBs 4096 is not allowed"},
		{name: "memory missing", mod: func(d *D) { d.MemoryInMBs = nil }, status: 400, code: missing, msg: "memoryInMBs is required"},
		{name: "timeout 1", mod: func(d *D) { d.TimeoutInSeconds = common.Int(1) }},
		{name: "timeout 300", mod: func(d *D) { d.TimeoutInSeconds = common.Int(300) }},
		{name: "timeout 0", mod: func(d *D) { d.TimeoutInSeconds = common.Int(0) }, status: 400, code: bad, msg: "timeoutInSeconds 0 is out of range"},
		{name: "timeout 301", mod: func(d *D) { d.TimeoutInSeconds = common.Int(301) }, status: 400, code: bad, msg: "timeoutInSeconds 301 is out of range"},
		{name: "detached 5", mod: func(d *D) { d.DetachedModeTimeoutInSeconds = common.Int(5) }},
		{name: "detached 3600", mod: func(d *D) { d.DetachedModeTimeoutInSeconds = common.Int(3600) }},
		{name: "detached 4", mod: func(d *D) { d.DetachedModeTimeoutInSeconds = common.Int(4) }, status: 400, code: bad, msg: "detachedModeTimeoutInSeconds 4 is out of range"},
		{name: "detached 3601", mod: func(d *D) { d.DetachedModeTimeoutInSeconds = common.Int(3601) }, status: 400, code: bad, msg: "detachedModeTimeoutInSeconds 3601"},
		{name: "pcu 128MB 40", mod: fnPCUCount(128, 40)},
		{name: "pcu 128MB 80", mod: fnPCUCount(128, 80)},
		{name: "pcu 128MB 20", mod: fnPCUCount(128, 20), status: 400, code: bad, msg: "count 20 is not allowed for a 128 MB function: the count must be a positive multiple of 40"},
		{name: "pcu 256MB 20", mod: fnPCUCount(256, 20)},
		{name: "pcu 256MB 30", mod: fnPCUCount(256, 30), status: 400, code: bad, msg: "positive multiple of 20"},
		{name: "pcu 512MB 10", mod: fnPCUCount(512, 10)},
		{name: "pcu 3072MB 30", mod: fnPCUCount(3072, 30)},
		{name: "pcu 1024MB 15", mod: fnPCUCount(1024, 15), status: 400, code: bad, msg: "positive multiple of 10"},
		{name: "pcu 0", mod: fnPCUCount(512, 0), status: 400, code: bad, msg: "count 0 is not allowed"},
		{name: "pcu negative", mod: fnPCUCount(512, -10), status: 400, code: bad, msg: "count -10 is not allowed"},
		{name: "pcu none", mod: func(d *D) { d.ProvisionedConcurrencyConfig = functions.NoneProvisionedConcurrencyConfig{} }},
		{name: "pcu count missing", mod: func(d *D) { d.ProvisionedConcurrencyConfig = functions.ConstantProvisionedConcurrencyConfig{} }, status: 400, code: missing, msg: "provisionedConcurrencyConfig.count is required"},
		{name: "config keys", mod: fnConfig(map[string]string{"A": "1", "_b9": "2", "Zz_0": ""})},
		{name: "config key digit", mod: fnConfig(map[string]string{"1A": "x"}), status: 400, code: bad, msg: `config key "1A" is invalid`},
		{name: "config key dash", mod: fnConfig(map[string]string{"A-B": "x"}), status: 400, code: bad, msg: `config key "A-B" is invalid`},
		{name: "config key empty", mod: fnConfig(map[string]string{"": "x"}), status: 400, code: bad, msg: `config key "" is invalid`},
		{name: "config key non-ascii", mod: fnConfig(map[string]string{"É": "x"}), status: 400, code: bad, msg: "is invalid"},
		{name: "config 4096 bytes", mod: fnConfig(fnConfigOfSize(4096))},
		{name: "config 4097 bytes", mod: fnConfig(fnConfigOfSize(4097)), status: 400, code: bad, msg: "config is 4097 bytes (keys and values in UTF-8); the limit is 4096 bytes"},
		{name: "config counts UTF-8 octets", mod: fnConfig(map[string]string{"K": strings.Repeat("é", 2048)}), status: 400, code: bad, msg: "config is 4097 bytes"},
		{name: "name missing", mod: func(d *D) { d.DisplayName = nil }, status: 400, code: missing, msg: "displayName is required"},
		{name: "name 255", mod: func(d *D) { d.DisplayName = common.String(strings.Repeat("n", 255)) }},
		{name: "name 256", mod: func(d *D) { d.DisplayName = common.String(strings.Repeat("n", 256)) }, status: 400, code: bad, msg: "displayName is 256 characters long"},
		{name: "name control", mod: func(d *D) { d.DisplayName = common.String("a\x01b") }, status: 400, code: bad, msg: "control character"},
		{name: "name taken", mod: func(d *D) { d.DisplayName = common.String("taken") }, status: 409, code: "Conflict", msg: `a function named "taken" already exists`},
		{name: "application missing", mod: func(d *D) { d.ApplicationId = nil }, status: 400, code: missing, msg: "applicationId is required"},
		{name: "application unknown", mod: func(d *D) { d.ApplicationId = common.String("ocid1.fnapp.oc1.iad.nope") }, status: 404, code: "NotAuthorizedOrNotFound", msg: "application ocid1.fnapp.oc1.iad.nope not found"},
		{name: "source missing", mod: func(d *D) { d.SourceDetails = nil }, status: 400, code: missing, msg: "sourceDetails is required"},
		{name: "image missing", mod: func(d *D) { d.SourceDetails = functions.CreateContainerImageFunctionSourceDetails{} }, status: 400, code: missing, msg: "sourceDetails.image is required"},
		{name: "archive source", mod: func(d *D) {
			d.SourceDetails = functions.CreateArchiveFunctionSourceDetails{}
		}, status: 400, code: bad, msg: "sourceDetails.sourceType ARCHIVE is not supported by the emulator"},
		{name: "pre-built source", mod: func(d *D) {
			d.SourceDetails = functions.CreatePreBuiltFunctionSourceDetails{PbfListingId: common.String("ocid1.pbf.oc1..x")}
		}, status: 400, code: bad, msg: "PRE_BUILT_FUNCTIONS is not supported"},
		{name: "digest malformed", mod: func(d *D) {
			d.SourceDetails = functions.CreateContainerImageFunctionSourceDetails{Image: common.String(image), ImageDigest: common.String("sha256:abc")}
		}, status: 400, code: bad, msg: `imageDigest "sha256:abc" is not a digest`},
		{name: "queue destination", mod: func(d *D) {
			d.FailureDestination = functions.QueueFailureDestinationDetails{QueueId: common.String("ocid1.queue.oc1.iad.q")}
			d.SuccessDestination = functions.NoneSuccessDestinationDetails{}
		}},
		{name: "queue destination without id", mod: func(d *D) { d.FailureDestination = functions.QueueFailureDestinationDetails{} }, status: 400, code: missing, msg: "failureDestination.queueId is required"},
		{name: "stream destination bad id", mod: func(d *D) {
			d.SuccessDestination = functions.StreamSuccessDestinationDetails{StreamId: common.String("../x")}
		}, status: 400, code: bad, msg: "successDestination.streamId"},
	}
	for i, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			t.Parallel()
			d := fnDetails(*app.Id, fmt.Sprintf("fn-%d", i), image)
			rule.mod(&d)
			resp, err := e.mgmt.CreateFunction(e.ctx, functions.CreateFunctionRequest{CreateFunctionDetails: d})
			if rule.status == 0 {
				require.NoError(t, err)
				require.Equal(t, functions.FunctionLifecycleStateCreating, resp.LifecycleState)
				return
			}
			fnRequireError(t, err, rule.status, rule.code, rule.msg)
		})
	}
}

// TestFunctionsApplicationRules checks the rules of an application create.
func TestFunctionsApplicationRules(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	info := e.s.Info()
	e.createApp("taken", "")

	const bad, missing = "InvalidParameter", "MissingParameter"
	type D = functions.CreateApplicationDetails
	rules := []fnRule[D]{
		{name: "defaults", mod: func(*D) {}},
		{name: "tenancy compartment", mod: func(d *D) { d.CompartmentId = common.String(info.TenancyID) }},
		{name: "same name in another compartment", mod: func(d *D) {
			d.CompartmentId, d.DisplayName = common.String(info.TenancyID), common.String("taken")
		}},
		{name: "shape arm", mod: func(d *D) { d.Shape = functions.CreateApplicationDetailsShapeArm }},
		{name: "shape lower case", mod: func(d *D) { d.Shape = "generic_x86_arm" }},
		{name: "compartment missing", mod: func(d *D) { d.CompartmentId = nil }, status: 400, code: missing, msg: "compartmentId is required"},
		{name: "compartment unknown", mod: func(d *D) { d.CompartmentId = common.String("ocid1.compartment.oc1..other") }, status: 404, code: "NotAuthorizedOrNotFound", msg: "compartment ocid1.compartment.oc1..other not found"},
		{name: "name missing", mod: func(d *D) { d.DisplayName = nil }, status: 400, code: missing, msg: "displayName is required"},
		{name: "name empty", mod: func(d *D) { d.DisplayName = common.String("") }, status: 400, code: missing, msg: "displayName is required"},
		{name: "name taken", mod: func(d *D) { d.DisplayName = common.String("taken") }, status: 409, code: "Conflict", msg: `an application named "taken" already exists`},
		{name: "subnets empty", mod: func(d *D) { d.SubnetIds = []string{} }, status: 400, code: missing, msg: "subnetIds is required"},
		{name: "subnet unknown", mod: func(d *D) { d.SubnetIds = []string{"ocid1.subnet.oc1.iad.other"} }, status: 400, code: bad, msg: `subnet "ocid1.subnet.oc1.iad.other" does not exist in the emulator`},
		{name: "config key", mod: func(d *D) { d.Config = map[string]string{"9LIVES": "x"} }, status: 400, code: bad, msg: `config key "9LIVES" is invalid`},
		{name: "config 4096 bytes", mod: func(d *D) { d.Config = fnConfigOfSize(4096) }},
		{name: "config 4097 bytes", mod: func(d *D) { d.Config = fnConfigOfSize(4097) }, status: 400, code: bad, msg: "the limit is 4096 bytes (4 KB)"},
		{name: "syslog", mod: func(d *D) { d.SyslogUrl = common.String("tcp+tls://logs.example.com:6514") }},
		{name: "syslog scheme", mod: func(d *D) { d.SyslogUrl = common.String("http://logs:80") }, status: 400, code: bad, msg: "syslogUrl"},
		{name: "nsg", mod: func(d *D) { d.NetworkSecurityGroupIds = []string{"ocid1.networksecuritygroup.oc1.iad.x"} }},
		{name: "nsg malformed", mod: func(d *D) { d.NetworkSecurityGroupIds = []string{"sg-1"} }, status: 400, code: bad, msg: `networkSecurityGroupIds: "sg-1" is not an OCID`},
		{name: "line format", mod: func(d *D) { d.Logging = &functions.ApplicationLoggingConfig{LineFormat: "XML"} }, status: 400, code: bad, msg: `logging.lineFormat "XML"`},
		{name: "image policy", mod: func(d *D) { d.ImagePolicyConfig = &functions.ImagePolicyConfig{} }, status: 400, code: missing, msg: "imagePolicyConfig.isPolicyEnabled is required"},
	}
	for i, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			t.Parallel()
			d := D{CompartmentId: &info.CompartmentID, DisplayName: common.String(fmt.Sprintf("app-%d", i)), SubnetIds: []string{info.SubnetID}}
			rule.mod(&d)
			resp, err := e.mgmt.CreateApplication(e.ctx, functions.CreateApplicationRequest{CreateApplicationDetails: d})
			if rule.status == 0 {
				require.NoError(t, err)
				require.Equal(t, functions.ApplicationLifecycleStateCreating, resp.LifecycleState)
				require.Contains(t, []functions.ApplicationShapeEnum{"GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"}, resp.Shape)
				return
			}
			fnRequireError(t, err, rule.status, rule.code, rule.msg)
		})
	}
	// The SDK refuses these before sending them.
	for body, msg := range map[string]string{
		`{"compartmentId":%q,"displayName":"x","subnetIds":[%q],"shape":"GENERIC_RISCV"}`: `shape "GENERIC_RISCV" is not one of GENERIC_X86, GENERIC_ARM, GENERIC_X86_ARM`,
		`{"compartmentId":%q,"displayName":"x","subnetIdz":[%q]}`:                         "subnetIds is required",
	} {
		status, out := e.raw(http.MethodPost, "/20260325/applications", fmt.Sprintf(body, info.CompartmentID, info.SubnetID))
		require.Equal(t, http.StatusBadRequest, status)
		require.Equal(t, msg, out["message"])
	}
}

// TestFunctionsUpdateRules checks the rules of a function update,
// including provisioned concurrency against a changed memory and the
// fields that cannot change.
func TestFunctionsUpdateRules(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	image, _ := fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	app := e.createApp("app", "")
	d := fnDetails(*app.Id, "pcu", image)
	d.ProvisionedConcurrencyConfig = functions.ConstantProvisionedConcurrencyConfig{Count: common.Int(20)}
	fn := e.createFn(d)
	before, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: fn.Id})
	require.NoError(t, err)

	type U = functions.UpdateFunctionDetails
	rules := []fnRule[U]{
		{name: "memory 100", mod: func(u *U) { u.MemoryInMBs = common.Int64(100) }, status: 400, code: "InvalidParameter", msg: "memoryInMBs 100 is not allowed"},
		{name: "memory against pcu", mod: func(u *U) { u.MemoryInMBs = common.Int64(128) }, status: 400, code: "InvalidParameter", msg: "count 20 is not allowed for a 128 MB function"},
		{name: "timeout 301", mod: func(u *U) { u.TimeoutInSeconds = common.Int(301) }, status: 400, code: "InvalidParameter", msg: "timeoutInSeconds 301"},
		{name: "config key", mod: func(u *U) { u.Config = map[string]string{"a.b": "x"} }, status: 400, code: "InvalidParameter", msg: `config key "a.b" is invalid`},
		{name: "archive", mod: func(u *U) { u.SourceDetails = functions.UpdateArchiveFunctionSourceDetails{} }, status: 400, code: "InvalidParameter", msg: "ARCHIVE is not supported"},
		{name: "digest malformed", mod: func(u *U) {
			u.SourceDetails = functions.UpdateContainerImageFunctionSourceDetails{ImageDigest: common.String("latest")}
		}, status: 400, code: "InvalidParameter", msg: `imageDigest "latest" is not a digest`},
	}
	for _, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			t.Parallel()
			var u U
			rule.mod(&u)
			_, err := e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: fn.Id, UpdateFunctionDetails: u})
			fnRequireError(t, err, rule.status, rule.code, rule.msg)
		})
	}
	for _, key := range []string{"displayName", "applicationId"} {
		status, body := e.raw(http.MethodPut, "/20260325/functions/"+*fn.Id, fmt.Sprintf(`{%q:"x"}`, key))
		require.Equal(t, http.StatusBadRequest, status)
		require.Equal(t, key+" cannot be changed after create", body["message"])
	}
	got, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: fn.Id})
	require.NoError(t, err)
	require.Equal(t, functions.FunctionLifecycleStateActive, got.LifecycleState, "refused updates change nothing")
	require.Equal(t, *before.Etag, *got.Etag)
}
