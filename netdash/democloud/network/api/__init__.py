"""Neutron's controllers, one per resource: each parses a request (attrs.py, query.py), calls a rule
(rules/) and renders the view (views.py). They hold no state and call no other controller."""
