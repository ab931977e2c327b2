package emulator

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/core"
)

// networkState is the state of the Core networking plane, read only
// (VirtualNetworkClient, API 20160918): VCNs, subnets, route tables and
// service gateways, for `osa doctor`'s private-subnet and service-gateway
// checks. It is seeded with the seed's topology (seedNetwork); tests shape
// other topologies with the helpers of network_topology.go. Guarded by
// state.mu.
type networkState struct {
	st  *state
	seq int

	vcns     netKind[core.Vcn]
	subnets  netKind[core.Subnet]
	routes   netKind[core.RouteTable]
	gateways netKind[core.ServiceGateway]
}

// netKind is one resource type: its stored resources and how to read the
// fields lists filter and sort on.
type netKind[T any] struct {
	noun   string // for messages: "vcn", "subnet", ...
	items  map[string]*netItem[T]
	fields func(v *T) netFields
	states []string // the lifecycleState filter's values
}

// netItem is a stored resource and its place in the creation order.
type netItem[T any] struct {
	v   T
	seq int
}

// netFields are the fields of a resource that lists look at.
type netFields struct {
	id, compartmentID, vcnID, displayName, state string
	created                                      *common.SDKTime
}

// newNetworkState describes the four resource types and seeds the
// network.
func newNetworkState(st *state) *networkState {
	n := &networkState{st: st,
		vcns: netKind[core.Vcn]{noun: "vcn", items: map[string]*netItem[core.Vcn]{}, states: core.GetVcnLifecycleStateEnumStringValues(),
			fields: func(v *core.Vcn) netFields {
				return netFields{apigwStr(v.Id), apigwStr(v.CompartmentId), "", apigwStr(v.DisplayName), string(v.LifecycleState), v.TimeCreated}
			}},
		subnets: netKind[core.Subnet]{noun: "subnet", items: map[string]*netItem[core.Subnet]{}, states: core.GetSubnetLifecycleStateEnumStringValues(),
			fields: func(v *core.Subnet) netFields {
				return netFields{apigwStr(v.Id), apigwStr(v.CompartmentId), apigwStr(v.VcnId), apigwStr(v.DisplayName), string(v.LifecycleState), v.TimeCreated}
			}},
		routes: netKind[core.RouteTable]{noun: "route table", items: map[string]*netItem[core.RouteTable]{}, states: core.GetRouteTableLifecycleStateEnumStringValues(),
			fields: func(v *core.RouteTable) netFields {
				return netFields{apigwStr(v.Id), apigwStr(v.CompartmentId), apigwStr(v.VcnId), apigwStr(v.DisplayName), string(v.LifecycleState), v.TimeCreated}
			}},
		gateways: netKind[core.ServiceGateway]{noun: "service gateway", items: map[string]*netItem[core.ServiceGateway]{}, states: core.GetServiceGatewayLifecycleStateEnumStringValues(),
			fields: func(v *core.ServiceGateway) netFields {
				return netFields{apigwStr(v.Id), apigwStr(v.CompartmentId), apigwStr(v.VcnId), apigwStr(v.DisplayName), string(v.LifecycleState), v.TimeCreated}
			}},
	}
	n.seedNetwork(st.now())
	return n
}

// registerNetwork registers the Core networking reads.
func (s *Server) registerNetwork(mux *http.ServeMux) {
	n := s.st.net
	b := identityBase
	mux.HandleFunc("GET "+b+"/vcns", s.handle(netList(n, &n.vcns, false)))
	mux.HandleFunc("GET "+b+"/vcns/{id}", s.handle(netGet(&n.vcns)))
	mux.HandleFunc("GET "+b+"/subnets", s.handle(netList(n, &n.subnets, true)))
	mux.HandleFunc("GET "+b+"/subnets/{id}", s.handle(netGet(&n.subnets)))
	mux.HandleFunc("GET "+b+"/routeTables", s.handle(netList(n, &n.routes, true)))
	mux.HandleFunc("GET "+b+"/routeTables/{id}", s.handle(netGet(&n.routes)))
	mux.HandleFunc("GET "+b+"/serviceGateways", s.handle(netList(n, &n.gateways, true)))
	mux.HandleFunc("GET "+b+"/serviceGateways/{id}", s.handle(netGet(&n.gateways)))
}

// netGet answers GET of one resource, with its etag.
func netGet[T any](k *netKind[T]) endpoint {
	return func(c *call) (int, any, error) {
		id := c.r.PathValue("id")
		x, ok := k.items[id]
		if !validID(id) || !ok {
			return 0, nil, errNotFound(k.noun, id)
		}
		c.header.Set("etag", etagOf(x.v))
		return http.StatusOK, x.v, nil
	}
}

// netList answers a list: compartmentId (mandatory), vcnId (where the
// type has one), displayName, lifecycleState, sortBy TIMECREATED (newest
// first) or DISPLAYNAME (A to Z, case-sensitive), sortOrder and paging.
// The answer is a bare JSON array of full resources (SDK
// core/list_*_request_response.go).
func netList[T any](n *networkState, k *netKind[T], byVCN bool) endpoint {
	return func(c *call) (int, any, error) {
		comp, err := iamCompartmentQuery(c.r)
		if err != nil {
			return 0, nil, err
		}
		if err := n.st.iam.checkCompartment(comp); err != nil {
			return 0, nil, err
		}
		want, err := iamEnumQuery(c.r, "lifecycleState", k.states)
		if err != nil {
			return 0, nil, err
		}
		q := c.r.URL.Query()
		var matched []*netItem[T]
		for _, x := range k.items {
			f := k.fields(&x.v)
			switch {
			case f.compartmentID != comp,
				byVCN && q.Has("vcnId") && f.vcnID != q.Get("vcnId"),
				q.Has("displayName") && f.displayName != q.Get("displayName"),
				want != "" && f.state != want:
				continue
			}
			matched = append(matched, x)
		}
		page, err := iamPageList(c, matched, "TIMECREATED", "DISPLAYNAME", func(x *netItem[T]) iamListKey {
			f := k.fields(&x.v)
			key := iamListKey{name: f.displayName, seq: x.seq}
			if f.created != nil {
				key.created = f.created.Time
			}
			return key
		})
		if err != nil {
			return 0, nil, err
		}
		out := make([]T, 0, len(page))
		for _, x := range page {
			out = append(out, x.v)
		}
		return http.StatusOK, out, nil
	}
}

// seedPublicSubnetID is the OCID of the seeded public subnet, where the
// seeded API gateway belongs. It is derived from the function subnet's
// OCID so that the API Gateway plane, which is built before this one, can
// name it too.
func seedPublicSubnetID(st *state) string {
	sum := sha256.Sum256([]byte("public subnet of " + st.subnetID))
	b := make([]byte, 60)
	for i := range b {
		b[i] = ocidAlphabet[int(sum[i%len(sum)]^byte(i))%len(ocidAlphabet)]
	}
	return "ocid1.subnet.oc1." + st.key + "." + string(b)
}

// oracleServicesCIDR is the service CIDR label of "all services in the
// Oracle Services Network" in the region (a route rule's destination with
// destinationType SERVICE_CIDR_BLOCK), e.g.
// all-iad-services-in-oracle-services-network.
func oracleServicesCIDR(key string) string {
	return "all-" + strings.ToLower(key) + "-services-in-oracle-services-network"
}

// seedNetwork builds the seed's topology in the emulator's compartment:
// one VCN (10.0.0.0/16); a public regional subnet (10.0.1.0/24) for the
// gateway, routed to an internet gateway; the private function subnet
// (Info().SubnetID, 10.0.2.0/24, prohibitPublicIpOnVnic) routed to all
// the region's Oracle services through a service gateway.
func (n *networkState) seedNetwork(now time.Time) {
	st := n.st
	comp := common.String(st.compartmentID)
	created := apigwTime(now)
	vcnID := newOCID("vcn", st.key)
	ocid := func(t string) *string { return common.String(newOCID(t, st.key)) }
	defaultRT, publicRT, privateRT, sgw := ocid("routetable"), ocid("routetable"), ocid("routetable"), ocid("servicegateway")
	secList, dhcp := ocid("securitylist"), ocid("dhcpoptions")
	n.addVcn(core.Vcn{Id: common.String(vcnID), CompartmentId: comp, CidrBlock: common.String("10.0.0.0/16"),
		CidrBlocks: []string{"10.0.0.0/16"}, DisplayName: common.String("api-gateway-vcn"), DnsLabel: common.String("apivcn"),
		VcnDomainName: common.String("apivcn.oraclevcn.com"), DefaultRouteTableId: defaultRT,
		DefaultSecurityListId: secList, DefaultDhcpOptionsId: dhcp, TimeCreated: created})
	n.addRouteTable(core.RouteTable{Id: defaultRT, CompartmentId: comp, VcnId: common.String(vcnID),
		DisplayName: common.String("Default Route Table for api-gateway-vcn"), TimeCreated: created})
	n.addRouteTable(core.RouteTable{Id: publicRT, CompartmentId: comp, VcnId: common.String(vcnID),
		DisplayName: common.String("public-route-table"), TimeCreated: created,
		RouteRules: []core.RouteRule{{NetworkEntityId: ocid("internetgateway"), Destination: common.String("0.0.0.0/0"),
			DestinationType: core.RouteRuleDestinationTypeCidrBlock, CidrBlock: common.String("0.0.0.0/0")}}})
	n.addRouteTable(core.RouteTable{Id: privateRT, CompartmentId: comp, VcnId: common.String(vcnID),
		DisplayName: common.String("private-route-table"), TimeCreated: created,
		RouteRules: []core.RouteRule{{NetworkEntityId: sgw, Destination: common.String(oracleServicesCIDR(st.key)),
			DestinationType: core.RouteRuleDestinationTypeServiceCidrBlock}}})
	n.addServiceGateway(core.ServiceGateway{Id: sgw, CompartmentId: comp, VcnId: common.String(vcnID),
		DisplayName: common.String("functions-service-gateway"), TimeCreated: created,
		Services: []core.ServiceIdResponseDetails{{ServiceId: ocid("service"),
			ServiceName: common.String("All " + strings.ToUpper(st.key) + " Services In Oracle Services Network")}}})
	n.addSubnet(core.Subnet{Id: common.String(seedPublicSubnetID(st)), CompartmentId: comp, VcnId: common.String(vcnID),
		CidrBlock: common.String("10.0.1.0/24"), DisplayName: common.String("gateway-public-subnet"),
		DnsLabel: common.String("gatewaypub"), RouteTableId: publicRT, SecurityListIds: []string{*secList}, DhcpOptionsId: dhcp,
		ProhibitPublicIpOnVnic: common.Bool(false), ProhibitInternetIngress: common.Bool(false),
		VirtualRouterIp: common.String("10.0.1.1"), TimeCreated: created})
	n.addSubnet(core.Subnet{Id: common.String(st.subnetID), CompartmentId: comp, VcnId: common.String(vcnID),
		CidrBlock: common.String("10.0.2.0/24"), DisplayName: common.String("functions-private-subnet"),
		DnsLabel: common.String("funcpriv"), RouteTableId: privateRT, SecurityListIds: []string{*secList}, DhcpOptionsId: dhcp,
		ProhibitPublicIpOnVnic: common.Bool(true), ProhibitInternetIngress: common.Bool(true),
		VirtualRouterIp: common.String("10.0.2.1"), TimeCreated: created})
}
