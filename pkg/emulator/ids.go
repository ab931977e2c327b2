package emulator

import (
	"crypto/rand"
)

// ocidAlphabet is what the unique part of an OCID is made of.
const ocidAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newOCID returns an OCID of the given resource type in the emulator's
// realm and region: ocid1.<type>.oc1.<region-key>.<60 random characters>.
func newOCID(resourceType, regionKey string) string {
	b := make([]byte, 60)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = ocidAlphabet[int(b[i])%len(ocidAlphabet)]
	}
	return "ocid1." + resourceType + ".oc1." + regionKey + "." + string(b)
}

// validID reports whether s can be an OCID (or a work request id): ASCII
// letters, digits, dots, dashes and underscores, at most 255 characters. It
// keeps path separators and odd bytes out of ids taken from URLs (".." is
// fine: tenancy-level OCIDs have it, and without "/" it traverses nothing).
func validID(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') { //nolint:staticcheck // readable
			return false
		}
	}
	return true
}
