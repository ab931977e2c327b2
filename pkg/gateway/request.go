package gateway

import (
	"errors"
	"fmt"
	"maps"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
)

// Deployment is the desired state of one API deployment: what osa asks
// OCI to create or update.
type Deployment struct {
	// GatewayID is the OCID of the gateway; required to create, fixed after.
	GatewayID string
	// CompartmentID is the OCID of the deployment's compartment; required
	// to create.
	CompartmentID string
	// PathPrefix is the deployment's path prefix, such as /v1 (see
	// [PathPrefix]); required to create, fixed after.
	PathPrefix string
	// DisplayName is the deployment's name, such as orders-v1 (see
	// [DisplayName]).
	DisplayName string
	// Spec is the API specification.
	Spec Spec
	// FreeformTags are the deployment's freeform tags: osa's pointers
	// (see [Tags.Apply]) and the user's. Nil: none.
	FreeformTags map[string]string
	// DefinedTags are the deployment's defined tags. Nil: none.
	DefinedTags map[string]map[string]any
}

// CreateDeploymentDetails computes the body of a CreateDeployment request
// for d, without sending anything. It refuses (with an *[InvalidSpecError])
// a spec that [Validate] finds errors in, and a path prefix or display
// name OCI would refuse.
func CreateDeploymentDetails(d Deployment, resolve FunctionResolver) (apigateway.CreateDeploymentDetails, error) {
	var out apigateway.CreateDeploymentDetails
	var errs []error
	if d.GatewayID == "" {
		errs = append(errs, errors.New("creating a deployment needs the gateway's OCID"))
	}
	if d.CompartmentID == "" {
		errs = append(errs, errors.New("creating a deployment needs the compartment's OCID"))
	}
	if err := ValidatePathPrefix(d.PathPrefix); err != nil {
		errs = append(errs, err)
	}
	spec, err := specForRequest(d, resolve)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	return apigateway.CreateDeploymentDetails{GatewayId: ptr(d.GatewayID), CompartmentId: ptr(d.CompartmentID),
		PathPrefix: ptr(d.PathPrefix), Specification: &spec, DisplayName: optStr(d.DisplayName),
		FreeformTags: cloneTags(d.FreeformTags), DefinedTags: cloneDefined(d.DefinedTags)}, nil
}

// UpdateDeploymentDetails computes the body of an UpdateDeployment request
// that makes a deployment match d, without sending anything. The path
// prefix and gateway cannot change (OCI does not update them) and are not
// part of the body. Tags are left as they are when d's are nil; a non-nil
// map (even empty) replaces them whole, as OCI does.
func UpdateDeploymentDetails(d Deployment, resolve FunctionResolver) (apigateway.UpdateDeploymentDetails, error) {
	spec, err := specForRequest(d, resolve)
	if err != nil {
		return apigateway.UpdateDeploymentDetails{}, err
	}
	out := apigateway.UpdateDeploymentDetails{Specification: &spec, DisplayName: optStr(d.DisplayName),
		FreeformTags: cloneTags(d.FreeformTags), DefinedTags: cloneDefined(d.DefinedTags)}
	return out, nil
}

func specForRequest(d Deployment, resolve FunctionResolver) (apigateway.ApiSpecification, error) {
	if err := ValidateDisplayName(d.DisplayName); err != nil {
		return apigateway.ApiSpecification{}, err
	}
	if fs := Validate(d.Spec); HasErrors(fs) {
		return apigateway.ApiSpecification{}, &InvalidSpecError{File: d.Spec.Source.File, Findings: fs}
	}
	spec, err := ToSDK(d.Spec, resolve)
	if err != nil {
		return spec, fmt.Errorf("converting the specification: %w", err)
	}
	return spec, nil
}

func cloneTags(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func cloneDefined(m map[string]map[string]any) map[string]map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]map[string]any, len(m))
	for k, v := range m {
		out[k] = maps.Clone(v)
	}
	return out
}
