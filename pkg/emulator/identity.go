package emulator

import (
	"crypto/md5" //nolint:gosec // OCI key fingerprints are MD5 by definition
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
)

// identity is the emulator's one tenancy, user and API key, and its
// registry credentials. All are made fresh for every emulator.
type identity struct {
	tenancyID     string
	userID        string
	fingerprint   string
	key           *rsa.PrivateKey
	keyPEM        []byte
	namespace     string // the tenancy's object storage namespace, as in OCIR paths
	registryUser  string // "<namespace>/<user>"
	registryToken string
}

func newIdentity() (*identity, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("emulator: generating an API key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(der) //nolint:gosec // see import
	hexed := hex.EncodeToString(sum[:])
	parts := make([]string, 0, len(sum))
	for i := 0; i < len(hexed); i += 2 {
		parts = append(parts, hexed[i:i+2])
	}
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	ns := "emulator" + hex.EncodeToString(token[:3])
	return &identity{
		tenancyID:     newOCID("tenancy", ""),
		userID:        newOCID("user", ""),
		fingerprint:   strings.Join(parts, ":"),
		key:           key,
		keyPEM:        pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		namespace:     ns,
		registryUser:  ns + "/osa-user",
		registryToken: hex.EncodeToString(token),
	}, nil
}

// keyID is the signing key id OCI API-key signers use.
func (id *identity) keyID() string { return id.tenancyID + "/" + id.userID + "/" + id.fingerprint }

// keys returns the keys the signature verifier accepts.
func (id *identity) keys() map[string]*rsa.PublicKey {
	return map[string]*rsa.PublicKey{id.keyID(): &id.key.PublicKey}
}

// regionKey returns the three-letter key of a region, as OCIDs and OCIR
// hosts use it.
func regionKey(region string) string {
	known := map[string]string{
		"us-ashburn-1": "iad", "us-phoenix-1": "phx", "us-chicago-1": "ord", "us-sanjose-1": "sjc",
		"eu-frankfurt-1": "fra", "uk-london-1": "lhr", "eu-amsterdam-1": "ams", "eu-paris-1": "cdg",
		"ap-tokyo-1": "nrt", "ap-sydney-1": "syd", "ap-mumbai-1": "bom", "sa-saopaulo-1": "gru",
		"ca-toronto-1": "yyz", "me-jeddah-1": "jed",
	}
	if k, ok := known[region]; ok {
		return k
	}
	if len(region) >= 3 {
		return strings.ToLower(region[:3])
	}
	return "loc"
}
