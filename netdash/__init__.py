"""netdash: a terminal dashboard for OpenStack networking, with an embedded OpenStack cloud.

Everything installs under this one name (`netdash.cloud`, `netdash.tui`, ...): PyPI has distributions
called `tui`, `actions` and `cloud`, and top-level packages of those names could not share an environment
with them. ARCHITECTURE.md describes the layers and the arrows between them.
"""
