package emulator

import (
	"testing"

	"github.com/oracle/oci-go-sdk/v65/artifacts"
	"github.com/stretchr/testify/require"
)

// checkArtifacts verifies the Artifacts store's invariants through its
// own endpoints.
func (f *iamFuzzStore) checkArtifacts(t *testing.T) {
	t.Helper()
	a := f.st.arts
	names := map[string]bool{}
	for id, x := range a.repos {
		require.Equal(t, etagOf(x.r), x.etag)
		require.Nil(t, artsCheckName(*x.r.DisplayName))
		require.False(t, names[*x.r.DisplayName], "two repositories named %q", *x.r.DisplayName)
		names[*x.r.DisplayName] = true
		require.True(t, f.st.iam.knownCompartment(*x.r.CompartmentId))
		_, v, _, err := f.call(a.getRepository, "GET", "/x", nil, "id", id)
		require.NoError(t, err)
		require.Equal(t, x.r, v)
		_, list, _, err := f.call(a.listRepositories, "GET", "/x?limit=1000&compartmentId="+*x.r.CompartmentId, nil)
		require.NoError(t, err)
		coll := list.(artifacts.ContainerRepositoryCollection)
		require.Equal(t, len(coll.Items), *coll.RepositoryCount)
		found := false
		for _, s := range coll.Items {
			found = found || *s.Id == id
		}
		require.True(t, found, "the list holds repository %s", id)
	}
}

// FuzzArtifactsDecoders sends one body to the repository create and the
// configuration update, then reconciles a registry holding its name.
func FuzzArtifactsDecoders(f *testing.F) {
	for _, b := range [][]byte{
		[]byte(`{}`), []byte(`null`), []byte(`{"compartmentId": "$COMPARTMENT", "displayName": "a/b"}`),
		[]byte(`{"compartmentId": "$TENANCY", "displayName": "x", "repositoryType": "PULL_THROUGH", "upstreamUrl": "u"}`),
		[]byte(`{"compartmentId": "$COMPARTMENT", "displayName": "r", "readme": {"content": "", "format": "TEXT_PLAIN"}}`),
		[]byte(`{"isRepositoryCreatedOnFirstPush": false}`),
		iamTestdata(f, "artifacts", "repository.json"),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := newIAMFuzzStore()
		a := s.st.arts
		body = s.fill(body)
		for range 2 {
			status, _, _, err := s.call(a.createRepository, "POST", "/x", body)
			iamRequireAnswer(t, status, err)
		}
		status, _, _, err := s.call(a.updateConfiguration, "PUT", "/x?compartmentId="+s.st.tenancyID, body)
		iamRequireAnswer(t, status, err)
		scanned := map[string]int{"fns/hello": 2}
		for _, x := range a.repos {
			scanned[*x.r.DisplayName] = 1
		}
		a.reconcile(scanned, s.now)
		s.checkArtifacts(t)
	})
}
