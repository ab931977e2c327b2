package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/oracle/oci-go-sdk/v65/functions"
)

// The documented limits of OCI Functions (oci-api.md §3.2, fn-contract.md
// §5.6) and the rules the emulator applies to names and references. Each
// returns the OCI error a violating request gets.

// fnMaxConfigBytes is the limit on a configuration: the sum of the UTF-8
// octets of every key and value.
const fnMaxConfigBytes = 4096

// fnMemories are the allowed memoryInMBs values.
var fnMemories = []int64{128, 256, 512, 1024, 2048, 3072}

// Timeouts, in seconds.
const (
	fnDefaultTimeout     = 30
	fnMinTimeout         = 1
	fnMaxTimeout         = 300
	fnMinDetachedTimeout = 5
	fnMaxDetachedTimeout = 3600
)

// fnMaxNameLength is the longest display name the emulator accepts.
const fnMaxNameLength = 255

// fnCheckName checks a display name: required, at most 255 characters, no
// control characters.
func fnCheckName(name string) *apiError {
	const field = "displayName"
	if name == "" {
		return errMissing(field)
	}
	if n := len([]rune(name)); n > fnMaxNameLength {
		return errBadRequest("%s is %d characters long; the limit is %d", field, n, fnMaxNameLength)
	}
	if i := strings.IndexFunc(name, unicode.IsControl); i >= 0 {
		return errBadRequest("%s %q contains a control character at byte %d", field, name, i)
	}
	return nil
}

// fnCheckConfig checks a configuration map: keys are ASCII letters, digits
// and '_' and do not start with a digit; keys and values together are at
// most 4 KB.
func fnCheckConfig(config map[string]string) *apiError {
	const field = "config"
	size := 0
	for _, k := range fnSortedKeys(config) {
		if !fnValidConfigKey(k) {
			return errBadRequest("%s key %q is invalid: keys must consist solely of ASCII letters, digits and '_', and must not begin with a digit", field, k)
		}
		size += len(k) + len(config[k])
	}
	if size > fnMaxConfigBytes {
		return errBadRequest("%s is %d bytes (keys and values in UTF-8); the limit is %d bytes (4 KB)", field, size, fnMaxConfigBytes)
	}
	return nil
}

func fnValidConfigKey(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') { //nolint:staticcheck // readable
			return false
		}
	}
	return true
}

// fnCheckMemory checks memoryInMBs against the allowed values.
func fnCheckMemory(mb int64) *apiError {
	if !slices.Contains(fnMemories, mb) {
		return errBadRequest("memoryInMBs %d is not allowed; use one of 128, 256, 512, 1024, 2048, 3072", mb)
	}
	return nil
}

// fnCheckTimeout checks timeoutInSeconds (1 to 300).
func fnCheckTimeout(s int) *apiError {
	if s < fnMinTimeout || s > fnMaxTimeout {
		return errBadRequest("timeoutInSeconds %d is out of range; it must be from %d to %d", s, fnMinTimeout, fnMaxTimeout)
	}
	return nil
}

// fnCheckDetachedTimeout checks detachedModeTimeoutInSeconds (5 to 3600).
func fnCheckDetachedTimeout(s int) *apiError {
	if s < fnMinDetachedTimeout || s > fnMaxDetachedTimeout {
		return errBadRequest("detachedModeTimeoutInSeconds %d is out of range; it must be from %d to %d", s, fnMinDetachedTimeout, fnMaxDetachedTimeout)
	}
	return nil
}

// fnPCUUnit is the smallest count of provisioned concurrency units, and
// the increment, for a function's memory: 40 for 128 MB, 20 for 256 MB, 10
// from 512 MB.
func fnPCUUnit(memoryMB int64) int {
	switch {
	case memoryMB <= 128:
		return 40
	case memoryMB <= 256:
		return 20
	}
	return 10
}

// fnCheckPCU checks provisioned concurrency against the function's memory.
func fnCheckPCU(p fnPCU, memoryMB int64) *apiError {
	if p.Strategy != fnPCUConstant {
		return nil
	}
	unit := fnPCUUnit(memoryMB)
	if p.Count <= 0 || p.Count%unit != 0 {
		return errBadRequest("provisionedConcurrencyConfig.count %d is not allowed for a %d MB function: the count must be a positive multiple of %d", p.Count, memoryMB, unit)
	}
	return nil
}

// fnPCUOf converts a decoded provisioned concurrency configuration; nil
// means none was given.
func fnPCUOf(c functions.FunctionProvisionedConcurrencyConfig) (*fnPCU, *apiError) {
	switch v := c.(type) {
	case nil:
		return nil, nil
	case functions.NoneProvisionedConcurrencyConfig:
		return &fnPCU{Strategy: fnPCUNone}, nil
	case functions.ConstantProvisionedConcurrencyConfig:
		if v.Count == nil {
			return nil, errMissing("provisionedConcurrencyConfig.count")
		}
		return &fnPCU{Strategy: fnPCUConstant, Count: *v.Count}, nil
	}
	return nil, errBadRequest("provisionedConcurrencyConfig.strategy %s; it must be CONSTANT or NONE", fnDiscriminator(c, "strategy"))
}

// fnCheckDestinations checks the detached-mode destinations: a known kind
// with its mandatory identifier.
func fnCheckDestinations(failure functions.FailureDestinationDetails, success functions.SuccessDestinationDetails) *apiError {
	missing := func(field string, id *string) *apiError {
		if id == nil || *id == "" {
			return errMissing(field)
		}
		if !fnValidOCID(*id) {
			return errBadRequest("%s %q is not an OCID", field, *id)
		}
		return nil
	}
	switch v := failure.(type) {
	case nil, functions.NoneFailureDestinationDetails:
	case functions.NotificationFailureDestinationDetails:
		if err := missing("failureDestination.topicId", v.TopicId); err != nil {
			return err
		}
	case functions.QueueFailureDestinationDetails:
		if err := missing("failureDestination.queueId", v.QueueId); err != nil {
			return err
		}
	case functions.StreamFailureDestinationDetails:
		if err := missing("failureDestination.streamId", v.StreamId); err != nil {
			return err
		}
	default:
		return errBadRequest("failureDestination.kind %s; it must be NONE, NOTIFICATION, QUEUE or STREAM", fnDiscriminator(failure, "kind"))
	}
	switch v := success.(type) {
	case nil, functions.NoneSuccessDestinationDetails:
	case functions.NotificationSuccessDestinationDetails:
		return missing("successDestination.topicId", v.TopicId)
	case functions.QueueSuccessDestinationDetails:
		return missing("successDestination.queueId", v.QueueId)
	case functions.StreamSuccessDestinationDetails:
		return missing("successDestination.streamId", v.StreamId)
	default:
		return errBadRequest("successDestination.kind %s; it must be NONE, NOTIFICATION, QUEUE or STREAM", fnDiscriminator(success, "kind"))
	}
	return nil
}

// fnChangeable reports whether a resource in state can be updated (only
// when ACTIVE) or deleted (when ACTIVE or FAILED).
func fnChangeable(state string, deleting bool) bool {
	return state == fnActive || deleting && state == fnFailed
}

// fnShape normalises an application shape: "" is GENERIC_X86, case is
// ignored.
func fnShape(s string) (string, *apiError) {
	if s == "" {
		return fnShapeX86, nil
	}
	for _, v := range fnShapes {
		if strings.EqualFold(s, v) {
			return v, nil
		}
	}
	return "", errBadRequest("shape %q is not one of GENERIC_X86, GENERIC_ARM, GENERIC_X86_ARM", s)
}

// fnLineFormat normalises a logging line format (JSON or PLAIN_TEXT, any
// case).
func fnLineFormat(s string) (string, *apiError) {
	for _, v := range []string{"JSON", "PLAIN_TEXT"} {
		if strings.EqualFold(s, v) {
			return v, nil
		}
	}
	return "", errBadRequest("logging.lineFormat %q is not one of JSON, PLAIN_TEXT", s)
}

// fnCheckSyslogURL checks a syslog URL: tcp, udp or tcp+tls with a host and
// port.
func fnCheckSyslogURL(s string) *apiError {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "tcp" && u.Scheme != "udp" && u.Scheme != "tcp+tls") || u.Hostname() == "" || u.Port() == "" {
		return errBadRequest("syslogUrl %q must look like tcp://HOST:PORT, udp://HOST:PORT or tcp+tls://HOST:PORT", s)
	}
	return nil
}

// fnCheckIDs checks a list of OCIDs given in a field.
func fnCheckIDs(field string, ids []string) *apiError {
	for _, id := range ids {
		if !fnValidOCID(id) {
			return errBadRequest("%s: %q is not an OCID", field, id)
		}
	}
	return nil
}

// fnDiscriminator describes the discriminator of a polymorphic value the
// SDK could not resolve (it then keeps the raw JSON in an unexported
// struct): `"FOO" is unknown` or `is missing`.
func fnDiscriminator(v any, key string) string {
	raw, _ := fnRawJSON(v)
	if val, ok := raw[key]; ok && val != "" {
		return fmt.Sprintf("%q is unknown", val)
	}
	return "is missing"
}

// fnValidOCID reports whether s looks like an OCID given in a body:
// "ocid1." then ASCII letters, digits, dots, dashes and underscores (tenancy
// level OCIDs have an empty region, hence "..").
func fnValidOCID(s string) bool {
	if len(s) > 255 || !strings.HasPrefix(s, "ocid1.") {
		return false
	}
	return validID(strings.ReplaceAll(s, "..", "."))
}
