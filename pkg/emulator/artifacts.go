package emulator

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/oracle/oci-go-sdk/v65/artifacts"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// artifactsBase is where the Artifacts API (ArtifactsClient, BasePath
// 20160918) serves container repositories: /20160918/container/...
const artifactsBase = identityBase + "/container"

// artsMaxName bounds a repository name (the OCI distribution spec's
// recommended limit for a name).
const artsMaxName = 255

// artsNameRE is the OCI distribution spec's repository name grammar:
// lowercase path components separated by "/".
var artsNameRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$`)

// artifactsState is the state of the Artifacts plane: container
// repositories as OCIR has them, one namespace per tenancy, each
// repository in a compartment and its name (the path under the
// namespace, e.g. "fns/hello") unique in the tenancy. Guarded by
// state.mu.
//
// Pushes to the registry do not pass through this plane: like OCIR with
// isRepositoryCreatedOnFirstPush (the default here), a push to a path
// with no repository creates a private, mutable repository in the root
// compartment. The emulator does it when the repositories are next read:
// list and get first read the registry's catalog (scan) and create the
// repositories of new paths; they also refresh imageCount (the number of
// tags). With the setting off, the emulator's registry still accepts
// such a push (OCIR refuses it) but no repository appears.
type artifactsState struct {
	st     *state
	seq    int
	repos  map[string]*artsRepo
	userID string // createdBy of every repository

	createOnFirstPush bool
	// scan reads the registry: repository path under the namespace →
	// number of tags. It is called without the state lock; nil means no
	// registry (fuzz stores). Tests may replace it.
	scan func(ctx context.Context) (map[string]int, error)
}

// artsRepo is a stored repository.
type artsRepo struct {
	r    artifacts.ContainerRepository
	etag string
	seq  int
}

// newArtifactsState starts with no repositories and with repositories
// created on first push; registerArtifacts connects it to the registry.
func newArtifactsState(st *state) *artifactsState {
	return &artifactsState{st: st, repos: map[string]*artsRepo{}, createOnFirstPush: true}
}

// registerArtifacts registers the Artifacts endpoints: container
// configuration (get, update) and container repositories (create, get,
// list).
func (s *Server) registerArtifacts(mux *http.ServeMux) {
	a := s.st.arts
	a.userID = s.id.userID
	a.scan = artsRegistryScanner("http://"+s.info.Registry, s.id.namespace, s.id.registryUser, s.id.registryToken)
	mux.HandleFunc("GET "+artifactsBase+"/configuration", s.handle(a.getConfiguration))
	mux.HandleFunc("PUT "+artifactsBase+"/configuration", s.handle(a.updateConfiguration))
	mux.HandleFunc("POST "+artifactsBase+"/repositories", s.handle(a.createRepository))
	mux.HandleFunc("GET "+artifactsBase+"/repositories", s.handlePrepared(a.afterScan(a.listRepositories)))
	mux.HandleFunc("GET "+artifactsBase+"/repositories/{id}", s.handlePrepared(a.afterScan(a.getRepository)))
}

// configuration is the tenancy's container configuration.
func (a *artifactsState) configuration() artifacts.ContainerConfiguration {
	return artifacts.ContainerConfiguration{IsRepositoryCreatedOnFirstPush: common.Bool(a.createOnFirstPush), Namespace: common.String(a.st.namespace)}
}

// getConfiguration answers GET /container/configuration?compartmentId=:
// the tenancy's namespace (what login-ocir reads, oci-api.md §7) and
// whether a push creates its repository.
func (a *artifactsState) getConfiguration(c *call) (int, any, error) {
	comp, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.st.iam.checkCompartment(comp); err != nil {
		return 0, nil, err
	}
	out := a.configuration()
	c.header.Set("etag", etagOf(out))
	return http.StatusOK, out, nil
}

// updateConfiguration answers PUT /container/configuration?compartmentId=:
// turns repository creation on first push on or off.
func (a *artifactsState) updateConfiguration(c *call) (int, any, error) {
	comp, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.st.iam.checkCompartment(comp); err != nil {
		return 0, nil, err
	}
	if err := checkIfMatch(c.r, etagOf(a.configuration())); err != nil {
		return 0, nil, err
	}
	var in artifacts.UpdateContainerConfigurationDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if in.IsRepositoryCreatedOnFirstPush != nil {
		a.createOnFirstPush = *in.IsRepositoryCreatedOnFirstPush
	}
	out := a.configuration()
	c.header.Set("etag", etagOf(out))
	return http.StatusOK, out, nil
}

// createRepository answers POST /container/repositories: a STANDARD
// repository, AVAILABLE at once; 200 with the repository and its etag.
func (a *artifactsState) createRepository(c *call) (int, any, error) {
	var in artifacts.CreateContainerRepositoryDetails
	if err := decodeJSON(c.body, &in); err != nil {
		return 0, nil, err
	}
	if err := artsCheckCreate(&in); err != nil {
		return 0, nil, err
	}
	if err := a.st.iam.checkCompartment(*in.CompartmentId); err != nil {
		return 0, nil, err
	}
	if x := a.byName(*in.DisplayName); x != nil {
		return 0, nil, errConflict(codeConflict, "repository %q already exists in namespace %s: %s", *in.DisplayName, a.st.namespace, *x.r.Id)
	}
	x := a.add(artifacts.ContainerRepository{CompartmentId: in.CompartmentId, DisplayName: in.DisplayName,
		IsImmutable: common.Bool(in.IsImmutable != nil && *in.IsImmutable), IsPublic: common.Bool(in.IsPublic != nil && *in.IsPublic),
		Readme: in.Readme, FreeformTags: in.FreeformTags, DefinedTags: in.DefinedTags}, 0, c.now)
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.r, nil
}

// add stores a new repository, AVAILABLE, created at now.
func (a *artifactsState) add(r artifacts.ContainerRepository, images int, now time.Time) *artsRepo {
	a.seq++
	r.Id = common.String(newOCID("containerrepo", a.st.key))
	r.CreatedBy = common.String(a.userID)
	r.ImageCount, r.LayerCount = common.Int(images), common.Int(0)
	r.LayersSizeInBytes, r.BillableSizeInGBs = common.Int64(0), common.Int64(0)
	r.LifecycleState = artifacts.ContainerRepositoryLifecycleStateAvailable
	r.TimeCreated = apigwTime(now)
	r.Namespace = common.String(a.st.namespace)
	r.FreeformTags, r.DefinedTags = apigwFreeform(r.FreeformTags), apigwDefined(r.DefinedTags)
	r.SystemTags = map[string]map[string]interface{}{}
	r.RepositoryType = artifacts.ContainerRepositoryRepositoryTypeStandard
	r.IsTopLevel = common.Bool(false)
	x := &artsRepo{r: r, etag: etagOf(r), seq: a.seq}
	a.repos[*r.Id] = x
	return x
}

// byName returns the repository with that name, or nil.
func (a *artifactsState) byName(name string) *artsRepo {
	for _, x := range a.repos {
		if *x.r.DisplayName == name {
			return x
		}
	}
	return nil
}

// artsCheckCreate checks a create request: the mandatory fields, the name
// grammar, and what the emulator does not serve (pull-through and
// multi-region repositories, top-level repositories).
func artsCheckCreate(in *artifacts.CreateContainerRepositoryDetails) *apiError {
	switch {
	case in.CompartmentId == nil || *in.CompartmentId == "":
		return errMissing("compartmentId")
	case in.DisplayName == nil:
		return errMissing("displayName")
	}
	if err := artsCheckName(*in.DisplayName); err != nil {
		return err
	}
	switch t := string(in.RepositoryType); t {
	case "", string(artifacts.ContainerRepositoryRepositoryTypeStandard):
	case string(artifacts.ContainerRepositoryRepositoryTypePullThrough), string(artifacts.ContainerRepositoryRepositoryTypeMultiRegion):
		return errBadRequest("repositoryType %s is not served by the emulator; create STANDARD repositories", t)
	default:
		return errBadRequest("repositoryType %q must be one of MULTI_REGION, PULL_THROUGH, STANDARD", t)
	}
	switch {
	case in.IsTopLevel != nil && *in.IsTopLevel:
		return errBadRequest("isTopLevel: top-level repositories are not served by the emulator")
	case in.UpstreamUrl != nil, in.UpstreamUsername != nil, in.UpstreamSecretId != nil:
		return errBadRequest("upstreamUrl, upstreamUsername and upstreamSecretId are only for PULL_THROUGH repositories")
	case in.MultiRegionPeers != nil:
		return errBadRequest("multiRegionPeers is only for MULTI_REGION repositories")
	}
	if r := in.Readme; r != nil {
		if r.Content == nil {
			return errMissing("readme.content")
		}
		if v, ok := artifacts.GetMappingContainerRepositoryReadmeFormatEnum(string(r.Format)); !ok || string(v) != string(r.Format) {
			return errBadRequest("readme.format %q must be TEXT_MARKDOWN or TEXT_PLAIN", r.Format)
		}
	}
	return nil
}

// artsCheckName checks a repository name against the distribution spec's
// grammar (OCIR's names are lowercase paths such as "fns/hello").
func artsCheckName(name string) *apiError {
	if len(name) > artsMaxName {
		return errBadRequest("displayName is %d characters long; the limit is %d", len(name), artsMaxName)
	}
	if !artsNameRE.MatchString(name) {
		return errBadRequest(`displayName %q: a repository name is lowercase letters and digits in path components separated by "/", each component possibly split by ".", "_", "__" or dashes`, name)
	}
	return nil
}
