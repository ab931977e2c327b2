package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Deprecation describes a major version being retired in favour of its
// successor (design.md §4).
type Deprecation struct {
	// Successor is the URL of the version that replaces this one, such as
	// https://api.example.com/v2 (or a path, /v2); sent as
	// Link: <Successor>; rel="successor-version" (RFC 5829, RFC 8288).
	Successor string
	// Deprecated is when the version is (or was) deprecated; sent as
	// Deprecation: @<unix seconds> (RFC 9745). Required.
	Deprecated time.Time
	// Sunset is when the version stops answering; sent as an HTTP-date in
	// Sunset (RFC 8594). Zero: no Sunset header. Never earlier than
	// Deprecated.
	Sunset time.Time
}

// The headers a deprecated version sends.
const (
	HeaderDeprecation = "Deprecation"
	HeaderSunset      = "Sunset"
	HeaderLink        = "Link"
)

// Headers returns the set-header items that announce d: Deprecation and
// Sunset overwrite whatever the backend sent; Link is appended, so that
// the backend's own links survive.
func (d Deprecation) Headers() ([]SetItem, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	items := []SetItem{{Name: HeaderDeprecation, Values: []string{"@" + strconv.FormatInt(d.Deprecated.Unix(), 10)}, IfExists: Overwrite}}
	if !d.Sunset.IsZero() {
		items = append(items, SetItem{Name: HeaderSunset, Values: []string{d.Sunset.UTC().Format(http.TimeFormat)}, IfExists: Overwrite})
	}
	return append(items, SetItem{Name: HeaderLink, Values: []string{d.link()}, IfExists: Append}), nil
}

func (d Deprecation) link() string { return "<" + d.Successor + `>; rel="successor-version"` }

func (d Deprecation) check() error {
	var errs []error
	if d.Deprecated.IsZero() {
		errs = append(errs, errors.New("the deprecation time is required"))
	}
	if !d.Sunset.IsZero() && d.Sunset.Truncate(time.Second).Before(d.Deprecated.Truncate(time.Second)) {
		errs = append(errs, fmt.Errorf("sunset %s is earlier than deprecation %s", d.Sunset.UTC().Format(time.RFC3339),
			d.Deprecated.UTC().Format(time.RFC3339)))
	}
	u, err := url.Parse(d.Successor)
	switch {
	case d.Successor == "":
		errs = append(errs, errors.New("the successor's URL is required"))
	case err != nil || strings.ContainsAny(d.Successor, "<> \t\r\n\"") || strings.Contains(d.Successor, "${"):
		errs = append(errs, fmt.Errorf("successor %q is not a URL that can go in a Link header", d.Successor))
	case u.IsAbs() && u.Scheme != "https" && u.Scheme != "http" || !u.IsAbs() && !strings.HasPrefix(d.Successor, "/"):
		errs = append(errs, fmt.Errorf("successor %q must be an http(s) URL or a path starting with /", d.Successor))
	}
	return errors.Join(errs...)
}

// Deprecate returns a copy of spec whose every route answers with d's
// headers (see [Deprecation.Headers]); spec is not modified. It replaces
// the route's own Deprecation and Sunset items, adds the successor link to
// its own Link item if it has one, keeps the headers in an ALLOW filter
// and takes them out of a BLOCK filter. A route that renames one of these
// headers is an error. Deprecating twice with the same d changes nothing.
func Deprecate(spec Spec, d Deprecation) (Spec, error) {
	items, err := d.Headers()
	if err != nil {
		return spec, fmt.Errorf("deprecating: %w", err)
	}
	out := spec
	out.Routes = slices.Clone(spec.Routes)
	var errs []error
	for i := range out.Routes {
		h := &out.Routes[i].ResponsePolicies.HeaderTransformations
		if err := deprecateRoute(h, items, d.link()); err != nil {
			errs = append(errs, fmt.Errorf("route %s: %w", out.Routes[i].Path, err))
		}
	}
	if len(errs) > 0 {
		return spec, fmt.Errorf("deprecating: %w", errors.Join(errs...))
	}
	return out, nil
}

func deprecateRoute(h *HeaderTransformations, items []SetItem, link string) error {
	ours := func(name string) bool {
		return slices.ContainsFunc(items, func(it SetItem) bool { return strings.EqualFold(it.Name, name) })
	}
	for _, r := range h.RenameHeaders.Items {
		if ours(r.From) || ours(r.To) {
			return fmt.Errorf("it renames %s to %s, which the deprecation headers need", r.From, r.To)
		}
	}
	set := slices.Clone(h.SetHeaders.Items)
	for _, it := range items {
		j := slices.IndexFunc(set, func(s SetItem) bool { return strings.EqualFold(s.Name, it.Name) })
		switch {
		case j < 0:
			set = append(set, it)
		case it.Name == HeaderLink:
			if !slices.Contains(set[j].Values, link) {
				set[j].Values = append(slices.Clone(set[j].Values), link)
			}
		default:
			set[j] = it
		}
	}
	h.SetHeaders.Items = set
	if f := h.FilterHeaders; len(f.Items) > 0 {
		names := slices.Clone(f.Items)
		switch f.Type {
		case Block:
			names = slices.DeleteFunc(names, func(it FilterItem) bool { return ours(it.Name) })
		case Allow:
			for _, it := range items {
				if !slices.ContainsFunc(names, func(n FilterItem) bool { return strings.EqualFold(n.Name, it.Name) }) {
					names = append(names, FilterItem{Name: it.Name})
				}
			}
		}
		h.FilterHeaders.Items = names
		if len(names) == 0 {
			h.FilterHeaders = FilterPolicy{}
		}
	}
	return nil
}
