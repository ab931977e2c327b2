// Package gateway models OCI API Gateway deployment specifications as
// plain Go values, loads them from osa's YAML (Terraform's snake_case
// names, with ${env:...} values) and from OCI's JSON, validates them
// against every documented rule before any cloud call, converts them to
// and from the oci-go-sdk's apigateway types, versions them (semver
// releases, path prefixes, display names, osa's freeform tags) and marks
// retiring versions with deprecation headers. A Deployer rolls a deployment
// out through the SDK: plan, create or update with if-match, wait for the
// work request, verify, and restore the previous specification on failure.
//
// A specification travels through the package like this:
//
//	spec, findings, err := gateway.LoadYAML("spec.yaml", data) // decode, derive, Validate
//	spec, err = gateway.Deprecate(spec, d)                   // optional: retiring major
//	plan, err := deployer.Plan(ctx, gateway.Deployment{...}, resolve) // read live, diff
//	result, err := deployer.Apply(ctx, plan)                       // create/update, wait, verify
//
// Computing a request is kept apart from sending it: PlanDeployment,
// CreateDeploymentDetails and UpdateDeploymentDetails are pure, and their
// output is what the SDK sends.
//
// pkg/gateway never imports go-containerregistry and never prints.
package gateway
