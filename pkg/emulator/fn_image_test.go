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

// TestFunctionsImageRules checks how a function's image is read from the
// emulator's registry: digest resolution, digests that must exist, other
// registries, missing images and architectures against the shape.
func TestFunctionsImageRules(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	info := e.s.Info()
	amd, amdDigest := fnPush(t, e.s, "fns/amd:1", "linux/amd64")
	arm, _ := fnPush(t, e.s, "fns/arm:1", "linux/arm64")
	multi, multiDigest := fnPush(t, e.s, "fns/multi:1", "linux/amd64", "linux/arm64")
	_, otherDigest := fnPush(t, e.s, "fns/other:1", "linux/amd64")
	apps := map[string]string{}
	for _, shape := range []functions.CreateApplicationDetailsShapeEnum{"GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"} {
		apps[string(shape)] = *e.createApp(strings.ToLower(string(shape)), shape).Id
	}
	repo := info.Registry + "/" + info.Namespace + "/fns/"

	tests := []struct {
		name, shape, image, digest string
		wantDigest                 string // accepted with this digest
		msg                        string // refused (400 InvalidParameter) with this message fragment
	}{
		{name: "tag resolves to its digest", shape: "GENERIC_X86", image: amd, wantDigest: amdDigest},
		{name: "given digest", shape: "GENERIC_X86", image: amd, digest: amdDigest, wantDigest: amdDigest},
		{name: "digest in the reference", shape: "GENERIC_X86", image: repo + "amd@" + amdDigest, wantDigest: amdDigest},
		{name: "index on x86", shape: "GENERIC_X86", image: multi, wantDigest: multiDigest},
		{name: "index on arm", shape: "GENERIC_ARM", image: multi, wantDigest: multiDigest},
		{name: "index on x86_arm", shape: "GENERIC_X86_ARM", image: multi, wantDigest: multiDigest},
		{name: "arm on arm", shape: "GENERIC_ARM", image: arm},
		{name: "digest of another repository", shape: "GENERIC_X86", image: amd, digest: otherDigest,
			msg: "sourceDetails.imageDigest " + otherDigest + " does not exist in repository " + info.Registry + "/" + info.Namespace + "/fns/amd"},
		{name: "digest not matching the reference", shape: "GENERIC_X86", image: repo + "amd@" + amdDigest, digest: otherDigest,
			msg: "does not match the digest"},
		{name: "missing tag", shape: "GENERIC_X86", image: repo + "amd:2", msg: "sourceDetails.image " + repo + "amd:2 does not exist in the emulator's registry: push it first"},
		{name: "missing repository", shape: "GENERIC_X86", image: repo + "nothing:1", msg: "does not exist in the emulator's registry"},
		{name: "another namespace", shape: "GENERIC_X86", image: info.Registry + "/othertenancy/fns/amd:1", msg: "does not exist in the emulator's registry"},
		{name: "another registry", shape: "GENERIC_X86", image: "iad.ocir.io/tenancy/fns/amd:1",
			msg: "is on iad.ocir.io, but the emulator serves only its own registry: push the image to " + info.Registry},
		{name: "docker hub by default", shape: "GENERIC_X86", image: "fns/amd:1", msg: "is on index.docker.io, but the emulator serves only its own registry"},
		{name: "not a reference", shape: "GENERIC_X86", image: "UPPER/Case::x", msg: "is not an image reference"},
		{name: "arm on x86", shape: "GENERIC_X86", image: arm,
			msg: "sourceDetails.image " + arm + " is built for linux/arm64, but application " + apps["GENERIC_X86"] + " has shape GENERIC_X86, which needs an image for linux/amd64"},
		{name: "x86 on arm", shape: "GENERIC_ARM", image: amd, msg: "is built for linux/amd64, but application " + apps["GENERIC_ARM"] + " has shape GENERIC_ARM, which needs an image for linux/arm64"},
		{name: "single image on x86_arm", shape: "GENERIC_X86_ARM", image: amd,
			msg: "has shape GENERIC_X86_ARM, which needs an image for linux/amd64 and linux/arm64"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := functions.CreateContainerImageFunctionSourceDetails{Image: common.String(tc.image)}
			if tc.digest != "" {
				src.ImageDigest = common.String(tc.digest)
			}
			d := fnDetails(apps[tc.shape], fmt.Sprintf("fn-%d", i), tc.image)
			d.SourceDetails = src
			resp, err := e.mgmt.CreateFunction(e.ctx, functions.CreateFunctionRequest{CreateFunctionDetails: d})
			if tc.msg != "" {
				fnRequireError(t, err, http.StatusBadRequest, "InvalidParameter", tc.msg)
				return
			}
			require.NoError(t, err)
			got := resp.SourceDetails.(functions.ContainerImageFunctionSourceDetails)
			require.Equal(t, tc.image, *got.Image, "the image is kept as given")
			if tc.wantDigest != "" {
				require.Equal(t, tc.wantDigest, *got.ImageDigest)
			}
			require.Equal(t, functions.FunctionShapeEnum(tc.shape), resp.Shape)
		})
	}
}

// TestFunctionsImageUpdate changes a function's image and digest: a new
// tag is resolved again, a digest-only update resolves in the current
// image's repository, and an image for the wrong architecture is refused.
func TestFunctionsImageUpdate(t *testing.T) {
	t.Parallel()
	e := fnStart(t)
	v1, d1 := fnPush(t, e.s, "fns/hello:1", "linux/amd64")
	v2, d2 := fnPush(t, e.s, "fns/hello:2", "linux/amd64")
	arm, _ := fnPush(t, e.s, "fns/hello:arm", "linux/arm64")
	app := e.createApp("app", "")
	fn := e.createFn(fnDetails(*app.Id, "hello", v1))

	update := func(src functions.UpdateContainerImageFunctionSourceDetails) error {
		resp, err := e.mgmt.UpdateFunction(e.ctx, functions.UpdateFunctionRequest{FunctionId: fn.Id,
			UpdateFunctionDetails: functions.UpdateFunctionDetails{SourceDetails: src}})
		if err == nil {
			e.wait(*resp.OpcWorkRequestId)
		}
		return err
	}
	source := func() functions.ContainerImageFunctionSourceDetails {
		got, err := e.mgmt.GetFunction(e.ctx, functions.GetFunctionRequest{FunctionId: fn.Id})
		require.NoError(t, err)
		return got.SourceDetails.(functions.ContainerImageFunctionSourceDetails)
	}

	require.NoError(t, update(functions.UpdateContainerImageFunctionSourceDetails{Image: common.String(v2)}))
	require.Equal(t, v2, *source().Image)
	require.Equal(t, d2, *source().ImageDigest)

	// Only the digest: the tag stays, the digest must be in the same repository.
	require.NoError(t, update(functions.UpdateContainerImageFunctionSourceDetails{ImageDigest: common.String(d1)}))
	require.Equal(t, v2, *source().Image)
	require.Equal(t, d1, *source().ImageDigest)

	err := update(functions.UpdateContainerImageFunctionSourceDetails{Image: common.String(arm)})
	fnRequireError(t, err, http.StatusBadRequest, "InvalidParameter", "is built for linux/arm64")
	err = update(functions.UpdateContainerImageFunctionSourceDetails{Image: common.String("docker.io/library/busybox:1")})
	fnRequireError(t, err, http.StatusBadRequest, "InvalidParameter", "the emulator serves only its own registry")
	require.Equal(t, d1, *source().ImageDigest, "refused updates change nothing")
}
