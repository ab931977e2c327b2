package emulator

import (
	"crypto/subtle"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/registry"
)

// newRegistry is the emulator's container registry: ggcr's in-memory
// registry behind OCIR's rules. Every request needs basic auth with the
// username "<namespace>/<user>" and an auth token as the password, and
// repositories live under the tenancy namespace ("HOST/<namespace>/<repo>").
func newRegistry(namespace, username, token string, faults *injector) http.Handler {
	inner := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(username)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="osa emulator registry"`)
			registryError(w, http.StatusUnauthorized, "UNAUTHORIZED",
				"authentication required: log in as '<namespace>/<user>' with the emulator's registry token (see the emulator info)")
			return
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, "/v2/"); ok && rest != "" && rest != "_catalog" {
			if !strings.HasPrefix(rest, namespace+"/") {
				registryError(w, http.StatusNotFound, "NAME_UNKNOWN",
					"repositories live under the tenancy namespace: push to HOST/"+namespace+"/<repository>")
				return
			}
		}
		if faults.injectUpload(w, r) {
			return
		}
		inner.ServeHTTP(w, r)
	})
}

func registryError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
}
