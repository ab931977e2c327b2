module func

go 1.24

require github.com/fnproject/fdk-go v0.0.61
