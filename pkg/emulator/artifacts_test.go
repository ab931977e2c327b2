package emulator

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/artifacts"
	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/stretchr/testify/require"
)

// createRepo creates a repository in the emulator's compartment.
func (e *iamEnv) createRepo(name string, public bool) artifacts.ContainerRepository {
	e.t.Helper()
	resp, err := e.arts.CreateContainerRepository(e.ctx, artifacts.CreateContainerRepositoryRequest{
		CreateContainerRepositoryDetails: artifacts.CreateContainerRepositoryDetails{
			CompartmentId: common.String(e.s.Info().CompartmentID), DisplayName: common.String(name),
			IsPublic: common.Bool(public), IsImmutable: common.Bool(false)}})
	require.NoError(e.t, err)
	require.NotEmpty(e.t, *resp.Etag)
	return resp.ContainerRepository
}

// TestArtifactsRepositories creates, gets and lists repositories as a
// release does, where `fn deploy` would push.
func TestArtifactsRepositories(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	comp := info.CompartmentID

	hello := e.createRepo("fns/hello", false)
	require.Equal(t, artifacts.ContainerRepositoryLifecycleStateAvailable, hello.LifecycleState)
	require.Equal(t, info.Namespace, *hello.Namespace)
	require.Equal(t, info.UserID, *hello.CreatedBy)
	require.Equal(t, 0, *hello.ImageCount)
	require.False(t, *hello.IsPublic)
	require.Equal(t, artifacts.ContainerRepositoryRepositoryTypeStandard, hello.RepositoryType)
	e.createRepo("fns/orders", true)

	_, err := e.arts.CreateContainerRepository(e.ctx, artifacts.CreateContainerRepositoryRequest{
		CreateContainerRepositoryDetails: artifacts.CreateContainerRepositoryDetails{CompartmentId: &info.TenancyID, DisplayName: common.String("fns/hello")}})
	requireServiceError(t, err, http.StatusConflict, "Conflict", `repository "fns/hello" already exists in namespace `+info.Namespace)

	got, err := e.arts.GetContainerRepository(e.ctx, artifacts.GetContainerRepositoryRequest{RepositoryId: hello.Id})
	require.NoError(t, err)
	require.Equal(t, "fns/hello", *got.DisplayName)
	require.NotEmpty(t, *got.Etag)

	list, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &comp,
		SortBy: artifacts.ListContainerRepositoriesSortByDisplayname})
	require.NoError(t, err)
	require.Equal(t, 2, *list.RepositoryCount)
	require.Equal(t, "fns/hello", *list.Items[0].DisplayName)
	require.Equal(t, "fns/orders", *list.Items[1].DisplayName)
	named, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &comp, DisplayName: common.String("fns/orders")})
	require.NoError(t, err)
	require.Len(t, named.Items, 1)
	public, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &comp, IsPublic: common.Bool(false)})
	require.NoError(t, err)
	require.Len(t, public.Items, 1)
	require.Equal(t, *hello.Id, *public.Items[0].Id)
	paged, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &comp, Limit: common.Int(1)})
	require.NoError(t, err)
	require.Equal(t, "fns/orders", *paged.Items[0].DisplayName, "newest first")
	require.Equal(t, 1, *paged.RemainingItemsCount)
	require.Equal(t, 2, *paged.RepositoryCount, "counts cover every match")
	require.NotNil(t, paged.OpcNextPage)
	rest, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &comp, Limit: common.Int(1), Page: paged.OpcNextPage})
	require.NoError(t, err)
	require.Equal(t, "fns/hello", *rest.Items[0].DisplayName)
	require.Equal(t, 0, *rest.RemainingItemsCount)
	tenancy, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.Empty(t, tenancy.Items)
	subtree, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &info.TenancyID,
		CompartmentIdInSubtree: common.Bool(true)})
	require.NoError(t, err)
	require.Len(t, subtree.Items, 2)

	_, err = e.arts.GetContainerRepository(e.ctx, artifacts.GetContainerRepositoryRequest{RepositoryId: common.String("ocid1.containerrepo.oc1.iad.nope")})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "container repository ocid1.containerrepo.oc1.iad.nope")
	_, err = e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &comp, CompartmentIdInSubtree: common.Bool(true)})
	requireServiceError(t, err, http.StatusBadRequest, "InvalidParameter", "compartmentIdInSubtree can only be true when compartmentId is the tenancy")
}

// TestArtifactsFirstPush pushes to paths with and without a repository:
// a new path gets a private repository in the root compartment, as OCIR
// does with isRepositoryCreatedOnFirstPush; turned off, none appears.
func TestArtifactsFirstPush(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()

	conf, err := e.arts.GetContainerConfiguration(e.ctx, artifacts.GetContainerConfigurationRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.True(t, *conf.IsRepositoryCreatedOnFirstPush)
	require.Equal(t, info.Namespace, *conf.Namespace)

	mine := e.createRepo("fns/hello", false)
	fnPush(t, e.s, "fns/hello:0.0.1", "linux/amd64")
	fnPush(t, e.s, "fns/hello:0.0.2", "linux/amd64")
	fnPush(t, e.s, "fns/pushed:1", "linux/amd64")

	got, err := e.arts.GetContainerRepository(e.ctx, artifacts.GetContainerRepositoryRequest{RepositoryId: mine.Id})
	require.NoError(t, err)
	require.Equal(t, 2, *got.ImageCount, "imageCount follows the registry's tags")
	root, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.Len(t, root.Items, 1)
	auto := root.Items[0]
	require.Equal(t, "fns/pushed", *auto.DisplayName)
	require.False(t, *auto.IsPublic, "created private")
	require.Equal(t, 1, *auto.ImageCount)
	require.Equal(t, 3, *root.ImageCount+*got.ImageCount)

	_, err = e.arts.UpdateContainerConfiguration(e.ctx, artifacts.UpdateContainerConfigurationRequest{CompartmentId: &info.TenancyID,
		IfMatch: common.String("stale"), UpdateContainerConfigurationDetails: artifacts.UpdateContainerConfigurationDetails{IsRepositoryCreatedOnFirstPush: common.Bool(false)}})
	requireServiceError(t, err, http.StatusPreconditionFailed, "NoEtagMatch", "")
	off, err := e.arts.UpdateContainerConfiguration(e.ctx, artifacts.UpdateContainerConfigurationRequest{CompartmentId: &info.TenancyID,
		IfMatch: conf.Etag, UpdateContainerConfigurationDetails: artifacts.UpdateContainerConfigurationDetails{IsRepositoryCreatedOnFirstPush: common.Bool(false)}})
	require.NoError(t, err)
	require.False(t, *off.IsRepositoryCreatedOnFirstPush)
	fnPush(t, e.s, "fns/ignored:1", "linux/amd64")
	all, err := e.arts.ListContainerRepositories(e.ctx, artifacts.ListContainerRepositoriesRequest{CompartmentId: &info.TenancyID, CompartmentIdInSubtree: common.Bool(true)})
	require.NoError(t, err)
	require.Equal(t, 2, *all.RepositoryCount, "no repository for a push while the setting is off")

	// A registry that cannot be read leaves the repositories as they are.
	e.locked(func(st *state) {
		st.arts.scan = func(context.Context) (map[string]int, error) { return nil, errors.New("registry down") }
	})
	again, err := e.arts.GetContainerRepository(e.ctx, artifacts.GetContainerRepositoryRequest{RepositoryId: mine.Id})
	require.NoError(t, err)
	require.Equal(t, 2, *again.ImageCount)
}

// TestArtifactsCreateRules is the table of the rules on new repositories.
func TestArtifactsCreateRules(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	e.createRepo("taken", false)
	rules := []iamRule[artifacts.CreateContainerRepositoryDetails]{
		{"uppercase", func(d *artifacts.CreateContainerRepositoryDetails) { d.DisplayName = common.String("Fns/Hello") }, iamBad, iamInvalid, `displayName "Fns/Hello": a repository name is lowercase`},
		{"leading slash", func(d *artifacts.CreateContainerRepositoryDetails) { d.DisplayName = common.String("/fns") }, iamBad, iamInvalid, `displayName "/fns"`},
		{"trailing dash", func(d *artifacts.CreateContainerRepositoryDetails) { d.DisplayName = common.String("fns-") }, iamBad, iamInvalid, `displayName "fns-"`},
		{"empty component", func(d *artifacts.CreateContainerRepositoryDetails) { d.DisplayName = common.String("fns//hello") }, iamBad, iamInvalid, `displayName "fns//hello"`},
		{"a tag", func(d *artifacts.CreateContainerRepositoryDetails) { d.DisplayName = common.String("fns/hello:1") }, iamBad, iamInvalid, `displayName "fns/hello:1"`},
		{"empty", func(d *artifacts.CreateContainerRepositoryDetails) { d.DisplayName = common.String("") }, iamBad, iamInvalid, `displayName ""`},
		{"256 characters", func(d *artifacts.CreateContainerRepositoryDetails) {
			d.DisplayName = common.String(strings.Repeat("a", 256))
		}, iamBad, iamInvalid, "the limit is 255"},
		{"unknown compartment", func(d *artifacts.CreateContainerRepositoryDetails) {
			d.CompartmentId = common.String("ocid1.compartment.oc1..nope")
		}, http.StatusNotFound, iamNotFound, "compartment ocid1.compartment.oc1..nope"},
		{"taken", func(d *artifacts.CreateContainerRepositoryDetails) { d.DisplayName = common.String("taken") }, http.StatusConflict, "Conflict", `repository "taken" already exists`},
		{"pull-through", func(d *artifacts.CreateContainerRepositoryDetails) {
			d.RepositoryType = artifacts.ContainerRepositoryRepositoryTypePullThrough
		}, iamBad, iamInvalid, "repositoryType PULL_THROUGH is not served by the emulator"},
		{"top level", func(d *artifacts.CreateContainerRepositoryDetails) { d.IsTopLevel = common.Bool(true) }, iamBad, iamInvalid, "top-level repositories are not served"},
		{"upstream on standard", func(d *artifacts.CreateContainerRepositoryDetails) { d.UpstreamUrl = common.String("iad.ocir.io/x") }, iamBad, iamInvalid, "only for PULL_THROUGH"},
		{"peers on standard", func(d *artifacts.CreateContainerRepositoryDetails) { d.MultiRegionPeers = []string{"us-phoenix-1"} }, iamBad, iamInvalid, "only for MULTI_REGION"},
		{"readme without content", func(d *artifacts.CreateContainerRepositoryDetails) {
			d.Readme = &artifacts.ContainerRepositoryReadme{Format: artifacts.ContainerRepositoryReadmeFormatPlain}
		}, iamBad, iamMissing, "readme.content is required"},
		{"separators", func(d *artifacts.CreateContainerRepositoryDetails) {
			d.DisplayName = common.String("a.b/c_d/e__f/g---h")
		}, 0, "", ""},
		{"with a readme", func(d *artifacts.CreateContainerRepositoryDetails) {
			d.Readme = &artifacts.ContainerRepositoryReadme{Content: common.String("# hi"), Format: artifacts.ContainerRepositoryReadmeFormatMarkdown}
		}, 0, "", ""},
		{"in the tenancy, immutable", func(d *artifacts.CreateContainerRepositoryDetails) {
			d.CompartmentId, d.IsImmutable = &info.TenancyID, common.Bool(true)
		}, 0, "", ""},
	}
	for _, tc := range rules {
		t.Run(tc.name, func(t *testing.T) {
			d := artifacts.CreateContainerRepositoryDetails{CompartmentId: &info.CompartmentID, DisplayName: common.String("r/" + iamSlug(tc.name))}
			tc.mutate(&d)
			_, err := e.arts.CreateContainerRepository(e.ctx, artifacts.CreateContainerRepositoryRequest{CreateContainerRepositoryDetails: d})
			iamRequire(t, err, tc.status, tc.code, tc.fragment)
		})
	}
	for _, tc := range []struct {
		method, path, body string
		status             int
		code, fragment     string
	}{
		{"POST", "/20160918/container/repositories", `{"compartmentId": "` + info.CompartmentID + `"}`, iamBad, iamMissing, "displayName is required"},
		{"POST", "/20160918/container/repositories", `{"displayName": "x"}`, iamBad, iamMissing, "compartmentId is required"},
		{"POST", "/20160918/container/repositories", `{"compartmentId": "` + info.CompartmentID + `", "displayName": "x", "repositoryType": "standard"}`, iamBad, iamInvalid, `repositoryType "standard" must be one of`},
		{"POST", "/20160918/container/repositories", `{"compartmentId": "` + info.CompartmentID + `", "displayName": "x", "readme": {"content": "c", "format": "HTML"}}`, iamBad, iamInvalid, `readme.format "HTML" must be TEXT_MARKDOWN or TEXT_PLAIN`},
		{"POST", "/20160918/container/repositories", `{"compartmentId": "` + info.CompartmentID + `", "displayName": "x", "isPublic": "yes"}`, iamBad, iamInvalid, `field "isPublic": expected a boolean`},
		{"GET", "/20160918/container/repositories", "", iamBad, iamMissing, "compartmentId is required"},
		{"GET", "/20160918/container/repositories?compartmentId=" + info.CompartmentID + "&isPublic=maybe", "", iamBad, iamInvalid, `isPublic "maybe" must be true or false`},
		{"GET", "/20160918/container/repositories?compartmentId=" + info.CompartmentID + "&lifecycleState=available", "", iamBad, iamInvalid, `lifecycleState "available" must be one of AVAILABLE, DELETED, DELETING`},
		{"GET", "/20160918/container/repositories?compartmentId=" + info.CompartmentID + "&sortBy=NAME", "", iamBad, iamInvalid, `sortBy "NAME" must be TIMECREATED or DISPLAYNAME`},
		{"GET", "/20160918/container/configuration", "", iamBad, iamMissing, "compartmentId is required"},
		{"PUT", "/20160918/container/configuration?compartmentId=" + info.TenancyID, `{"isRepositoryCreatedOnFirstPush": 1}`, iamBad, iamInvalid, `expected a boolean`},
	} {
		r := e.raw(tc.method, tc.path, tc.body, nil)
		require.Equal(t, tc.status, r.Status, "%s %s %s: %s", tc.method, tc.path, tc.body, r.Body)
		require.Equal(t, tc.code, r.Code, "%s %s: %s", tc.method, tc.path, r.Body)
		require.Contains(t, r.Message, tc.fragment, "%s %s %s", tc.method, tc.path, tc.body)
	}
}
