"""Operations (plan -> execute -> verify -> roll back); no Textual inside, usable from the command line.

Each action is a single-use object built from what the user picked (names or ids): see `actions.base`.
`actions.catalog.CATALOG` lists them all, with the contract each carries. The modules are imported here in
the order of the key bar; `catalog` imports any other module of the package after them.
"""

# The order below is the key bar's (the catalog lists actions as their classes are defined), not isort's.
from .base import (CANCELLED, DISPUTED, DONE, EXIT_STATUS, FAILED, REFUSED, ROLLED_BACK, Action, Plan,  # noqa: I001
                   Progress, Refused, Result)
from .fip import AllocateFloatingIP, AssociateFloatingIP, DisassociateFloatingIP, MoveFloatingIP
from .swap import SwapPorts
from .pool import ChangePoolAlgorithm
from .member import DisableMember, DrainMember, EnableMember, MemberChange
from .server import RebootServer, ServerPower, StartServer, StopServer
from .port import PortAdminState
from .cleanup import DeletePort, DeleteSecurityGroup, ReleaseFloatingIP

__all__ = ["CANCELLED", "DISPUTED", "DONE", "EXIT_STATUS", "FAILED", "REFUSED", "ROLLED_BACK", "Action",
           "AllocateFloatingIP", "AssociateFloatingIP", "ChangePoolAlgorithm", "DeletePort", "DeleteSecurityGroup",
           "DisableMember", "DisassociateFloatingIP", "DrainMember", "EnableMember", "MemberChange", "MoveFloatingIP",
           "Plan", "PortAdminState", "Progress", "RebootServer", "Refused", "ReleaseFloatingIP", "Result",
           "ServerPower", "StartServer", "StopServer", "SwapPorts"]
