"""The same request sequences to the embedded cloud and to real Neutron/Octavia: same status codes,
same response keys, same error types, except the differences DIFFERENCES.md lists with their reasons.

The table must be exact: a difference it does not list fails, and so does a row no run produces any more
(the embedded cloud was fixed, or realstack changed), so the table is always the complete list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from netdash.democloud import DemoCloud, Settings

from .differential import Difference, Outcome, Target, differences, documented, run
from .differential_steps import NOVA_KINDS, STEPS, steps_for
from .support import NO_NOVA, endpoints, has_nova

TABLE = Path(__file__).with_name("DIFFERENCES.md")
KINDS = [step.kind for step in STEPS]


#: realstack's other caller: what keystonemiddleware would tell Neutron about a member of another project
#: (noauth_filter.caller_identity makes Neutron believe it)
REALSTACK_OTHER = {"X-User-Id": "realstack-other", "X-Project-Id": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
                   "X-Roles": "member,reader"}


def token(cloud: DemoCloud, account: str) -> httpx.Response:
    auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": account, "password": cloud.password(account), "domain": {"name": "Default"}}}},
        "scope": {"project": {"name": cloud.cloud_config(account)["auth"]["project_name"],
                              "domain": {"name": "Default"}}}}}
    response = httpx.post(cloud.auth_url.rstrip("/") + "/auth/tokens", json=auth)
    response.raise_for_status()
    return response


def embedded_target(cloud: DemoCloud) -> Target:
    """The embedded cloud as its admin (realstack's noauth requests are admin too); the other caller is
    `alt_demo`, a member of another project."""
    response = token(cloud, "admin")
    catalog = response.json()["token"]["catalog"]
    urls = {s["type"]: next(e["url"] for e in s["endpoints"] if e["interface"] == "public").rstrip("/")
            for s in catalog}
    urls["compute"] = urls["compute"].removesuffix("/v2.1")  # the steps name Nova's version, as on realstack
    other = {"X-Auth-Token": token(cloud, "alt_demo").headers["X-Subject-Token"]}
    return Target("embedded", urls, {"X-Auth-Token": response.headers["X-Subject-Token"]}, other)


@pytest.fixture(scope="module")
def outcomes(realstack: Path) -> Iterator[tuple[dict[str, Outcome], dict[str, Outcome]]]:
    with DemoCloud(seed=False, settings=Settings(provisioning_delay=0.5, build_delay=0.1)) as cloud:
        embedded = embedded_target(cloud)
        real = Target("realstack", endpoints(realstack), other=REALSTACK_OTHER)
        steps = steps_for(has_nova(realstack))
        try:
            yield run(steps, embedded), run(steps, real)
        finally:
            embedded.close()
            real.close()


def test_the_sequences_cover_forty_request_kinds() -> None:
    assert len(set(KINDS)) == len(KINDS), "every request kind is sent once"
    assert len(KINDS) >= 40


def test_the_table_lists_only_request_kinds_that_exist() -> None:
    unknown = {kind for kind, *_ in documented(TABLE)} - set(KINDS)
    assert not unknown


@pytest.mark.parametrize("kind", KINDS)
def test_same_answer_as_real_services_or_documented(
        outcomes: tuple[dict[str, Outcome], dict[str, Outcome]], kind: str) -> None:
    embedded, real = outcomes
    if kind in NOVA_KINDS and kind not in real:
        pytest.skip(NO_NOVA)
    found = {d for d in differences(embedded, real) if d[0] == kind}
    listed = {d for d in documented(TABLE) if d[0] == kind}
    assert found == listed, (
        f"{kind}: embedded {embedded[kind]} vs realstack {real[kind]}\n"
        f"not in {TABLE.name}: {sorted(found - listed)}\nlisted but not seen: {sorted(listed - found)}")


def table_rows(found: set[Difference]) -> str:
    """For whoever updates DIFFERENCES.md: the rows of the differences seen, reasons to be written."""
    return "\n".join(f"| {k} | {a} | `{m}` | `{t}` | ? |" for k, a, m, t in sorted(found))
