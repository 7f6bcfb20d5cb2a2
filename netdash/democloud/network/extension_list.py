"""The extensions Neutron 29 (ML2 + L3 router) advertises, in its order, as the recorded real one listed them,
less those the embedded cloud does not serve (api/extensions.py says which and why).

One per line: alias | name | description | updated (a trailing backslash continues a long line).
"""

TABLE = """\
aap-reject-multicast | Allowed address pairs reject multicast extension | Reject multicast addresses in \
Allowed Address Pairs | 2026-04-01T00:00:00-00:00
router-admin-state-down-before-update | Enforce Router's Admin State Down Before Update Extension | \
Ensure that the admin state of a router is DOWN (admin_state_up=False) before updating the distributed \
attribute | 2019-07-02T15:56:00
agent | agent | The agent management extension. | 2013-02-03T10:00:00-00:00
agent-resources-synced | Agent's Resource View Synced to Placement | Stores success/failure of last sync \
to Placement | 2018-12-19T00:00:00-00:00
agent_sort_key | Agents Sort Key | Enabling the keyword sort_key for sorting in agents. | \
2013-02-03T10:00:00-00:00
allowed-address-pairs | Allowed Address Pairs | Provides allowed address pairs | 2013-07-23T10:00:00-00:00
availability_zone | Availability Zone | The availability zone extension. | 2015-01-01T10:00:00-00:00
availability_zone_filter | Availability Zone Filter Extension | Add filter parameters to \
AvailabilityZone resource | 2018-06-22T10:00:00-00:00
default-subnetpools | Default Subnetpools | Provides ability to mark and use a subnetpool as the \
default. | 2016-02-18T18:00:00-00:00
dvr | Distributed Virtual Router | Enables configuration of Distributed Virtual Routers. | \
2014-06-1T10:00:00-00:00
empty-string-filtering | Empty String Filtering Extension | Allow filtering by attributes with empty \
string value | 2018-05-01T10:00:00-00:00
external-net | Neutron external network | Adds external network attribute to network resource. | \
2013-01-14T10:00:00-00:00
extra_dhcp_opt | Neutron Extra DHCP options | Extra options configuration for DHCP. For example PXE boot \
options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name) | \
2013-03-17T12:00:00-00:00
extraroute | Neutron Extra Route | Extra routes configuration for L3 router | 2013-02-01T10:00:00-00:00
extraroute-atomic | Atomically add/remove extra routes | Edit extra routes of a router on server side by \
atomically adding/removing extra routes | 2019-07-10T00:00:00+00:00
filter-validation | Filter parameters validation | Provides validation on filter parameters. | \
2018-07-04T10:00:00-00:00
floating-ip-port-forwarding-detail | Floating IP port forwarding detail | Allow list floating ip return \
more port forwarding data, include'id' and 'internal_port_id' | 2022-05-06T10:00:00-00:00
fip-port-details | Floating IP Port Details Extension | Add port_details attribute to Floating IP \
resource | 2018-04-09T10:00:00-00:00
floatingip-pools | Floating IP Pools Extension | Provides a floating IP pools API. | \
2018-03-21T10:00:00-00:00
ip-substring-filtering | IP address substring filtering | Provides IP address substring filtering when \
listing ports | 2017-11-28T09:00:00-00:00
router | Neutron L3 Router | Router abstraction for basic L3 forwarding between L2 Neutron networks and \
access to external networks via a NAT gateway. | 2012-07-20T10:00:00-00:00
ext-gw-mode | Neutron L3 Configurable external gateway mode | Extension of the router abstraction for \
specifying whether SNAT should occur on the external gateway | 2013-03-28T10:00:00-00:00
l3-ha | HA Router extension | Adds HA capability to routers. | 2014-04-26T00:00:00-00:00
l3-port-ip-change-not-allowed | Prevent L3 router ports IP address change extension | Prevent change of \
IP address for some L3 router ports | 2018-10-09T10:00:00-00:00
net-mtu | Network MTU | Provides MTU attribute for a network resource. | 2015-03-25T10:00:00-00:00
net-mtu-writable | Network MTU (writable) | Provides a writable MTU attribute for a network resource. | \
2017-07-12T00:00:00-00:00
network_availability_zone | Network Availability Zone | Availability zone support for network. | \
2015-01-01T10:00:00-00:00
network_ha | Network HA creation flag | Network high availability creation flag. | \
2023-04-27T10:00:00-00:00
network-ip-availability | Network IP Availability | Provides IP availability data for each network and \
subnet. | 2015-09-24T00:00:00-00:00
network-ip-availability-details | Network IP Availability Details Extension | Add \
ip_availability_details attribute to network-ip-availabilities resource. | 2025-10-31T00:00:00-00:00
pagination | Pagination support | Extension that indicates that pagination is enabled. | \
2016-06-12T00:00:00-00:00
port-device-profile | Port device profile | Expose the port device profile (Cyborg) | \
2020-12-17T10:00:00-00:00
port-mac-override | Neutron Port MAC address override | Allow overriding the MAC address of a \
direct-physical Port via the active binding profile | 2022-03-18T10:00:00-00:00
port-mac-address-regenerate | Neutron Port MAC address regenerate | Network port MAC address regenerate \
| 2018-05-03T10:00:00-00:00
port-numa-affinity-policy | Port NUMA affinity policy | Expose the port NUMA affinity policy | \
2020-07-08T10:00:00-00:00
port-numa-affinity-policy-socket | Port NUMA affinity policy "socket" | Adds "socket" to the supported \
port NUMA affinity policies | 2024-02-09T10:00:00-00:00
binding | Port Binding | Expose port bindings of a virtual port to external application | \
2014-02-03T10:00:00-00:00
port-security | Port Security | Provides port security | 2012-07-23T10:00:00-00:00
project-id | project_id field enabled | Extension that indicates that project_id field is enabled. | \
2016-09-09T09:09:09-09:09
provider | Provider Network | Expose mapping of virtual networks to physical networks | \
2012-09-07T10:00:00-00:00
qinq | QinQ networks | Expose network 'qinq' attribute in the API. This allows to configure network to \
allow vlan in vlan configuration using 0x88a8 ethertype (QinQ). | 2024-12-02T10:00:00-00:00
quota-check-limit | Quota engine limit check | Support for checking the resource usage before applying a \
new quota limit | 2021-09-08T16:00:00-00:00
quota-check-limit-default | Quota engine limit check by default | By default, the Neutron quota engine \
checks the resource usage before applying a new quota limit | 2024-08-21T16:00:00-00:00
quotas | Quota management support | Expose functions for quotas management per project | \
2012-07-29T10:00:00-00:00
quota_details | Quota details management support | Expose functions for quotas usage statistics per \
project | 2017-02-10T10:00:00-00:00
rbac-policies | RBAC Policies | Allows creation and modification of policies that control project access \
to resources. | 2015-06-17T12:15:12-00:00
rbac-security-groups | Add security_group type to network RBAC | Add security_group type to network RBAC \
| 2019-02-14T00:00:00-00:00
rbac-subnetpool | Add subnetpool type to RBAC | Add subnetpool type to RBAC | 2020-02-05T00:00:00-00:00
revision-if-match | If-Match constraints based on revision_number | Extension indicating that If-Match \
based on revision_number is supported. | 2016-12-11T00:00:00-00:00
standard-attr-revisions | Resource revision numbers | This extension will display the revision number of \
neutron resources. | 2016-04-11T10:00:00-00:00
router_availability_zone | Router Availability Zone | Availability zone support for router. | \
2015-01-01T10:00:00-00:00
security-groups-normalized-cidr | Normalized CIDR field for security group rules | Add new field with \
normalized remote_ip_prefix cidr in SG rule | 2020-07-28T10:00:00-00:00
port-security-groups-filtering | Port filtering on security groups | Provides security groups filtering \
when listing ports | 2018-01-09T09:00:00-00:00
security-groups-rules-belongs-to-default-sg | Security group rule belongs to the project's default \
security group | Flag to determine if the security group rule belongs to the project's default security \
group | 2023-05-23T10:00:00-00:00
security-groups-shared-filtering | Security group filtering on the shared field | Support filtering \
security groups on the shared field | 2021-10-05T09:00:00-00:00
security-group | security-group | The security groups extension. | 2012-10-05T10:00:00-00:00
service-type | Neutron Service Type Management | API for retrieving service providers for Neutron \
advanced services | 2013-01-20T00:00:00-00:00
sorting | Sorting support | Extension that indicates that sorting is enabled. | 2016-06-12T00:00:00-00:00
standard-attr-description | standard-attr-description | Extension to add descriptions to standard \
attributes | 2016-02-10T10:00:00-00:00
stateful-security-group | Stateful security group | Indicates if the security group is stateful or not | \
2019-11-26T09:00:00-00:00
subnet-external-network | Subnet belongs to an external network | Informs if the subnet belongs to an \
external network | 2024-02-05T18:00:00-00:00
subnet-service-types | Subnet service types | Provides ability to set the subnet service_types field | \
2016-03-15T18:00:00-00:00
subnet_allocation | Subnet Allocation | Enables allocation of subnets from a subnet pool | \
2015-03-30T10:00:00-00:00
subnetpool-prefix-ops | Subnet Pool Prefix Operations | Provides support for adjusting the prefix list \
of subnet pools | 2019-02-08T10:00:00-00:00
tag-creation | Tag creation extension | Allow to create multiple tags for a resource | \
2024-23-07T10:00:00-00:00
standard-attr-tag | Tag support for resources with standard attribute: port, subnet, subnetpool, \
network, security_group, router, floatingip, policy, trunk, network_segment_range | Enables to set tag \
on resources with standard attribute. | 2017-01-01T00:00:00-00:00
standard-attr-timestamp | Resource timestamps | Adds created_at and updated_at fields to all Neutron \
resources that have Neutron standard attributes. | 2016-09-12T10:00:00-00:00
vlan-transparent | Vlantransparent | Provides Vlan Transparent Networks | 2015-03-23T09:00:00-00:00
"""
