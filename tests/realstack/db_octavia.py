"""Create Octavia's tables and lookup rows, then stamp the migrations; run by the Octavia venv's python.

    db_octavia.py CONFIG_FILE

As octavia's own tests/functional/db/base.py does: the alembic migrations cannot run on sqlite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> None:
    config_file = sys.argv[1]
    from octavia.common import config, constants
    from octavia.db import base_models, models
    from oslo_config import cfg

    config.init(["--config-file", config_file])
    import sqlalchemy
    from sqlalchemy.orm import Session

    engine = sqlalchemy.create_engine(cfg.CONF.database.connection)
    base_models.BASE.metadata.create_all(engine)
    lookups = [
        (constants.SUPPORTED_PROVISIONING_STATUSES, models.ProvisioningStatus),
        (constants.SUPPORTED_HEALTH_MONITOR_TYPES, models.HealthMonitorType),
        (constants.SUPPORTED_LB_ALGORITHMS, models.Algorithm),
        (constants.SUPPORTED_PROTOCOLS, models.Protocol),
        (constants.SUPPORTED_OPERATING_STATUSES, models.OperatingStatus),
        (constants.SUPPORTED_SP_TYPES, models.SessionPersistenceType),
        (constants.SUPPORTED_AMPHORA_ROLES, models.AmphoraRoles),
        (constants.SUPPORTED_LB_TOPOLOGIES, models.LBTopology),
        (constants.SUPPORTED_VRRP_AUTH, models.VRRPAuthMethod),
        (constants.SUPPORTED_L7RULE_TYPES, models.L7RuleType),
        (constants.SUPPORTED_L7RULE_COMPARE_TYPES, models.L7RuleCompareType),
        (constants.SUPPORTED_L7POLICY_ACTIONS, models.L7PolicyAction),
        (constants.SUPPORTED_CLIENT_AUTH_MODES, models.ClientAuthenticationMode),
    ]
    nil, deleted = constants.NIL_UUID, "DELETED-PLACEHOLDER"
    with Session(engine) as session, session.begin():
        for names, model in lookups:
            session.add_all(model(name=name) for name in names)
        session.add(models.FlavorProfile(id=nil, name=deleted, provider_name=constants.DELETED, flavor_data="{}"))
        session.flush()
        session.add(models.Flavor(id=nil, flavor_profile_id=nil, name=deleted, enabled=False,
                                  description="Placeholder for DELETED LBs with DELETED flavors"))
        session.add(models.AvailabilityZoneProfile(id=nil, name=deleted, provider_name=constants.DELETED,
                                                   availability_zone_data="{}"))
        session.flush()
        session.add(models.AvailabilityZone(availability_zone_profile_id=nil, name=nil, enabled=False,
                                            description="Placeholder for DELETED LBs with DELETED "
                                                        "availability zones"))
    engine.dispose()
    manage = Path(sys.executable).with_name("octavia-db-manage")
    subprocess.run([str(manage), "--config-file", config_file, "stamp", "head"], check=True,
                   stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
