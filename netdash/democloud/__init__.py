"""The embedded OpenStack cloud: Keystone v3, Neutron v2.0, Nova v2.1, Glance v2 and Octavia v2 on loopback.

It imports nothing of netdash: it is a separate program that only speaks HTTP.
"""

from .app import Cloud
from .launcher import CLOUD_NAME, DemoCloud, NotLoopback
from .runtime import Settings

__all__ = ["CLOUD_NAME", "Cloud", "DemoCloud", "NotLoopback", "Settings"]
