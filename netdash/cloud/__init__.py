"""The domain: model dataclasses and snapshots, the openstacksdk client, the poller, the HTTP probe."""
