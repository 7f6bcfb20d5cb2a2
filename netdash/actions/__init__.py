"""Operations (plan -> execute -> verify -> roll back); no Textual inside, usable from the command line.

Each action is a single-use object built from what the user picked (names or ids): see `actions.base`.
"""

from .base import DONE, EXIT_STATUS, FAILED, REFUSED, ROLLED_BACK, Action, Plan, Progress, Refused, Result
from .fip import AllocateFloatingIP, AssociateFloatingIP, DisassociateFloatingIP, MoveFloatingIP
from .member import MemberChange
from .pool import ALGORITHMS, ChangePoolAlgorithm
from .server import ServerPower
from .swap import SwapPorts

__all__ = ["ALGORITHMS", "DONE", "EXIT_STATUS", "FAILED", "REFUSED", "ROLLED_BACK", "Action",
           "AllocateFloatingIP", "AssociateFloatingIP", "ChangePoolAlgorithm", "DisassociateFloatingIP",
           "MemberChange", "MoveFloatingIP", "Plan", "Progress", "Refused", "Result", "ServerPower", "SwapPorts"]
