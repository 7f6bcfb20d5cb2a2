"""Textual widgets: they take plain `cloud.model` objects and post messages; no openstacksdk inside."""
