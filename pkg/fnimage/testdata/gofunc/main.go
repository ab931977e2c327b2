// Command func is a dependency-free stand-in for a Go function, used by the
// builder's unit tests.
package main

import "fmt"

var greeting = "hello"

func main() { fmt.Println(greeting) }
