// Package greet exists only in this vendor directory.
package greet

// Hello greets.
func Hello() string { return "hello from vendor" }
