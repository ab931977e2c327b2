package fnimage_test

import (
	"errors"
	"fmt"

	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

func ExampleParseFuncFile() {
	f, err := fnimage.ParseFuncFile("hello/func.yaml", []byte(`schema_version: 20180708
runtime: python3.11
entrypoint: /python/bin/fdk /function/func.py handler
memory: 256
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	rt := f.ParsedRuntime()
	fmt.Println(f.Name, f.Version, rt)
	fmt.Println(rt.DefaultRunImage())
	fmt.Printf("%q\n", f.EntrypointArgs())

	// Every problem in a file is reported at once, with its position.
	_, err = fnimage.ParseFuncFile("hello/func.yaml", []byte(`schema_version: 20180708
runtime: pyhton3.11
entrypoint: /python/bin/fdk /function/func.py handler
memory: 300
`))
	var invalid *fnimage.InvalidInputError
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			fmt.Printf("%d:%d %s: %s\n", p.Line, p.Column, p.Field, p.Message)
		}
	}
	// Output:
	// hello 0.0.1 python3.11
	// fnproject/python:3.11
	// ["/python/bin/fdk" "/function/func.py" "handler"]
	// 2:10 runtime: unknown runtime "pyhton3.11"
	// 4:9 memory: memory 300 MB is not a size OCI Functions offers
}
