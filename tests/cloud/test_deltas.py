"""`cloud.deltas`: the sending half says exactly what changed, the receiving half keeps everything else."""

from __future__ import annotations

from netdash.cloud.deltas import Deltas, Models


def port(id_: str, name: str = "p", network: str = "n1") -> dict[str, object]:
    return {"id": id_, "name": name, "network_id": network, "fixed_ips": [], "device_id": ""}


def test_only_new_changed_and_removed_bodies_travel() -> None:
    deltas = Deltas()
    first, pending = deltas.compute({"ports": [port("a"), port("b"), {"no": "id"}, "junk"]})
    assert (set(first["ports"].changed), first["ports"].removed, first["ports"].full) == ({"a", "b"}, (), True)
    deltas.commit(pending)

    second, pending = deltas.compute({"ports": [port("a"), port("b", name="renamed"), port("c")]})
    assert (set(second["ports"].changed), second["ports"].removed, second["ports"].full) == ({"b", "c"}, (), False)
    deltas.commit(pending)

    third, _ = deltas.compute({"ports": [port("c")]})
    assert (third["ports"].changed, set(third["ports"].removed)) == ({}, {"a", "b"})


def test_an_uncommitted_delta_is_computed_again() -> None:
    """The receiver never saw it (a fetch whose answer was lost): the next delta still carries it."""
    deltas = Deltas()
    deltas.commit(deltas.compute({"ports": [port("a")]})[1])
    deltas.compute({"ports": [port("a", name="x")]})
    again, _ = deltas.compute({"ports": [port("a", name="x")]})
    assert set(again["ports"].changed) == {"a"}


def test_models_keep_unchanged_objects_and_views() -> None:
    deltas, models = Deltas(), Models()

    def step(bodies: list[dict[str, object]]) -> object:
        delta, pending = deltas.compute({"ports": bodies, "networks": [{"id": "n1", "name": "net"}]})
        models.apply(delta)
        deltas.commit(pending)
        return models.topology(["ports", "networks"], frozenset({"network"}), 1.0)

    one = step([port("a", "zeta"), port("b", "alpha")])
    two = step([port("a", "zeta"), port("b", "alpha")])
    assert two.ports is one.ports and two.networks is one.networks  # type: ignore[attr-defined]
    assert two.ports_of_network("n1") is one.ports_of_network("n1")  # type: ignore[attr-defined]

    three = step([port("a", "zeta"), port("c", "beta")])
    assert list(three.ports) == ["c", "a"]  # type: ignore[attr-defined]  # display order: by name
    assert three.ports["a"] is one.ports["a"]  # type: ignore[attr-defined]
    assert three.networks is one.networks  # type: ignore[attr-defined]
    assert [p.id for p in three.ports_of_network("n1")] == ["c", "a"]  # type: ignore[attr-defined]


def test_a_full_delta_replaces_what_the_models_had() -> None:
    models = Models()
    models.apply(Deltas().compute({"ports": [port("a"), port("b")]})[0])
    models.apply(Deltas().compute({"ports": [port("c")]})[0])  # a new sender knows nothing: full
    assert list(models.topology(["ports"], frozenset(), 0.0).ports) == ["c"]
