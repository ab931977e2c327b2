package emulator

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

// Functions lists take limit 1..50 (default 10) and an opaque page token,
// and answer the next page's token in opc-next-page (SDK
// functions/list_*_request_response.go).
const (
	fnDefaultLimit = 10
	fnMaxLimit     = 50
)

// fnPage returns one page of items and the token of the next page ("" when
// this is the last one). Tokens are offsets; they are opaque to clients.
func fnPage[T any](items []T, r *http.Request) ([]T, string, *apiError) {
	return pageWithin(items, r, fnDefaultLimit, fnMaxLimit)
}

// fnSortKey is what applications and functions are sorted by.
type fnSortKey struct {
	ID      string
	Name    string
	Created time.Time
}

// fnSortResources sorts items by the request's sortBy (displayName, the
// default, timeCreated or id) and sortOrder (ASC by default; DESC by
// default for timeCreated). Ties are broken by id.
func fnSortResources[T any](items []T, r *http.Request, key func(T) fnSortKey) *apiError {
	by := r.URL.Query().Get("sortBy")
	def := "ASC"
	switch by {
	case "", "displayName", "id":
	case "timeCreated":
		def = "DESC"
	default:
		return errBadRequest("sortBy %q must be timeCreated, displayName or id", by)
	}
	order, err := sortOrder(r, def)
	if err != nil {
		return err
	}
	less := func(a, b fnSortKey) bool {
		switch by {
		case "timeCreated":
			if !a.Created.Equal(b.Created) {
				return a.Created.Before(b.Created)
			}
		case "", "displayName":
			if a.Name != b.Name {
				return a.Name < b.Name
			}
		}
		return a.ID < b.ID
	}
	sort.SliceStable(items, func(i, j int) bool {
		if order == "DESC" {
			return less(key(items[j]), key(items[i]))
		}
		return less(key(items[i]), key(items[j]))
	})
	return nil
}

// fnStateFilter reads the lifecycleState filter: one of the lifecycle
// states in any case ("Creating" is the documented example), or "".
func fnStateFilter(r *http.Request) (string, *apiError) {
	s := r.URL.Query().Get("lifecycleState")
	if s == "" {
		return "", nil
	}
	if v, ok := fnEqualFoldAny(s, fnLifecycleStates); ok {
		return v, nil
	}
	return "", errBadRequest("lifecycleState %q is not one of %s", s, strings.Join(fnLifecycleStates, ", "))
}

// fnListResponse pages sorted items into a bare JSON array, the shape of
// Functions lists, with opc-next-page when more remain.
func fnListResponse[T any](c *call, items []T, render func(T) any) (int, any, error) {
	page, next, err := fnPage(items, c.r)
	if err != nil {
		return 0, nil, err
	}
	if next != "" {
		c.header.Set("opc-next-page", next)
	}
	out := make([]any, 0, len(page))
	for _, it := range page {
		out = append(out, render(it))
	}
	return http.StatusOK, out, nil
}
