// Package yamlnode holds the helpers over goccy/go-yaml's AST that the
// project's YAML loaders share: where a node starts (line and column, for
// findings that name file:line:col) and its text.
package yamlnode
