module func

go 1.24
