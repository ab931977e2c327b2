// Command func uses a vendored dependency that no proxy serves.
package main

import (
	"fmt"

	"example.com/greet"
)

func main() { fmt.Println(greet.Hello()) }
