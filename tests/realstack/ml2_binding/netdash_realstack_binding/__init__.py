"""realstack's ML2 mechanism driver (installed into the Neutron venv, never imported by netdash)."""
