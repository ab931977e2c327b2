package emulator

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"
	"github.com/oracle/oci-go-sdk/v65/common"
)

// BenchmarkAPIGatewayControlPlane measures the API Gateway control plane's
// throughput through the real SDK clients (signing, HTTP, signature check,
// the state lock, JSON): GetDeployment of a deployment with the
// kitchen-sink specification, and ListDeployments pages of 20 summaries.
// It reports requests per second.
func BenchmarkAPIGatewayControlPlane(b *testing.B) {
	c, clock := startAPIGW(b)
	ctx := context.Background()
	info := c.s.Info()
	var id *string
	for i := range 20 {
		d := c.createDetails("/bench" + strconv.Itoa(i))
		if i == 0 {
			d.Specification = apigwSpecFrom(b, apigwTestdata(b, "kitchen-sink.json"))
		}
		resp := c.create(b, d)
		if i == 0 {
			id = resp.Id
		}
	}
	clock.add(100 * time.Millisecond)

	b.Run("get", func(b *testing.B) {
		req := apigateway.GetDeploymentRequest{DeploymentId: id}
		for b.Loop() {
			if _, err := c.dep.GetDeployment(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("list", func(b *testing.B) {
		req := apigateway.ListDeploymentsRequest{CompartmentId: &info.CompartmentID, Limit: common.Int(20)}
		for b.Loop() {
			resp, err := c.dep.ListDeployments(ctx, req)
			if err != nil || len(resp.Items) != 20 {
				b.Fatal(err, len(resp.Items))
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("get-parallel", func(b *testing.B) {
		req := apigateway.GetDeploymentRequest{DeploymentId: id}
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.dep.GetDeployment(ctx, req); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	})
}
