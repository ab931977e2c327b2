package fnimage

import (
	"fmt"
	"strings"
)

// isOCIR reports whether host is an OCI Container Registry endpoint:
// "<region-key>.ocir.io", "<region-id>.ocir.io",
// "ocir.<region-id>.oci.oraclecloud.com" (and the other realms' domains) or
// "artifacts.<region-id>.oci.oraclecloud.com" (fn-contract.md §6).
func isOCIR(host string) bool {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	if strings.HasSuffix(host, ".ocir.io") {
		return true
	}
	if strings.HasPrefix(host, "ocir.") || strings.HasPrefix(host, "artifacts.") {
		return strings.Contains(host, ".oci.oraclecloud")
	}
	return false
}

// checkOCIRUsername rejects an OCIR username that lacks the tenancy
// namespace, the most common OCIR login mistake.
func checkOCIRUsername(host, username string) error {
	if !isOCIR(host) || strings.Contains(username, "/") {
		return nil
	}
	return fmt.Errorf("registry username %q for %s lacks the tenancy namespace (fix: use '<tenancy-namespace>/%s', or '<tenancy-namespace>/<identity-domain>/%s' for a federated user)", username, host, username, username)
}
