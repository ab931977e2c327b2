package emulator

import (
	"fmt"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/core"
)

// The network has no create endpoints: OCI networking is out of osa's
// scope. Tests (and the seed) shape it with the helpers below, under the
// state lock (Server.editNetwork takes it). Each add fills what OCI
// fills — an OCID when Id is nil, AVAILABLE, the time created, empty tags —
// and keeps what the caller set; bad topologies (a public function
// subnet, a route table without the service gateway rule, a missing
// service gateway) are built by editing or removing the seeded resources.

// editNetwork runs fn on the network with the state locked.
func (s *Server) editNetwork(fn func(n *networkState)) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	fn(s.st.net)
}

// netAdd stores v in k and returns its id.
func netAdd[T any](n *networkState, k *netKind[T], v T) string {
	n.seq++
	k.items[k.fields(&v).id] = &netItem[T]{v: v, seq: n.seq}
	return k.fields(&v).id
}

// netEdit runs fn on the resource id of k; it reports whether there was one.
func netEdit[T any](k *netKind[T], id string, fn func(v *T)) bool {
	x, ok := k.items[id]
	if ok {
		fn(&x.v)
	}
	return ok
}

// netCommon fills the fields every resource has.
func (n *networkState) netCommon(id **string, resourceType string, created **common.SDKTime, freeform *map[string]string, defined *map[string]map[string]interface{}) {
	if *id == nil {
		*id = common.String(newOCID(resourceType, n.st.key))
	}
	if *created == nil {
		*created = apigwTime(n.st.now())
	}
	*freeform, *defined = apigwFreeform(*freeform), apigwDefined(*defined)
}

// addVcn stores a VCN (AVAILABLE unless set) and returns its OCID.
func (n *networkState) addVcn(v core.Vcn) string {
	n.netCommon(&v.Id, "vcn", &v.TimeCreated, &v.FreeformTags, &v.DefinedTags)
	if v.LifecycleState == "" {
		v.LifecycleState = core.VcnLifecycleStateAvailable
	}
	if v.CidrBlocks == nil && v.CidrBlock != nil {
		v.CidrBlocks = []string{*v.CidrBlock}
	}
	return netAdd(n, &n.vcns, v)
}

// addSubnet stores a subnet (regional, AVAILABLE unless set) and returns
// its OCID. A subnet is public unless ProhibitPublicIpOnVnic is true.
func (n *networkState) addSubnet(v core.Subnet) string {
	n.netCommon(&v.Id, "subnet", &v.TimeCreated, &v.FreeformTags, &v.DefinedTags)
	if v.LifecycleState == "" {
		v.LifecycleState = core.SubnetLifecycleStateAvailable
	}
	if v.VirtualRouterMac == nil {
		v.VirtualRouterMac = common.String(fmt.Sprintf("00:00:17:%02X:%02X:%02X", n.seq&0xff, n.seq>>8&0xff, len(n.subnets.items)&0xff))
	}
	if v.Ipv4CidrBlocks == nil && v.CidrBlock != nil {
		v.Ipv4CidrBlocks = []string{*v.CidrBlock}
	}
	if v.ProhibitPublicIpOnVnic == nil {
		v.ProhibitPublicIpOnVnic = common.Bool(false)
	}
	if v.SubnetDomainName == nil && v.DnsLabel != nil && v.VcnId != nil {
		if vcn, ok := n.vcns.items[*v.VcnId]; ok && vcn.v.DnsLabel != nil {
			v.SubnetDomainName = common.String(*v.DnsLabel + "." + *vcn.v.DnsLabel + ".oraclevcn.com")
		}
	}
	return netAdd(n, &n.subnets, v)
}

// addRouteTable stores a route table (AVAILABLE unless set) and returns
// its OCID.
func (n *networkState) addRouteTable(v core.RouteTable) string {
	n.netCommon(&v.Id, "routetable", &v.TimeCreated, &v.FreeformTags, &v.DefinedTags)
	if v.LifecycleState == "" {
		v.LifecycleState = core.RouteTableLifecycleStateAvailable
	}
	if v.RouteRules == nil {
		v.RouteRules = []core.RouteRule{}
	}
	return netAdd(n, &n.routes, v)
}

// addServiceGateway stores a service gateway (AVAILABLE, not blocking
// traffic, unless set) and returns its OCID.
func (n *networkState) addServiceGateway(v core.ServiceGateway) string {
	n.netCommon(&v.Id, "servicegateway", &v.TimeCreated, &v.FreeformTags, &v.DefinedTags)
	if v.LifecycleState == "" {
		v.LifecycleState = core.ServiceGatewayLifecycleStateAvailable
	}
	if v.BlockTraffic == nil {
		v.BlockTraffic = common.Bool(false)
	}
	if v.Services == nil {
		v.Services = []core.ServiceIdResponseDetails{}
	}
	return netAdd(n, &n.gateways, v)
}

// editSubnet changes a stored subnet in place (e.g. making the function
// subnet public); it reports whether the subnet exists.
func (n *networkState) editSubnet(id string, fn func(v *core.Subnet)) bool {
	return netEdit(&n.subnets, id, fn)
}

// editRouteTable changes a stored route table in place (e.g. dropping the
// service gateway rule).
func (n *networkState) editRouteTable(id string, fn func(v *core.RouteTable)) bool {
	return netEdit(&n.routes, id, fn)
}

// editServiceGateway changes a stored service gateway in place (e.g.
// blocking its traffic).
func (n *networkState) editServiceGateway(id string, fn func(v *core.ServiceGateway)) bool {
	return netEdit(&n.gateways, id, fn)
}

// remove forgets the resource id, whatever its type; it reports whether
// there was one. References to it (a route rule's networkEntityId, a
// subnet's routeTableId) dangle, as they can on OCI while a delete runs.
func (n *networkState) remove(id string) bool {
	for _, m := range []func() bool{
		func() bool { _, ok := n.vcns.items[id]; delete(n.vcns.items, id); return ok },
		func() bool { _, ok := n.subnets.items[id]; delete(n.subnets.items, id); return ok },
		func() bool { _, ok := n.routes.items[id]; delete(n.routes.items, id); return ok },
		func() bool { _, ok := n.gateways.items[id]; delete(n.gateways.items, id); return ok },
	} {
		if m() {
			return true
		}
	}
	return false
}
