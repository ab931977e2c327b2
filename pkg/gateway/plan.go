package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// PlanAction is what a plan does to a deployment.
type PlanAction string

// Plan actions.
const (
	PlanCreate PlanAction = "create" // the deployment does not exist
	PlanUpdate PlanAction = "update" // it exists and differs
	PlanNone   PlanAction = "none"   // it exists and matches: no call is made
)

// ChangeOp is what a change does.
type ChangeOp string

// Change operations.
const (
	ChangeAdd    ChangeOp = "add"
	ChangeRemove ChangeOp = "remove"
	ChangeModify ChangeOp = "change"
)

// Change is one difference between the live deployment and the desired
// one.
type Change struct {
	// Route is the route the change is in, "METHODS PATH" such as
	// "POST /orders/validate"; "" for the deployment itself.
	Route string `json:"route,omitempty"`
	// Op is add, remove or change.
	Op ChangeOp `json:"op"`
	// Field is the changed field's path (in the route, or in the
	// deployment), such as request_policies.rate_limiting.rate_key; ""
	// when a whole route is added or removed.
	Field string `json:"field,omitempty"`
	// Before and After are the field's values, as JSON; nil when absent.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	// Backend summarises the backend of a route added or removed whole.
	Backend string `json:"backend,omitempty"`
}

// Plan is what rolling a desired deployment out would change, computed
// without any call: see [PlanDeployment] and [Deployer.Plan].
type Plan struct {
	// Action is create, update or none.
	Action PlanAction `json:"action"`
	// DisplayName and PathPrefix name the deployment.
	DisplayName string `json:"display_name"`
	PathPrefix  string `json:"path_prefix"`
	// DeploymentID is the live deployment's OCID; "" for a create.
	DeploymentID string `json:"deployment_id,omitempty"`
	// Changes lists the differences, deployment first, then route by
	// route in the desired order, then removed routes.
	Changes []Change `json:"changes"`

	desired  Deployment // as asked
	resolved Spec       // the spec as sent: functions resolved
	base     *Live      // what the plan was computed against; nil for a create
}

// PlanDeployment compares the desired deployment with the live one (nil:
// none yet) and returns what would change. It validates and resolves the
// desired spec as a request would, and compares specifications in their
// canonical form (enum spellings, empty lists and default values are
// not differences), so an unchanged spec plans as no change. Tags are
// compared only when desired.FreeformTags (or DefinedTags) is not nil.
func PlanDeployment(desired Deployment, live *Live, resolve FunctionResolver) (Plan, error) {
	if err := ValidateDisplayName(desired.DisplayName); err != nil {
		return Plan{}, err
	}
	if err := ValidatePathPrefix(desired.PathPrefix); err != nil {
		return Plan{}, err
	}
	if fs := Validate(desired.Spec); HasErrors(fs) {
		return Plan{}, &InvalidSpecError{File: desired.Spec.Source.File, Findings: fs}
	}
	sdk, err := ToSDK(desired.Spec, resolve)
	if err != nil {
		return Plan{}, fmt.Errorf("converting the specification: %w", err)
	}
	resolved, err := FromSDK(sdk)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{DisplayName: desired.DisplayName, PathPrefix: desired.PathPrefix, desired: desired, resolved: resolved,
		Changes: []Change{}}
	before := Live{}
	if live != nil {
		if live.PathPrefix != desired.PathPrefix {
			return Plan{}, fmt.Errorf("deployment %s has path prefix %s, not %s: a path prefix cannot change, it needs a new deployment",
				live.ID, live.PathPrefix, desired.PathPrefix)
		}
		base := *live
		p.base, p.DeploymentID, before = &base, live.ID, base
	}
	if live == nil || before.DisplayName != desired.DisplayName {
		p.Changes = append(p.Changes, scalarChange("", "display_name", quote(before.DisplayName), quote(desired.DisplayName))...)
	}
	p.Changes = append(p.Changes, diffSpecs(before.Spec, resolved)...)
	if desired.FreeformTags != nil || live == nil {
		p.Changes = append(p.Changes, diffMaps("freeform_tags", flattenValue(before.FreeformTags), flattenValue(desired.FreeformTags))...)
	}
	if desired.DefinedTags != nil {
		p.Changes = append(p.Changes, diffMaps("defined_tags", flattenValue(before.DefinedTags), flattenValue(desired.DefinedTags))...)
	}
	switch {
	case live == nil:
		p.Action = PlanCreate
	case len(p.Changes) > 0:
		p.Action = PlanUpdate
	default:
		p.Action = PlanNone
	}
	return p, nil
}

// diffSpecs lists the differences of two specs: deployment-level fields,
// then routes matched by methods and path.
func diffSpecs(before, after Spec) []Change {
	bTop, aTop := before, after
	bTop.Routes, aTop.Routes = nil, nil
	out := diffMaps("", flattenValue(bTop), flattenValue(aTop))
	bRoutes, bOrder := routesByKey(before.Routes)
	aRoutes, aOrder := routesByKey(after.Routes)
	for _, k := range aOrder {
		b, ok := bRoutes[k]
		if !ok {
			out = append(out, Change{Route: k, Op: ChangeAdd, Backend: backendSummary(aRoutes[k].Backend)})
			continue
		}
		for _, c := range diffMaps("", flattenValue(b), flattenValue(aRoutes[k])) {
			c.Route = k
			out = append(out, c)
		}
	}
	for _, k := range bOrder {
		if _, ok := aRoutes[k]; !ok {
			out = append(out, Change{Route: k, Op: ChangeRemove, Backend: backendSummary(bRoutes[k].Backend)})
		}
	}
	return out
}

// routesByKey indexes routes by "METHODS PATH" (with #n for repeats).
func routesByKey(rs []Route) (map[string]Route, []string) {
	m := map[string]Route{}
	var order []string
	for _, r := range rs {
		methods := make([]string, len(r.Methods))
		for i, x := range r.Methods {
			methods[i] = string(x)
		}
		k := strings.Join(methods, ",") + " " + r.Path
		if len(methods) == 0 {
			k = r.Path
		}
		for n := 2; ; n++ {
			if _, dup := m[k]; !dup {
				break
			}
			k = fmt.Sprintf("%s #%d", strings.TrimSuffix(k, fmt.Sprintf(" #%d", n-1)), n)
		}
		r.Methods, r.Path = nil, ""
		m[k] = r
		order = append(order, k)
	}
	return m, order
}

func backendSummary(b Backend) string {
	s := string(b.Type)
	switch b.Type {
	case HTTPBackend:
		s += " " + b.URL
	case FunctionsBackend:
		s += " " + b.FunctionID + b.Function
	case StockResponseBackend:
		s += " " + strconv.Itoa(b.Status)
	}
	return s
}

func diffMaps(prefix string, before, after map[string]string) []Change {
	keys := sortedKeys(before)
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, comparePaths)
	var out []Change
	for _, k := range keys {
		field := prefix + k // map keys come as [key]
		out = append(out, scalarChange("", field, before[k], after[k])...)
	}
	return out
}

func scalarChange(route, field, before, after string) []Change {
	raw := func(s string) json.RawMessage {
		if s == "" {
			return nil
		}
		return json.RawMessage(s)
	}
	switch {
	case before == after:
		return nil
	case before == "":
		return []Change{{Route: route, Op: ChangeAdd, Field: field, After: raw(after)}}
	case after == "":
		return []Change{{Route: route, Op: ChangeRemove, Field: field, Before: raw(before)}}
	}
	return []Change{{Route: route, Op: ChangeModify, Field: field, Before: raw(before), After: raw(after)}}
}

// comparePaths orders field paths naturally: items[2] before items[10].
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		ia, ib := strings.IndexAny(a, "0123456789"), strings.IndexAny(b, "0123456789")
		if ia != ib || ia < 0 || a[:ia] != b[:ib] {
			return strings.Compare(a, b)
		}
		ea, eb := ia+len(a[ia:])-len(strings.TrimLeft(a[ia:], "0123456789")), ib+len(b[ib:])-len(strings.TrimLeft(b[ib:], "0123456789"))
		na, _ := strconv.Atoi(a[ia:ea])
		nb, _ := strconv.Atoi(b[ib:eb])
		if na != nb {
			return na - nb
		}
		a, b = a[ea:], b[eb:]
	}
	return strings.Compare(a, b)
}

func quote(s string) string {
	if s == "" {
		return ""
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// flattenValue returns every set leaf of x by field path (YAML names),
// valued as JSON.
func flattenValue(x any) map[string]string {
	out := map[string]string{}
	flatten(reflect.ValueOf(x), "", out)
	return out
}

func flatten(v reflect.Value, path string, out map[string]string) {
	switch v.Kind() {
	case reflect.Invalid:
		return
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			flatten(v.Elem(), path, out)
		}
	case reflect.Struct:
		if v.Type() == sourceType {
			return
		}
		for i := range v.NumField() {
			if name := tagName(v.Type().Field(i), SyntaxYAML); name != "" && name != "-" {
				flatten(v.Field(i), join(path, name), out)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return
		}
		if k := v.Type().Elem().Kind(); k != reflect.Struct && k != reflect.Map && k != reflect.Slice {
			b, _ := json.Marshal(v.Interface())
			out[path] = string(b)
			return
		}
		for i := range v.Len() {
			flatten(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			flatten(v.MapIndex(k), path+"["+fmt.Sprint(k.Interface())+"]", out)
		}
	default:
		if v.IsZero() {
			return
		}
		b, _ := json.Marshal(v.Interface())
		out[path] = string(b)
	}
}

// String writes the plan for people: one line per change, grouped by
// route.
func (p Plan) String() string {
	var b strings.Builder
	name := fmt.Sprintf("%s (%s", p.DisplayName, p.PathPrefix)
	if p.DeploymentID != "" {
		name += ", " + p.DeploymentID
	}
	name += ")"
	switch p.Action {
	case PlanNone:
		return name + ": no changes\n"
	case PlanCreate:
		fmt.Fprintf(&b, "%s: create\n", name)
	default:
		fmt.Fprintf(&b, "%s: update, %d change(s)\n", name, len(p.Changes))
	}
	route := ""
	for _, c := range p.Changes {
		indent := "  "
		if c.Route != "" && c.Field != "" {
			if c.Route != route {
				fmt.Fprintf(&b, "  route %s:\n", c.Route)
				route = c.Route
			}
			indent = "    "
		} else {
			route = ""
		}
		switch {
		case c.Field == "" && c.Op == ChangeAdd:
			fmt.Fprintf(&b, "  + route %s: %s\n", c.Route, c.Backend)
		case c.Field == "":
			fmt.Fprintf(&b, "  - route %s: %s\n", c.Route, c.Backend)
		case c.Op == ChangeAdd:
			fmt.Fprintf(&b, "%s+ %s: %s\n", indent, c.Field, c.After)
		case c.Op == ChangeRemove:
			fmt.Fprintf(&b, "%s- %s: %s\n", indent, c.Field, c.Before)
		default:
			fmt.Fprintf(&b, "%s~ %s: %s → %s\n", indent, c.Field, c.Before, c.After)
		}
	}
	return b.String()
}

// errNoBase is returned when an update plan has lost its live state.
var errNoBase = errors.New("the plan has no live deployment to update")
