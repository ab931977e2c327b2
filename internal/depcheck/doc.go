// Package depcheck holds the test that enforces the dependency rules of
// design.md §2 over the whole module: which packages may import the OCI SDK,
// go-containerregistry, each other and the CLI.
package depcheck
