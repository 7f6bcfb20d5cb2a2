"""The API services mounted beside Keystone; each module registers itself here."""

from __future__ import annotations

from .service import Service


def service_classes() -> list[type[Service]]:
    from .compute import Compute
    from .image import Image
    from .loadbalancer import LoadBalancer
    from .network import Network

    return [Network, Compute, Image, LoadBalancer]
