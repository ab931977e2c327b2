package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oracle/oci-go-sdk/v65/artifacts"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// afterScan runs ep after reading the registry (without the state lock;
// only the scanner itself is fetched under it) and reconciling the
// repositories with what the registry holds (with the lock). A registry
// that cannot be read leaves the repositories as they are.
func (a *artifactsState) afterScan(ep endpoint) prepare {
	return func(*call) (endpoint, *apiError) {
		a.st.mu.Lock()
		scan := a.scan
		a.st.mu.Unlock()
		var scanned map[string]int
		if scan != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if m, err := scan(ctx); err == nil {
				scanned = m
			}
		}
		return func(c *call) (int, any, error) {
			a.reconcile(scanned, c.now)
			return ep(c)
		}, nil
	}
}

// reconcile refreshes imageCount of the repositories the registry holds
// and, when repositories are created on first push, creates the missing
// ones: private, mutable, in the root compartment (paths that are not
// valid repository names are left alone).
func (a *artifactsState) reconcile(scanned map[string]int, now time.Time) {
	paths := make([]string, 0, len(scanned))
	for p := range scanned {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		images := scanned[p]
		if x := a.byName(p); x != nil {
			if *x.r.ImageCount != images {
				x.r.ImageCount = common.Int(images)
				x.etag = etagOf(x.r)
			}
			continue
		}
		if a.createOnFirstPush && artsCheckName(p) == nil {
			a.add(artifacts.ContainerRepository{CompartmentId: common.String(a.st.tenancyID), DisplayName: common.String(p),
				IsImmutable: common.Bool(false), IsPublic: common.Bool(false)}, images, now)
		}
	}
}

// getRepository answers GET /container/repositories/{id}.
func (a *artifactsState) getRepository(c *call) (int, any, error) {
	id := c.r.PathValue("id")
	x, ok := a.repos[id]
	if !validID(id) || !ok {
		return 0, nil, errNotFound("container repository", id)
	}
	c.header.Set("etag", x.etag)
	return http.StatusOK, x.r, nil
}

// listRepositories answers GET /container/repositories?compartmentId=
// with the filters of ListContainerRepositoriesRequest (displayName,
// repositoryId, isPublic, lifecycleState, repositoryType, isTopLevel;
// compartmentIdInSubtree only on the tenancy), sorted TIMECREATED (newest
// first) or DISPLAYNAME, as a ContainerRepositoryCollection whose counts
// cover every match, not only the page.
func (a *artifactsState) listRepositories(c *call) (int, any, error) {
	comp, err := iamCompartmentQuery(c.r)
	if err != nil {
		return 0, nil, err
	}
	if err := a.st.iam.checkCompartment(comp); err != nil {
		return 0, nil, err
	}
	subtree, err := apigwBoolParam(c.r, "compartmentIdInSubtree")
	if err != nil {
		return 0, nil, err
	}
	if subtree && comp != a.st.tenancyID {
		return 0, nil, errBadRequest("compartmentIdInSubtree can only be true when compartmentId is the tenancy (the root compartment)")
	}
	match, err := artsFilter(c.r)
	if err != nil {
		return 0, nil, err
	}
	var matched []*artsRepo
	images := 0
	for _, x := range a.repos {
		if (*x.r.CompartmentId == comp || subtree) && match(&x.r) {
			matched = append(matched, x)
			images += *x.r.ImageCount
		}
	}
	total := len(matched)
	page, err := iamPageList(c, matched, "TIMECREATED", "DISPLAYNAME", func(x *artsRepo) iamListKey {
		return iamListKey{created: x.r.TimeCreated.Time, name: *x.r.DisplayName, seq: x.seq}
	})
	if err != nil {
		return 0, nil, err
	}
	remaining := 0
	if next := c.header.Get("opc-next-page"); next != "" {
		n, _ := strconv.Atoi(next)
		remaining = total - n
	}
	items := make([]artifacts.ContainerRepositorySummary, 0, len(page))
	for _, x := range page {
		r := x.r
		items = append(items, artifacts.ContainerRepositorySummary{CompartmentId: r.CompartmentId, DisplayName: r.DisplayName,
			Id: r.Id, ImageCount: r.ImageCount, IsPublic: r.IsPublic, LayerCount: r.LayerCount, LayersSizeInBytes: r.LayersSizeInBytes,
			LifecycleState: r.LifecycleState, TimeCreated: r.TimeCreated, BillableSizeInGBs: r.BillableSizeInGBs, Namespace: r.Namespace,
			FreeformTags: r.FreeformTags, DefinedTags: r.DefinedTags, SystemTags: r.SystemTags, RepositoryType: r.RepositoryType,
			IsTopLevel: r.IsTopLevel})
	}
	return http.StatusOK, artifacts.ContainerRepositoryCollection{Items: items, RepositoryCount: common.Int(total),
		ImageCount: common.Int(images), LayerCount: common.Int(0), LayersSizeInBytes: common.Int64(0),
		RemainingItemsCount: common.Int(remaining)}, nil
}

// artsFilter reads the list filters into a predicate.
func artsFilter(r *http.Request) (func(*artifacts.ContainerRepository) bool, *apiError) {
	q := r.URL.Query()
	public, err := artsOptionalBool(r, "isPublic")
	if err != nil {
		return nil, err
	}
	topLevel, err := artsOptionalBool(r, "isTopLevel")
	if err != nil {
		return nil, err
	}
	want, err := iamEnumQuery(r, "lifecycleState", artifacts.GetContainerRepositoryLifecycleStateEnumStringValues())
	if err != nil {
		return nil, err
	}
	repoType, err := iamEnumQuery(r, "repositoryType", artifacts.GetContainerRepositoryRepositoryTypeEnumStringValues())
	if err != nil {
		return nil, err
	}
	return func(x *artifacts.ContainerRepository) bool {
		switch {
		case q.Has("displayName") && *x.DisplayName != q.Get("displayName"),
			q.Has("repositoryId") && *x.Id != q.Get("repositoryId"),
			public != nil && *x.IsPublic != *public,
			topLevel != nil && *x.IsTopLevel != *topLevel,
			want != "" && string(x.LifecycleState) != want,
			repoType != "" && string(x.RepositoryType) != repoType:
			return false
		}
		return true
	}, nil
}

// artsOptionalBool reads an optional boolean query parameter (nil: not
// given).
func artsOptionalBool(r *http.Request, name string) (*bool, *apiError) {
	if !r.URL.Query().Has(name) {
		return nil, nil
	}
	v, err := apigwBoolParam(r, name)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// artsRegistryScanner reads the emulator registry's catalog and the tags
// of each repository under the namespace, as the registry's own client
// would (basic auth with the registry credentials).
func artsRegistryScanner(base, namespace, user, token string) func(ctx context.Context) (map[string]int, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(ctx context.Context, path string, v any) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		req.SetBasicAuth(user, token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("registry %s: %s", path, resp.Status)
		}
		return json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(v)
	}
	return func(ctx context.Context) (map[string]int, error) {
		var catalog struct {
			Repositories []string `json:"repositories"`
		}
		if err := get(ctx, "/v2/_catalog?n=10000", &catalog); err != nil {
			return nil, err
		}
		out := map[string]int{}
		for _, full := range catalog.Repositories {
			p, ok := strings.CutPrefix(full, namespace+"/")
			if !ok || p == "" {
				continue
			}
			var tags struct {
				Tags []string `json:"tags"`
			}
			if err := get(ctx, "/v2/"+(&url.URL{Path: full}).EscapedPath()+"/tags/list", &tags); err != nil {
				return nil, err
			}
			out[p] = len(tags.Tags)
		}
		return out, nil
	}
}
