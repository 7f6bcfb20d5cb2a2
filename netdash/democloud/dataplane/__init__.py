"""The embedded cloud's data plane: what the control plane describes, served for real on loopback.

- a server whose user data installs nginx or Apache answers HTTP on a loopback port of its own
  (`backend`); stopping, rebooting or deleting the server closes it;
- floating IPs and ports on `public` (127.24.4.0/24) are real listeners on their address that forward
  to what the port reaches (`edges`);
- each Octavia listener is a real proxy with the pool's algorithm, weights and admin states (`proxy`,
  `balance`), and health monitors really probe the members (`monitor`);
- the endpoints actually bound are published at `/democloud/endpoints` (`publish`, `democloud/endpoints.py`).

Only a running `DemoCloud` has one (`DemoCloud.start()` starts it, `stop()` closes every socket); the
whole of it lives in one asyncio loop in its own thread (`plane`).
"""

from .plane import DataPlane

__all__ = ["DataPlane"]
