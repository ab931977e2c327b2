// Command osa builds, releases and runs OCI Functions APIs. See the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/oci-serverless/oci-serverless-api/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
