package emulator

import (
	"context"
	"net/http"
	"time"
)

// Functions: create (async, CREATING → ACTIVE), get, list, update (async,
// UPDATING → ACTIVE, applied when the work request completes) and delete
// (async, DELETING → DELETED). Create and update read the image from the
// registry before they lock the state (fnHandleUnlocked).

// fnRegistryTimeout bounds the registry reads of one request.
const fnRegistryTimeout = 30 * time.Second

// checkFuncSpec applies the rules of a new function that do not depend on
// the state.
func checkFuncSpec(spec *fnFuncSpec) *apiError {
	if err := fnCheckName(spec.DisplayName); err != nil {
		return err
	}
	if !validID(spec.ApplicationID) {
		return errNotFound("application", spec.ApplicationID)
	}
	if err := fnCheckMemory(spec.MemoryMB); err != nil {
		return err
	}
	if err := fnCheckTimeout(spec.TimeoutSeconds); err != nil {
		return err
	}
	if spec.DetachedTimeoutSeconds != nil {
		if err := fnCheckDetachedTimeout(*spec.DetachedTimeoutSeconds); err != nil {
			return err
		}
	}
	if err := fnCheckPCU(spec.PCU, spec.MemoryMB); err != nil {
		return err
	}
	if err := fnCheckConfig(spec.Config); err != nil {
		return err
	}
	if err := fnCheckDigest(spec.ImageDigest); err != nil {
		return err
	}
	return fnCheckDestinations(spec.FailureDestination, spec.SuccessDestination)
}

// checkFuncPatch applies the rules of an update that do not depend on the
// state (provisioned concurrency is checked against the resulting memory
// later).
func checkFuncPatch(p *fnFuncPatch) *apiError {
	if p.MemoryMB != nil {
		if err := fnCheckMemory(*p.MemoryMB); err != nil {
			return err
		}
	}
	if p.TimeoutSeconds != nil {
		if err := fnCheckTimeout(*p.TimeoutSeconds); err != nil {
			return err
		}
	}
	if p.DetachedTimeoutSeconds != nil {
		if err := fnCheckDetachedTimeout(*p.DetachedTimeoutSeconds); err != nil {
			return err
		}
	}
	if err := fnCheckConfig(p.Config); err != nil {
		return err
	}
	if p.ImageDigest != nil {
		if err := fnCheckDigest(*p.ImageDigest); err != nil {
			return err
		}
	}
	return fnCheckDestinations(p.FailureDestination, p.SuccessDestination)
}

// liveFunction returns the function id names unless it is unknown or
// deleted.
func (f *functionsState) liveFunction(id string) (*fnFunc, *apiError) {
	fn, ok := f.fns[id]
	if !validID(id) || !ok || fn.State == fnDeleted {
		return nil, errNotFound("function", id)
	}
	return fn, nil
}

func (f *functionsState) prepareCreateFunction(api fnAPIVersion) prepare {
	return func(c *call) (endpoint, *apiError) {
		spec, aerr := api.decodeCreateFunction(c.body)
		if aerr != nil {
			return nil, aerr
		}
		if aerr := checkFuncSpec(&spec); aerr != nil {
			return nil, aerr
		}
		f.locked(func() { _, aerr = f.liveApp(spec.ApplicationID) })
		if aerr != nil {
			return nil, aerr
		}
		ctx, cancel := context.WithTimeout(c.r.Context(), fnRegistryTimeout)
		defer cancel()
		img, aerr := f.resolve(ctx, spec.Image, spec.ImageDigest)
		if aerr != nil {
			return nil, aerr
		}
		return func(c *call) (int, any, error) {
			a, err := f.liveApp(spec.ApplicationID)
			if err != nil {
				return 0, nil, err
			}
			if a.State != fnActive {
				return 0, nil, errConflict(codeIncorrectState, "application %s is %s; functions can be created only in an ACTIVE application", a.ID, a.State)
			}
			for _, other := range f.fns {
				if other.ApplicationID == a.ID && other.DisplayName == spec.DisplayName && other.State != fnDeleted {
					return 0, nil, errConflict(codeConflict, "a function named %q already exists in application %s (%s)", spec.DisplayName, a.ID, other.ID)
				}
			}
			if err := fnCheckImageShape(spec.Image, img, a); err != nil {
				return 0, nil, err
			}
			now := c.now.UTC().Truncate(time.Millisecond)
			fn := &fnFunc{ID: newOCID("fnfunc", f.st.key), State: fnCreating, CompartmentID: a.CompartmentID,
				Shape: a.Shape, Created: now, Updated: now, fnFuncSpec: spec}
			fn.ImageDigest = img.Digest
			fn.Config, fn.FreeformTags, fn.DefinedTags = fnOrEmpty(fn.Config), fnOrEmpty(fn.FreeformTags), fnOrEmpty(fn.DefinedTags)
			f.fns[fn.ID] = fn
			id := fn.ID
			f.addWorkRequest(c, api, "CREATE_FUNCTION", fn.CompartmentID, "function", id, "CREATED", func(t time.Time) error {
				if cur := f.fns[id]; cur != nil && cur.State == fnCreating {
					cur.State, cur.Updated = fnActive, t.UTC().Truncate(time.Millisecond)
				}
				return nil
			})
			c.header.Set("etag", etagOf(fn))
			return http.StatusOK, api.function(fn, f.invokeURL), nil
		}, nil
	}
}

func (f *functionsState) prepareUpdateFunction(api fnAPIVersion) prepare {
	return func(c *call) (endpoint, *apiError) {
		id := c.r.PathValue("id")
		if !validID(id) {
			return nil, errNotFound("function", id)
		}
		p, aerr := api.decodeUpdateFunction(c.body)
		if aerr != nil {
			return nil, aerr
		}
		if aerr := checkFuncPatch(&p); aerr != nil {
			return nil, aerr
		}
		// The image to resolve: the new one, or the current one when only
		// the digest changes.
		var image string
		f.locked(func() {
			if fn, ok := f.fns[id]; ok {
				image = fn.Image
			} else {
				aerr = errNotFound("function", id)
			}
		})
		if aerr != nil {
			return nil, aerr
		}
		baseImage := image
		var img *fnImage
		if p.hasSource() {
			if p.Image != nil {
				image = *p.Image
			}
			ctx, cancel := context.WithTimeout(c.r.Context(), fnRegistryTimeout)
			defer cancel()
			resolved, aerr := f.resolve(ctx, image, fnDeref(p.ImageDigest))
			if aerr != nil {
				return nil, aerr
			}
			img = &resolved
		}
		return func(c *call) (int, any, error) {
			fn, err := f.mutableFunction(c, false)
			if err != nil {
				return 0, nil, err
			}
			if img != nil && p.Image == nil && fn.Image != baseImage {
				return 0, nil, errConflict(codeIncorrectState, "function %s changed its image while this update was prepared; retry", id)
			}
			next := fn.apply(p)
			if img != nil {
				a, err := f.liveApp(fn.ApplicationID)
				if err != nil {
					return 0, nil, err
				}
				if err := fnCheckImageShape(image, *img, a); err != nil {
					return 0, nil, err
				}
				next.Image, next.ImageDigest = image, img.Digest
			}
			if err := fnCheckPCU(next.PCU, next.MemoryMB); err != nil {
				return 0, nil, err
			}
			fn.State = fnUpdating
			f.addWorkRequest(c, api, "UPDATE_FUNCTION", fn.CompartmentID, "function", id, "UPDATED", func(t time.Time) error {
				if cur := f.fns[id]; cur != nil && cur.State == fnUpdating {
					next.State, next.Updated = fnActive, t.UTC().Truncate(time.Millisecond)
					f.fns[id] = next
				}
				return nil
			})
			return http.StatusAccepted, nil, nil
		}, nil
	}
}

// mutableFunction returns the function a PUT or DELETE acts on: known,
// matching if-match, and ACTIVE (FAILED too when deleting).
func (f *functionsState) mutableFunction(c *call, deleting bool) (*fnFunc, *apiError) {
	id := c.r.PathValue("id")
	fn, ok := f.fns[id]
	if !validID(id) || !ok {
		return nil, errNotFound("function", id)
	}
	if err := checkIfMatch(c.r, etagOf(fn)); err != nil {
		return nil, err
	}
	if !fnChangeable(fn.State, deleting) {
		return nil, errConflict(codeIncorrectState, "function %s is %s; it can be changed only when ACTIVE", id, fn.State)
	}
	return fn, nil
}

func (f *functionsState) getFunction(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		id := c.r.PathValue("id")
		fn, ok := f.fns[id]
		if !validID(id) || !ok {
			return 0, nil, errNotFound("function", id)
		}
		c.header.Set("etag", etagOf(fn))
		return http.StatusOK, api.function(fn, f.invokeURL), nil
	}
}

func (f *functionsState) listFunctions(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		q := c.r.URL.Query()
		appID := q.Get("applicationId")
		if appID == "" {
			return 0, nil, errMissing("applicationId")
		}
		if _, ok := f.apps[appID]; !validID(appID) || !ok {
			return 0, nil, errNotFound("application", appID)
		}
		state, err := fnStateFilter(c.r)
		if err != nil {
			return 0, nil, err
		}
		name, only := q.Get("displayName"), q.Get("id")
		items := []*fnFunc{}
		for _, fn := range f.fns {
			if fn.ApplicationID != appID || (state != "" && fn.State != state) ||
				(name != "" && fn.DisplayName != name) || (only != "" && fn.ID != only) {
				continue
			}
			items = append(items, fn)
		}
		if err := fnSortResources(items, c.r, func(fn *fnFunc) fnSortKey { return fnSortKey{fn.ID, fn.DisplayName, fn.Created} }); err != nil {
			return 0, nil, err
		}
		return fnListResponse(c, items, func(fn *fnFunc) any { return api.functionSummary(fn, f.invokeURL) })
	}
}

func (f *functionsState) deleteFunction(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		fn, err := f.mutableFunction(c, true)
		if err != nil {
			return 0, nil, err
		}
		fn.State = fnDeleting
		id := fn.ID
		f.addWorkRequest(c, api, "DELETE_FUNCTION", fn.CompartmentID, "function", id, "DELETED", func(t time.Time) error {
			if cur := f.fns[id]; cur != nil && cur.State == fnDeleting {
				cur.State, cur.Updated = fnDeleted, t.UTC().Truncate(time.Millisecond)
			}
			return nil
		})
		return http.StatusAccepted, nil, nil
	}
}
