package emulator

import (
	"net/http"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/core"
	"github.com/stretchr/testify/require"
)

// TestNetworkSeedTopology reads the seed's topology as doctor would: the
// function subnet is private and routes all the region's Oracle services
// through a service gateway; the gateway's subnet is public.
func TestNetworkSeedTopology(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()

	fnSubnet, err := e.net.GetSubnet(e.ctx, core.GetSubnetRequest{SubnetId: &info.SubnetID})
	require.NoError(t, err)
	require.True(t, *fnSubnet.ProhibitPublicIpOnVnic, "the function subnet is private")
	require.Equal(t, core.SubnetLifecycleStateAvailable, fnSubnet.LifecycleState)
	require.Equal(t, info.CompartmentID, *fnSubnet.CompartmentId)
	require.Nil(t, fnSubnet.AvailabilityDomain, "regional")
	require.NotEmpty(t, *fnSubnet.Etag)

	rt, err := e.net.GetRouteTable(e.ctx, core.GetRouteTableRequest{RtId: fnSubnet.RouteTableId})
	require.NoError(t, err)
	require.Len(t, rt.RouteRules, 1)
	rule := rt.RouteRules[0]
	require.Equal(t, "all-iad-services-in-oracle-services-network", *rule.Destination)
	require.Equal(t, core.RouteRuleDestinationTypeServiceCidrBlock, rule.DestinationType)

	sgw, err := e.net.GetServiceGateway(e.ctx, core.GetServiceGatewayRequest{ServiceGatewayId: rule.NetworkEntityId})
	require.NoError(t, err)
	require.Equal(t, *fnSubnet.VcnId, *sgw.VcnId)
	require.False(t, *sgw.BlockTraffic)
	require.Equal(t, "All IAD Services In Oracle Services Network", *sgw.Services[0].ServiceName)

	vcn, err := e.net.GetVcn(e.ctx, core.GetVcnRequest{VcnId: fnSubnet.VcnId})
	require.NoError(t, err)
	require.Equal(t, "10.0.0.0/16", *vcn.CidrBlock)
	require.Equal(t, core.VcnLifecycleStateAvailable, vcn.LifecycleState)

	subnets, err := e.net.ListSubnets(e.ctx, core.ListSubnetsRequest{CompartmentId: &info.CompartmentID, VcnId: vcn.Id,
		SortBy: core.ListSubnetsSortByDisplayname})
	require.NoError(t, err)
	require.Len(t, subnets.Items, 2)
	require.Equal(t, "functions-private-subnet", *subnets.Items[0].DisplayName)
	public := subnets.Items[1]
	require.Equal(t, "gateway-public-subnet", *public.DisplayName)
	require.Equal(t, seedPublicSubnetID(e.s.st), *public.Id, "the gateway's subnet (seedPublicSubnetID) is the public one")
	require.False(t, *public.ProhibitPublicIpOnVnic)

	vcns, err := e.net.ListVcns(e.ctx, core.ListVcnsRequest{CompartmentId: &info.CompartmentID})
	require.NoError(t, err)
	require.Len(t, vcns.Items, 1)
	rts, err := e.net.ListRouteTables(e.ctx, core.ListRouteTablesRequest{CompartmentId: &info.CompartmentID, VcnId: vcn.Id})
	require.NoError(t, err)
	require.Len(t, rts.Items, 3, "the VCN's default route table, the public one and the private one")
	sgws, err := e.net.ListServiceGateways(e.ctx, core.ListServiceGatewaysRequest{CompartmentId: &info.CompartmentID,
		LifecycleState: core.ServiceGatewayLifecycleStateAvailable})
	require.NoError(t, err)
	require.Len(t, sgws.Items, 1)
	none, err := e.net.ListSubnets(e.ctx, core.ListSubnetsRequest{CompartmentId: &info.TenancyID})
	require.NoError(t, err)
	require.Empty(t, none.Items, "the network lives in the emulator's compartment")
	named, err := e.net.ListRouteTables(e.ctx, core.ListRouteTablesRequest{CompartmentId: &info.CompartmentID, DisplayName: common.String("private-route-table")})
	require.NoError(t, err)
	require.Len(t, named.Items, 1)
	require.Equal(t, *rt.Id, *named.Items[0].Id)
}

// TestNetworkBadTopologies builds what doctor must flag with the
// test-only helpers and reads it back through the SDK.
func TestNetworkBadTopologies(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	fnSubnet, err := e.net.GetSubnet(e.ctx, core.GetSubnetRequest{SubnetId: &info.SubnetID})
	require.NoError(t, err)
	rt, err := e.net.GetRouteTable(e.ctx, core.GetRouteTableRequest{RtId: fnSubnet.RouteTableId})
	require.NoError(t, err)
	sgwID := *rt.RouteRules[0].NetworkEntityId

	// A second function subnet routed to a blocked service gateway.
	var extra, extraRT, blocked string
	e.s.editNetwork(func(n *networkState) {
		blocked = n.addServiceGateway(core.ServiceGateway{CompartmentId: &info.CompartmentID, VcnId: fnSubnet.VcnId})
		require.True(t, n.editServiceGateway(blocked, func(v *core.ServiceGateway) { v.BlockTraffic = common.Bool(true) }))
		extraRT = n.addRouteTable(core.RouteTable{CompartmentId: &info.CompartmentID, VcnId: fnSubnet.VcnId,
			RouteRules: []core.RouteRule{{NetworkEntityId: &blocked, Destination: common.String(oracleServicesCIDR("iad")),
				DestinationType: core.RouteRuleDestinationTypeServiceCidrBlock}}})
		extra = n.addSubnet(core.Subnet{CompartmentId: &info.CompartmentID, VcnId: fnSubnet.VcnId, RouteTableId: &extraRT,
			DisplayName: common.String("another"), CidrBlock: common.String("10.0.3.0/24"), DnsLabel: common.String("another")})
	})
	// The seeded function subnet made public, its route dropped, its gateway gone.
	e.s.editNetwork(func(n *networkState) {
		require.True(t, n.editSubnet(info.SubnetID, func(v *core.Subnet) { v.ProhibitPublicIpOnVnic = common.Bool(false) }))
		require.True(t, n.editRouteTable(*rt.Id, func(v *core.RouteTable) { v.RouteRules = []core.RouteRule{} }))
		require.True(t, n.remove(sgwID))
		require.False(t, n.remove("ocid1.vcn.oc1.iad.nothing"))
	})

	got, err := e.net.GetSubnet(e.ctx, core.GetSubnetRequest{SubnetId: &info.SubnetID})
	require.NoError(t, err)
	require.False(t, *got.ProhibitPublicIpOnVnic, "a public function subnet")
	require.NotEqual(t, *fnSubnet.Etag, *got.Etag, "the etag follows the resource")
	rt2, err := e.net.GetRouteTable(e.ctx, core.GetRouteTableRequest{RtId: rt.Id})
	require.NoError(t, err)
	require.Empty(t, rt2.RouteRules, "no route to the Oracle services network")
	_, err = e.net.GetServiceGateway(e.ctx, core.GetServiceGatewayRequest{ServiceGatewayId: &sgwID})
	requireServiceError(t, err, http.StatusNotFound, "NotAuthorizedOrNotFound", "service gateway "+sgwID)
	added, err := e.net.GetSubnet(e.ctx, core.GetSubnetRequest{SubnetId: &extra})
	require.NoError(t, err)
	require.Equal(t, core.SubnetLifecycleStateAvailable, added.LifecycleState)
	require.False(t, *added.ProhibitPublicIpOnVnic, "subnets are public unless they prohibit public IPs")
	require.Equal(t, []string{"10.0.3.0/24"}, added.Ipv4CidrBlocks)
	require.NotEmpty(t, *added.VirtualRouterMac)
	require.Equal(t, "another.apivcn.oraclevcn.com", *added.SubnetDomainName)
	addedRT, err := e.net.GetRouteTable(e.ctx, core.GetRouteTableRequest{RtId: added.RouteTableId})
	require.NoError(t, err)
	require.Equal(t, core.RouteTableLifecycleStateAvailable, addedRT.LifecycleState)
	sgw, err := e.net.GetServiceGateway(e.ctx, core.GetServiceGatewayRequest{ServiceGatewayId: addedRT.RouteRules[0].NetworkEntityId})
	require.NoError(t, err)
	require.True(t, *sgw.BlockTraffic)
	require.Equal(t, blocked, *sgw.Id)
}

// TestNetworkListRules checks the list parameters' errors and paging.
func TestNetworkListRules(t *testing.T) {
	t.Parallel()
	e := iamStart(t)
	info := e.s.Info()
	comp := info.CompartmentID
	for _, tc := range []struct {
		path           string
		status         int
		code, fragment string
	}{
		{"/20160918/subnets", http.StatusBadRequest, "MissingParameter", "compartmentId is required"},
		{"/20160918/vcns?compartmentId=ocid1.compartment.oc1..nope", http.StatusNotFound, "NotAuthorizedOrNotFound", "compartment ocid1.compartment.oc1..nope"},
		{"/20160918/subnets?compartmentId=" + comp + "&lifecycleState=available", http.StatusBadRequest, "InvalidParameter", `lifecycleState "available" must be one of AVAILABLE, PROVISIONING, TERMINATED, TERMINATING, UPDATING`},
		{"/20160918/routeTables?compartmentId=" + comp + "&sortBy=timeCreated", http.StatusBadRequest, "InvalidParameter", `sortBy "timeCreated" must be TIMECREATED or DISPLAYNAME`},
		{"/20160918/serviceGateways?compartmentId=" + comp + "&limit=1001", http.StatusBadRequest, "InvalidParameter", `limit "1001"`},
		{"/20160918/subnets/ocid1.subnet.oc1.iad.nope", http.StatusNotFound, "NotAuthorizedOrNotFound", "subnet ocid1.subnet.oc1.iad.nope"},
		{"/20160918/vcns/a%20b", http.StatusNotFound, "NotAuthorizedOrNotFound", "vcn a b"},
		{"/20160918/routeTables/x", http.StatusNotFound, "NotAuthorizedOrNotFound", "route table x"},
	} {
		r := e.raw(http.MethodGet, tc.path, "", nil)
		require.Equal(t, tc.status, r.Status, "%s: %s", tc.path, r.Body)
		require.Equal(t, tc.code, r.Code, tc.path)
		require.Contains(t, r.Message, tc.fragment, tc.path)
	}
	r := e.raw(http.MethodPost, "/20160918/subnets", "{}", nil)
	require.Equal(t, http.StatusNotFound, r.Status, "creating networks is not an operation of the emulator")

	var names []string
	req := core.ListRouteTablesRequest{CompartmentId: &comp, Limit: common.Int(2), SortBy: core.ListRouteTablesSortByDisplayname,
		SortOrder: core.ListRouteTablesSortOrderDesc}
	for {
		resp, err := e.net.ListRouteTables(e.ctx, req)
		require.NoError(t, err)
		for _, v := range resp.Items {
			names = append(names, *v.DisplayName)
		}
		if resp.OpcNextPage == nil {
			break
		}
		req.Page = resp.OpcNextPage
	}
	require.Equal(t, []string{"public-route-table", "private-route-table", "Default Route Table for api-gateway-vcn"}, names)
}
