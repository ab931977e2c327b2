package emulator

import "net/http"

// serveGateway is the gateway data plane (gateway_url). Serving deployments
// comes with the local gateway (pkg/gateway/local); until then every path
// answers as API Gateway does for a path no deployment serves.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("opc-request-id", requestID(r))
	writeJSON(w, http.StatusNotFound, map[string]any{"code": 404, "message": "Not Found"})
}
