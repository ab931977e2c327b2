package emulator

import (
	"net/http"
	"slices"
	"time"
)

// Applications: create (async, CREATING → ACTIVE), get, list, update
// (async, UPDATING → ACTIVE, applied when the work request completes) and
// delete (async, DELETING → DELETED; refused while the application has
// functions).

// checkAppSpec applies the rules of a new application and normalises it
// (shape and logging line format in upper case, GENERIC_X86 by default).
func (f *functionsState) checkAppSpec(spec *fnAppSpec) *apiError {
	if !f.knownCompartment(spec.CompartmentID) {
		return errNotFound("compartment", spec.CompartmentID)
	}
	if err := fnCheckName(spec.DisplayName); err != nil {
		return err
	}
	for _, id := range spec.SubnetIDs {
		if id != f.st.subnetID {
			return errBadRequest("subnetIds: subnet %q does not exist in the emulator; use its subnet %s (subnet_id in the emulator info)", id, f.st.subnetID)
		}
	}
	shape, err := fnShape(spec.Shape)
	if err != nil {
		return err
	}
	spec.Shape = shape
	if spec.LineFormat != "" {
		lf, err := fnLineFormat(spec.LineFormat)
		if err != nil {
			return err
		}
		spec.LineFormat = lf
	}
	return f.checkAppCommon(spec.Config, spec.NSGIDs, spec.SyslogURL)
}

// checkAppCommon applies the rules shared by create and update.
func (f *functionsState) checkAppCommon(config map[string]string, nsgIDs []string, syslogURL *string) *apiError {
	if err := fnCheckConfig(config); err != nil {
		return err
	}
	if err := fnCheckIDs("networkSecurityGroupIds", nsgIDs); err != nil {
		return err
	}
	if syslogURL != nil && *syslogURL != "" {
		return fnCheckSyslogURL(*syslogURL)
	}
	return nil
}

// liveApp returns the application id names unless it is unknown or
// deleted.
func (f *functionsState) liveApp(id string) (*fnApp, *apiError) {
	a, ok := f.apps[id]
	if !validID(id) || !ok || a.State == fnDeleted {
		return nil, errNotFound("application", id)
	}
	return a, nil
}

// appFunctions counts the application's functions that are not deleted.
func (f *functionsState) appFunctions(appID string) int {
	n := 0
	for _, fn := range f.fns {
		if fn.ApplicationID == appID && fn.State != fnDeleted {
			n++
		}
	}
	return n
}

func (f *functionsState) createApplication(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		spec, err := api.decodeCreateApplication(c.body)
		if err != nil {
			return 0, nil, err
		}
		if err := f.checkAppSpec(&spec); err != nil {
			return 0, nil, err
		}
		for _, a := range f.apps {
			if a.CompartmentID == spec.CompartmentID && a.DisplayName == spec.DisplayName && a.State != fnDeleted {
				return 0, nil, errConflict(codeConflict, "an application named %q already exists in compartment %s (%s)", spec.DisplayName, spec.CompartmentID, a.ID)
			}
		}
		now := c.now.UTC().Truncate(time.Millisecond)
		a := &fnApp{ID: newOCID("fnapp", f.st.key), State: fnCreating, Created: now, Updated: now, fnAppSpec: spec}
		a.Config, a.FreeformTags = fnOrEmpty(a.Config), fnOrEmpty(a.FreeformTags)
		a.DefinedTags, a.SecurityAttributes = fnOrEmpty(a.DefinedTags), fnOrEmpty(a.SecurityAttributes)
		a.SubnetIDs = slices.Clone(a.SubnetIDs)
		if a.NSGIDs == nil {
			a.NSGIDs = []string{}
		}
		f.apps[a.ID] = a
		id := a.ID
		f.addWorkRequest(c, api, "CREATE_APPLICATION", a.CompartmentID, "application", id, "CREATED", func(t time.Time) error {
			if cur := f.apps[id]; cur != nil && cur.State == fnCreating {
				cur.State, cur.Updated = fnActive, t.UTC().Truncate(time.Millisecond)
			}
			return nil
		})
		c.header.Set("etag", etagOf(a))
		return http.StatusOK, api.application(a), nil
	}
}

func (f *functionsState) getApplication(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		id := c.r.PathValue("id")
		a, ok := f.apps[id]
		if !validID(id) || !ok {
			return 0, nil, errNotFound("application", id)
		}
		c.header.Set("etag", etagOf(a))
		return http.StatusOK, api.application(a), nil
	}
}

func (f *functionsState) listApplications(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		q := c.r.URL.Query()
		comp := q.Get("compartmentId")
		if comp == "" {
			return 0, nil, errMissing("compartmentId")
		}
		if !f.knownCompartment(comp) {
			return 0, nil, errNotFound("compartment", comp)
		}
		state, err := fnStateFilter(c.r)
		if err != nil {
			return 0, nil, err
		}
		name, only := q.Get("displayName"), q.Get("id")
		items := []*fnApp{}
		for _, a := range f.apps {
			if a.CompartmentID != comp || (state != "" && a.State != state) ||
				(name != "" && a.DisplayName != name) || (only != "" && a.ID != only) {
				continue
			}
			items = append(items, a)
		}
		if err := fnSortResources(items, c.r, func(a *fnApp) fnSortKey { return fnSortKey{a.ID, a.DisplayName, a.Created} }); err != nil {
			return 0, nil, err
		}
		return fnListResponse(c, items, func(a *fnApp) any { return api.applicationSummary(a) })
	}
}

// mutableApp returns the application a PUT or DELETE acts on: known,
// matching if-match, and ACTIVE (FAILED too when deleting).
func (f *functionsState) mutableApp(c *call, deleting bool) (*fnApp, *apiError) {
	id := c.r.PathValue("id")
	a, ok := f.apps[id]
	if !validID(id) || !ok {
		return nil, errNotFound("application", id)
	}
	if err := checkIfMatch(c.r, etagOf(a)); err != nil {
		return nil, err
	}
	if !fnChangeable(a.State, deleting) {
		return nil, errConflict(codeIncorrectState, "application %s is %s; it can be changed only when ACTIVE", id, a.State)
	}
	return a, nil
}

func (f *functionsState) updateApplication(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		a, err := f.mutableApp(c, false)
		if err != nil {
			return 0, nil, err
		}
		p, err := api.decodeUpdateApplication(c.body)
		if err != nil {
			return 0, nil, err
		}
		if p.LineFormat != nil {
			lf, err := fnLineFormat(*p.LineFormat)
			if err != nil {
				return 0, nil, err
			}
			p.LineFormat = &lf
		}
		if err := f.checkAppCommon(p.Config, p.NSGIDs, p.SyslogURL); err != nil {
			return 0, nil, err
		}
		next := a.apply(p)
		a.State = fnUpdating
		id := a.ID
		f.addWorkRequest(c, api, "UPDATE_APPLICATION", a.CompartmentID, "application", id, "UPDATED", func(t time.Time) error {
			if cur := f.apps[id]; cur != nil && cur.State == fnUpdating {
				next.State, next.Updated = fnActive, t.UTC().Truncate(time.Millisecond)
				f.apps[id] = next
			}
			return nil
		})
		return http.StatusAccepted, nil, nil
	}
}

func (f *functionsState) deleteApplication(api fnAPIVersion) endpoint {
	return func(c *call) (int, any, error) {
		a, err := f.mutableApp(c, true)
		if err != nil {
			return 0, nil, err
		}
		if n := f.appFunctions(a.ID); n > 0 {
			return 0, nil, errConflict(codeConflict, "application %s has %d function(s); delete them before the application", a.ID, n)
		}
		a.State = fnDeleting
		id := a.ID
		f.addWorkRequest(c, api, "DELETE_APPLICATION", a.CompartmentID, "application", id, "DELETED", func(t time.Time) error {
			if cur := f.apps[id]; cur != nil && cur.State == fnDeleting {
				cur.State, cur.Updated = fnDeleted, t.UTC().Truncate(time.Millisecond)
			}
			return nil
		})
		return http.StatusAccepted, nil, nil
	}
}
