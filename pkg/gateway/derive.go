package gateway

import (
	"fmt"
	"slices"
	"strings"
)

// derive fills what the seed's Terraform leaves implicit, with a warning
// for each value it derives: a JWT policy's issuers and audiences, which
// the API requires, from its verify_claims iss and aud.
func (l *loader) derive(s *Spec) {
	l.deriveJWT(&s.RequestPolicies.Authentication, "request_policies.authentication")
	for i := range s.RequestPolicies.DynamicAuthentication.AuthenticationServers {
		p := fmt.Sprintf("request_policies.dynamic_authentication.authentication_servers[%d].authentication_server_detail", i)
		l.deriveJWT(&s.RequestPolicies.DynamicAuthentication.AuthenticationServers[i].AuthenticationServerDetail, p)
	}
}

func (l *loader) deriveJWT(a *Authentication, path string) {
	if a.Type != JWTAuthentication {
		return
	}
	derive := func(field, claim string, dst *[]string) {
		if len(*dst) > 0 {
			return
		}
		i := slices.IndexFunc(a.VerifyClaims, func(c Claim) bool { return c.Key == claim && len(c.Values) > 0 })
		if i < 0 {
			return
		}
		if from := fmt.Sprintf("%s.verify_claims[%d]", path, i); l.isBad(from) || l.hasBadChild(from) {
			l.bad[join(path, field)] = true // the claim's problem is reported; do not report the field too
			return
		}
		*dst = slices.Clone(a.VerifyClaims[i].Values)
		from := fmt.Sprintf("%s.verify_claims[%d].values", path, i)
		l.src.pos[join(path, field)] = l.src.pos[from]
		sent := make([]string, len(*dst))
		written := make([]string, len(*dst))
		for j, v := range *dst {
			sent[j] = fmt.Sprintf("%q", v)
			written[j] = sent[j]
			if orig, ok := l.src.env[fmt.Sprintf("%s[%d]", from, j)]; ok {
				written[j] = fmt.Sprintf("%q", orig)
				l.src.env[fmt.Sprintf("%s.%s[%d]", path, field, j)] = orig
			}
		}
		l.warnAt(position{}, from, fmt.Sprintf("write %s: [%s] in the authentication policy", field, strings.Join(written, ", ")),
			"%s is not set, and OCI requires it: osa sends %s: [%s], taken from this %s claim",
			field, field, strings.Join(sent, ", "), claim)
	}
	derive("issuers", "iss", &a.Issuers)
	derive("audiences", "aud", &a.Audiences)
}

// hasBadChild reports whether a path below prefix failed to decode.
func (l *loader) hasBadChild(prefix string) bool {
	for p := range l.bad {
		if strings.HasPrefix(p, prefix+".") || strings.HasPrefix(p, prefix+"[") {
			return true
		}
	}
	return false
}
