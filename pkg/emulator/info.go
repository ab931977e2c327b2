package emulator

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Info is the "emulator info" document of design.md §8: everything a client
// needs to release into the emulator and call what it serves. It contains
// the registry token: keep it out of logs.
type Info struct {
	Registry         string    `json:"registry"`
	RegistryUsername string    `json:"registry_username"`
	RegistryToken    string    `json:"registry_token"`
	Namespace        string    `json:"namespace"`
	Endpoints        Endpoints `json:"endpoints"`
	// IdentityDomainURL is the identity domain whose /oauth2/v1/token
	// exchanges OIDC tokens for session tokens (see WithTokenExchange).
	IdentityDomainURL string `json:"identity_domain_url"`
	GatewayURL        string `json:"gateway_url"`
	GatewayID         string `json:"gateway_id"`
	CompartmentID     string `json:"compartment_id"`
	SubnetID          string `json:"subnet_id"`
	TenancyID         string `json:"tenancy_id"`
	UserID            string `json:"user_id"`
	Fingerprint       string `json:"fingerprint"`
	Region            string `json:"region"`
	OCIConfigFile     string `json:"oci_config_file"`
	OCIProfile        string `json:"oci_profile"`
}

// Endpoints are the base URLs of the emulated services, for a client's Host.
type Endpoints struct {
	APIGateway string `json:"apigateway"`
	Functions  string `json:"functions"`
	Identity   string `json:"identity"`
	Logging    string `json:"logging"`
	Core       string `json:"core"`      // core networking reads
	Artifacts  string `json:"artifacts"` // container repositories
}

// WriteConfig writes an OCI configuration file (profile DEFAULT) and its
// private key into dir, usable by the OCI CLI and the Go SDK
// (common.CustomProfileConfigProvider), and returns the info with
// OCIConfigFile set. The key file is readable by its owner only.
func (s *Server) WriteConfig(dir string) (Info, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Info{}, fmt.Errorf("emulator: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Info{}, err
	}
	keyFile := filepath.Join(abs, "oci_api_key.pem")
	if err := os.WriteFile(keyFile, s.id.keyPEM, 0o600); err != nil {
		return Info{}, fmt.Errorf("emulator: writing the API key: %w", err)
	}
	config := fmt.Sprintf("[DEFAULT]\nuser=%s\nfingerprint=%s\nkey_file=%s\ntenancy=%s\nregion=%s\n",
		s.id.userID, s.id.fingerprint, keyFile, s.id.tenancyID, s.o.region)
	configFile := filepath.Join(abs, "config")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		return Info{}, fmt.Errorf("emulator: writing the OCI config file: %w", err)
	}
	info := s.info
	info.OCIConfigFile = configFile
	s.info = info
	return info, nil
}

// ReadInfo reads an emulator info document written by `osa emulator --info`.
func ReadInfo(path string) (Info, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Info{}, fmt.Errorf("reading emulator info: %w", err)
	}
	var info Info
	if err := json.Unmarshal(data, &info); err != nil {
		return Info{}, fmt.Errorf("%s is not an emulator info document: %w", path, err)
	}
	if info.Endpoints.APIGateway == "" || info.Registry == "" {
		return Info{}, fmt.Errorf("%s is not an emulator info document: endpoints and registry are missing (fix: pass the file written by `osa emulator --info FILE`)", path)
	}
	return info, nil
}
