package emulator

import (
	"context"
	"fmt"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/functions"
	"github.com/stretchr/testify/require"
)

// BenchmarkFunctionsControlPlane measures the Functions control plane's
// read throughput through the real SDK client (signing, HTTP, signature
// check, lock, rendering): GetFunction, and ListFunctions of a page of 25.
// It reports requests per second.
func BenchmarkFunctionsControlPlane(b *testing.B) {
	s, err := Start(context.Background(), WithLatency(Latency{}))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	e := fnEnvOf(b, s)
	image, _ := fnPush(b, s, "fns/bench:1", "linux/amd64")
	app := e.createApp("bench", "")
	var id *string
	for i := range 25 {
		id = e.createFn(fnDetails(*app.Id, fmt.Sprintf("fn-%02d", i), image)).Id
	}
	ctx := context.Background()

	b.Run("GetFunction", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.mgmt.GetFunction(ctx, functions.GetFunctionRequest{FunctionId: id}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("ListFunctions", func(b *testing.B) {
		for b.Loop() {
			resp, err := e.mgmt.ListFunctions(ctx, functions.ListFunctionsRequest{ApplicationId: app.Id, Limit: common.Int(25)})
			if err != nil || len(resp.Items) != 25 {
				b.Fatal(err, len(resp.Items))
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("GetFunctionParallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.mgmt.GetFunction(ctx, functions.GetFunctionRequest{FunctionId: id}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}
