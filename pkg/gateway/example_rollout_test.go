package gateway_test

import (
	"context"
	"fmt"
	"time"

	"github.com/oracle/oci-go-sdk/v65/apigateway"

	"github.com/oci-serverless/oci-serverless-api/pkg/emulator"
	"github.com/oci-serverless/oci-serverless-api/pkg/gateway"
)

func exampleDeployment(info emulator.Info, rate int) gateway.Deployment {
	return gateway.Deployment{
		GatewayID: info.GatewayID, CompartmentID: info.CompartmentID,
		PathPrefix: "/v1", DisplayName: "orders-v1",
		Spec: gateway.Spec{
			RequestPolicies: gateway.RequestPolicies{RateLimiting: gateway.RateLimiting{
				RateInRequestsPerSecond: rate, RateKey: gateway.RateKeyClientIP}},
			Routes: []gateway.Route{{Path: "/orders", Methods: []gateway.Method{gateway.MethodPost},
				Backend: gateway.Backend{Type: gateway.FunctionsBackend, Function: "order-validator"}}},
		},
	}
}

// newExampleDeployer starts an emulator and a Deployer on it.
func newExampleDeployer(ctx context.Context) (*emulator.Server, *gateway.Deployer, error) {
	srv, err := emulator.Start(ctx)
	if err != nil {
		return nil, nil, err
	}
	dc, err := apigateway.NewDeploymentClientWithConfigurationProvider(srv.ConfigurationProvider())
	if err != nil {
		return nil, nil, err
	}
	wc, err := apigateway.NewWorkRequestsClientWithConfigurationProvider(srv.ConfigurationProvider())
	if err != nil {
		return nil, nil, err
	}
	dc.Host, wc.Host = srv.Info().Endpoints.APIGateway, srv.Info().Endpoints.APIGateway
	d, err := gateway.NewDeployer(dc, wc, gateway.WithPolling(10*time.Millisecond, time.Second))
	return srv, d, err
}

func ExampleNewDeployer() {
	ctx := context.Background()
	srv, d, err := newExampleDeployer(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	_, found, err := d.Find(ctx, srv.Info().CompartmentID, srv.Info().GatewayID, "orders-v1")
	fmt.Println(found, err)
	// Output: false <nil>
}

func ExampleDeployer_Apply() {
	ctx := context.Background()
	srv, d, err := newExampleDeployer(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	for _, rate := range []int{100, 100, 200} {
		p, err := d.Plan(ctx, exampleDeployment(srv.Info(), rate), resolve)
		if err != nil {
			fmt.Println(err)
			return
		}
		res, err := d.Apply(ctx, p)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(p.Action, res.Changed, res.Live.State, res.Live.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond)
	}
	// Output:
	// create true ACTIVE 100
	// none false ACTIVE 100
	// update true ACTIVE 200
}

func ExampleDeployer_Restore() {
	ctx := context.Background()
	srv, d, err := newExampleDeployer(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	var first gateway.Live
	for _, rate := range []int{100, 300} {
		p, _ := d.Plan(ctx, exampleDeployment(srv.Info(), rate), resolve)
		res, err := d.Apply(ctx, p)
		if err != nil {
			fmt.Println(err)
			return
		}
		if rate == 100 {
			first = res.Live
		}
	}
	live, err := d.Restore(ctx, first)
	fmt.Println(live.Spec.RequestPolicies.RateLimiting.RateInRequestsPerSecond, err)
	// Output: 100 <nil>
}

func ExampleDeployer_Delete() {
	ctx := context.Background()
	srv, d, err := newExampleDeployer(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	p, _ := d.Plan(ctx, exampleDeployment(srv.Info(), 100), resolve)
	res, err := d.Apply(ctx, p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Delete(ctx, res.Live.ID))
	live, err := d.Get(ctx, res.Live.ID)
	fmt.Println(live.State, err)
	// Output:
	// <nil>
	// DELETED <nil>
}

func ExamplePlanDeployment() {
	desired := exampleDeployment(emulator.Info{GatewayID: "ocid1.apigateway.oc1..g", CompartmentID: "ocid1.compartment.oc1..c"}, 100)
	p, _ := gateway.PlanDeployment(desired, nil, resolve)
	fmt.Print(p)
	live := gateway.Live{ID: "ocid1.apideployment.oc1..d", DisplayName: "orders-v1", PathPrefix: "/v1", State: "ACTIVE"}
	live.Spec, _ = gateway.FromSDK(mustSDK(desired.Spec))
	desired.Spec.RequestPolicies.RateLimiting.RateKey = gateway.RateKeyTotal
	p, _ = gateway.PlanDeployment(desired, &live, resolve)
	fmt.Print(p)
	// Output:
	// orders-v1 (/v1): create
	//   + display_name: "orders-v1"
	//   + request_policies.rate_limiting.rate_in_requests_per_second: 100
	//   + request_policies.rate_limiting.rate_key: "CLIENT_IP"
	//   + route POST /orders: ORACLE_FUNCTIONS_BACKEND ocid1.fnfunc.oc1.iad.example
	// orders-v1 (/v1, ocid1.apideployment.oc1..d): update, 1 change(s)
	//   ~ request_policies.rate_limiting.rate_key: "CLIENT_IP" → "TOTAL"
}

func mustSDK(s gateway.Spec) apigateway.ApiSpecification {
	sdk, err := gateway.ToSDK(s, resolve)
	if err != nil {
		panic(err)
	}
	return sdk
}
