package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The list helpers below are shared by the part-2 planes (Identity,
// Logging, Core networking, Artifacts): each service spells its sort keys
// its own way (TIMECREATED and NAME for Identity, timeCreated and
// displayName for Logging, TIMECREATED and DISPLAYNAME for Core and
// Artifacts) but they all sort the same way: by time created, newest first
// by default, or by name, case-sensitive, A to Z by default.

// iamListKey is what a list sorts a resource by; seq (the creation counter)
// breaks ties so that pages are stable.
type iamListKey struct {
	created time.Time
	name    string
	seq     int
}

// iamListOrder reads sortBy (byTime, the default, or byName, in the
// service's spelling) and sortOrder, and returns the comparison they ask
// for.
func iamListOrder(r *http.Request, byTime, byName string) (func(x, y iamListKey) int, *apiError) {
	by := r.URL.Query().Get("sortBy")
	def := "DESC"
	key := func(x, y iamListKey) int { return x.created.Compare(y.created) }
	switch by {
	case "", byTime:
	case byName:
		def = "ASC"
		key = func(x, y iamListKey) int { return strings.Compare(x.name, y.name) }
	default:
		return nil, errBadRequest("sortBy %q must be %s or %s", by, byTime, byName)
	}
	order, err := sortOrder(r, def)
	if err != nil {
		return nil, err
	}
	sign := 1
	if order == "DESC" {
		sign = -1
	}
	return func(x, y iamListKey) int { return sign * cmp.Or(key(x, y), cmp.Compare(x.seq, y.seq)) }, nil
}

// iamSortListed sorts items by the request's sortBy and sortOrder.
func iamSortListed[T any](items []T, r *http.Request, byTime, byName string, key func(T) iamListKey) *apiError {
	less, err := iamListOrder(r, byTime, byName)
	if err != nil {
		return err
	}
	slices.SortFunc(items, func(x, y T) int { return less(key(x), key(y)) })
	return nil
}

// iamPageList sorts and pages items as the request asks, names the next page
// in opc-next-page, and returns the page (never nil, so that an empty list
// is answered as []).
func iamPageList[T any](c *call, items []T, byTime, byName string, key func(T) iamListKey) ([]T, *apiError) {
	if err := iamSortListed(items, c.r, byTime, byName, key); err != nil {
		return nil, err
	}
	page, next, err := pageOf(items, c.r)
	if err != nil {
		return nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	if page == nil {
		page = []T{}
	}
	return page, nil
}

// iamEnumQuery reads an optional query parameter that must be one of allowed,
// exactly (OCI enums are case-sensitive).
func iamEnumQuery(r *http.Request, name string, allowed []string) (string, *apiError) {
	s := r.URL.Query().Get(name)
	if s == "" || slices.Contains(allowed, s) {
		return s, nil
	}
	sorted := slices.Clone(allowed)
	slices.Sort(sorted)
	return "", errBadRequest("%s %q must be one of %s", name, s, strings.Join(sorted, ", "))
}

// iamCompartmentQuery reads the mandatory compartmentId of a list.
func iamCompartmentQuery(r *http.Request) (string, *apiError) {
	s := r.URL.Query().Get("compartmentId")
	if s == "" {
		return "", errMissing("compartmentId")
	}
	return s, nil
}
