// Package emulator runs a local stand-in for the parts of Oracle Cloud that
// osa uses — a container registry (OCIR), API Gateway deployments and work
// requests, Functions applications, functions, work requests and invoke —
// on 127.0.0.1, so that the real oci-go-sdk talks to it over HTTP exactly as
// it talks to OCI. It is osa's embedded default (`osa up`, `osa emulator`)
// and the ground every integration test stands on; users can start it from
// their own Go tests with Start.
//
// Fidelity is the point: requests must carry a valid OCI HTTP signature;
// errors have OCI's shape ({"code","message"} and an opc-request-id header);
// mutating calls answer with work requests that move ACCEPTED, IN_PROGRESS,
// then SUCCEEDED or FAILED under a configurable latency model; resources
// carry etags checked against if-match; creates honour opc-retry-token.
// Where the emulator has to choose a behaviour that OCI does not document,
// the choice is listed in the README of this package.
package emulator
