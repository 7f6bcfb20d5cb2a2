"""Create Neutron's tables from its models, then stamp the migrations; run by the Neutron venv's python.

    db_neutron.py CONFIG_DIR

`neutron-db-manage upgrade heads` fails on sqlite ("No support for ALTER of constraints in SQLite"); the
models describe the same head schema, and `stamp heads` records that the migrations are applied.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> None:
    config_dir = Path(sys.argv[1])
    files = [str(config_dir / "neutron.conf"), str(config_dir / "ml2_conf.ini")]
    import configparser

    import sqlalchemy
    from neutron.common import config

    config.register_common_config_options()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(files)
    from neutron.db.migration.models import head
    from neutron_lib.db import model_base

    assert head  # imported for its side effect: every model registers its table
    engine = sqlalchemy.create_engine(parser["database"]["connection"])
    model_base.BASEV2.metadata.create_all(engine)
    engine.dispose()
    manage = Path(sys.executable).with_name("neutron-db-manage")
    subprocess.run([str(manage), *(a for f in files for a in ("--config-file", f)), "stamp", "heads"],
                   check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
