"""The configurator on the demo ranges: states, reasons, changes and undo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dealer_tui.catalog.configurator import (
    Choice,
    Configuration,
    ConfiguratorEngine,
    OptionBlocked,
    OptionState,
)
from dealer_tui.catalog.rules import (
    Cardinality,
    Catalogue,
    Excludes,
    Family,
    Option,
    Requires,
    Rule,
    TruckModel,
    Unavailable,
)
from dealer_tui.core.errors import NotFound, Refused

from .support import DAY, load_demo, rule_holds


def start(range_file: str, model: str, on: date = DAY) -> Configuration:
    """A fresh configuration of a demo model on a date."""
    catalogue = load_demo(range_file)
    return Configuration.start(ConfiguratorEngine(catalogue, model, on))


def assert_valid(config: Configuration, truck: tuple[str, ...]) -> None:
    """The truck keeps every rule in force and every choice made."""
    engine = config.engine
    carried = frozenset(truck)
    for rule in engine.rules:
        assert rule_holds(rule, carried, engine.catalogue), rule
    for choice in config.choices:
        assert (choice.option in carried) == choice.include


def test_fresh_fh_prime_mover_shows_defaults_and_unavailable_options() -> None:
    """With no choice, the FH prime mover carries its defaults (D13K460 with
    the ATO2612F gearbox, 6x4 on air) and the FH16 engines are blocked."""
    config = start("volvo-fh.txt", "FH-PM")
    assert config.status("D13K460").state is OptionState.DEFAULT
    assert config.status("ATO2612F").state is OptionState.DEFAULT
    assert config.status("AX-6X4").state is OptionState.DEFAULT
    assert config.status("D17A780").state is OptionState.BLOCKED
    assert config.status("D13K540").state is OptionState.SELECTABLE
    assert config.open_families() == ()
    assert config.is_complete
    assert_valid(config, config.included())


def test_high_power_engine_blocks_the_light_gearbox() -> None:
    """Choosing the 540 hp engine blocks the 2,600 Nm gearbox, names the
    compatibility row and the choice, and leaves the gearbox family open
    because its default no longer fits."""
    config = start("volvo-fh.txt", "FH-PM").choose("D13K540")
    status = config.status("ATO2612F")
    assert status.state is OptionState.BLOCKED
    assert not status.available
    explanation = config.explain("ATO2612F")
    assert explanation is not None
    assert explanation.choices == (Choice("D13K540"),)
    assert explanation.text() == (
        "Gearbox: a truck has exactly one. Engine D13K540 goes only with gearbox "
        "ATO3112F, ATO3612F, ATO3112D or ATO3612C. You chose engine D13K540. "
        "So gearbox ATO2612F cannot be fitted."
    )
    assert config.open_families() == ("GEARBOX",)
    assert not config.is_complete


def test_freeing_change_gives_up_the_engine_and_can_be_accepted() -> None:
    """The smallest change that frees ATO2612F is giving up D13K540; accepting
    it fits the gearbox, brings back the default engine, and undo restores
    the engine choice."""
    config = start("volvo-fh.txt", "FH-PM").choose("D13K540")
    change = config.freeing_change("ATO2612F")
    assert change is not None
    assert change.give_up == (Choice("D13K540"),)
    assert change.smallest
    assert change.sentence == (
        "To fit gearbox ATO2612F, give up your choice: engine D13K540"
    )
    freed = config.accept(change)
    assert freed.choices == (Choice("ATO2612F"),)
    assert freed.status("ATO2612F").state is OptionState.CHOSEN
    assert freed.status("D13K460").state is OptionState.DEFAULT
    assert freed.undo().choices == (Choice("D13K540"),)


def test_choosing_in_a_one_option_family_replaces_the_earlier_choice() -> None:
    """With D13K500 chosen, D13K540 is selectable and choosing it replaces
    D13K500 rather than adding to it."""
    config = start("volvo-fh.txt", "FH-PM").choose("D13K500")
    assert config.status("D13K540").state is OptionState.SELECTABLE
    config = config.choose("D13K540")
    assert config.choices == (Choice("D13K540"),)
    assert config.status("D13K500").state is OptionState.SELECTABLE


def test_replacement_that_does_not_fit_is_blocked() -> None:
    """With the dual-clutch gearbox and a gearbox PTO wanted elsewhere, the
    engine family still offers D13 engines but the gearbox family blocks
    ATO3112D once PTO-GB1 is chosen, naming the exclusion."""
    config = start("volvo-fh.txt", "FH-PM").choose("PTO-GB1")
    assert config.status("ATO3112D").state is OptionState.BLOCKED
    explanation = config.explain("ATO3112D")
    assert explanation is not None
    assert explanation.sentences[0] == (
        "Gearbox ATO3112D excludes power take-off PTO-GB1 and PTO-GB2"
    )


def test_blocked_choice_is_refused_with_the_reason() -> None:
    """Choosing a blocked option raises OptionBlocked whose message is the
    explanation, and the configuration is unchanged."""
    config = start("volvo-fh.txt", "FH-PM").choose("SUS-LEAF")
    with pytest.raises(OptionBlocked) as refused:
        config.choose("AX-6X4")
    assert "Axle configuration AX-6X4 requires rear suspension" in str(refused.value)
    assert "You chose rear suspension SUS-LEAF" in str(refused.value)
    assert config.choices == (Choice("SUS-LEAF"),)


def test_forced_option_names_the_chain_and_the_choices() -> None:
    """On the FH rigid, a crane body with the dual-clutch gearbox forces the
    engine PTO: the crane needs a PTO and the gearbox excludes both gearbox
    PTOs."""
    config = start("volvo-fh.txt", "FH-RG").choose("BP-CRANE").choose("ATO3112D")
    assert config.status("PTO-EG").state is OptionState.FORCED
    explanation = config.explain("PTO-EG")
    assert explanation is not None
    assert explanation.state is OptionState.FORCED
    assert set(explanation.choices) == {Choice("BP-CRANE"), Choice("ATO3112D")}
    assert explanation.sentences[-1] == "So power take-off PTO-EG must be fitted"
    assert config.family_state("PTO").included == ("PTO-EG",)


def test_refuse_body_forces_the_automatic_and_blocks_big_engines() -> None:
    """An FM rigid with refuse preparation forces the Allison gearbox, its PTO
    and the low-entry cab, and blocks D13K500, which goes only with the
    I-Shift, through a chain of three rules."""
    config = start("volvo-fm.txt", "FM-RG").choose("BP-REFUSE")
    forced = {c for c, s in config.statuses.items() if s.state is OptionState.FORCED}
    assert {"AL4500", "PTO-AL", "CAB-DAYL"} <= forced
    explanation = config.explain("D13K500")
    assert explanation is not None
    assert len(explanation.rules) == 3
    assert explanation.choices == (Choice("BP-REFUSE"),)


def test_electric_truck_never_carries_fuel_tanks() -> None:
    """On the FH Electric every fuel tank is blocked by rules alone, so the
    reason names no choice and no change of choices can free it."""
    config = start("volvo-fh.txt", "FH-EL")
    assert config.status("FT-600").state is OptionState.BLOCKED
    explanation = config.explain("FT-600")
    assert explanation is not None
    assert explanation.choices == ()
    assert (
        explanation.sentences[-1]
        == "So fuel tanks FT-600 can never be fitted on this model"
    )
    assert config.freeing_change("FT-600") is None
    assert config.family_state("FUEL").included == ()
    assert config.status("AT-EL").state is OptionState.FORCED


def test_rules_follow_the_date_the_engine_is_built_for() -> None:
    """The Anthem's crawler gearbox is blocked before April 2026 and selectable
    after; the FH rigid's D13K460 default stops applying in 2027."""
    early = start("mack-anthem.txt", "AN-LH", date(2026, 3, 31))
    late = start("mack-anthem.txt", "AN-LH", date(2026, 4, 1))
    assert early.status("MD14").state is OptionState.BLOCKED
    assert late.status("MD14").state is OptionState.SELECTABLE
    rigid_2027 = start("volvo-fh.txt", "FH-RG", date(2027, 1, 1))
    assert rigid_2027.status("D13K460").state is OptionState.BLOCKED
    assert rigid_2027.open_families() == ("ENGINE",)


def test_default_gives_way_to_a_choice_elsewhere() -> None:
    """On the Anthem, the steel bullbar blocks the default Wingman system,
    which is then neither default nor carried."""
    config = start("mack-anthem.txt", "AN-LH")
    assert config.status("SF-WING").state is OptionState.DEFAULT
    config = config.choose("BB-STEEL")
    assert config.status("SF-WING").state is OptionState.BLOCKED
    assert "SF-WING" not in config.included()


def test_decline_and_withdraw() -> None:
    """Leaving out the default lane keeping marks it declined and not carried;
    withdrawing that choice brings the default back."""
    config = start("volvo-fh.txt", "FH-PM").decline("SF-LKA")
    assert config.status("SF-LKA").state is OptionState.DECLINED
    assert config.status("SF-LKA").available
    assert "SF-LKA" not in config.included()
    back = config.withdraw("SF-LKA")
    assert back.status("SF-LKA").state is OptionState.DEFAULT


def test_declining_a_forced_option_is_refused() -> None:
    """The emergency brake cannot be left out once adaptive cruise is chosen."""
    config = start("volvo-fh.txt", "FH-PM").choose("SF-ACC")
    assert config.status("SF-AEB").state is OptionState.FORCED
    with pytest.raises(OptionBlocked, match="requires safety systems SF-AEB"):
        config.decline("SF-AEB")


def test_undo_walks_back_one_step_at_a_time() -> None:
    """Three steps undo in reverse order, and undo with no history is refused."""
    config = start("volvo-fh.txt", "FH-PM")
    steps = config.choose("CAB-GTXL").choose("D13K500").decline("SF-LKA")
    assert steps.undo().choices == (Choice("CAB-GTXL"), Choice("D13K500"))
    assert steps.undo().undo().choices == (Choice("CAB-GTXL"),)
    assert not steps.undo().undo().undo().can_undo
    with pytest.raises(Refused):
        config.undo()


def test_completed_truck_keeps_choices_defaults_and_rules() -> None:
    """With the gearbox family open after choosing D13K540, the completed truck
    picks its first gearbox that fits (ATO3112F), keeps the defaults, and
    carries no unrequested extra."""
    config = start("volvo-fh.txt", "FH-PM").choose("D13K540")
    truck = config.completed()
    assert "ATO3112F" in truck
    assert "CAB-GT" in truck
    assert "SF-ACC" not in truck
    assert_valid(config, truck)


def test_unknown_model_and_option_are_named() -> None:
    """An unknown model or option code raises NotFound naming it."""
    catalogue = load_demo("volvo-fh.txt")
    with pytest.raises(NotFound, match="no model FX-9"):
        ConfiguratorEngine(catalogue, "FX-9", DAY)
    config = Configuration.start(ConfiguratorEngine(catalogue, "FH-PM", DAY))
    with pytest.raises(NotFound, match="no option NOPE"):
        config.choose("NOPE")


def test_stale_change_is_refused() -> None:
    """A change offered before the choices changed cannot be accepted after."""
    config = start("volvo-fh.txt", "FH-PM").choose("D13K540")
    change = config.freeing_change("ATO2612F")
    assert change is not None
    later = config.choose("D13K500")
    with pytest.raises(Refused):
        later.accept(change)


def _tiny(*rules: Rule) -> Configuration:
    """A configuration of a tiny catalogue: extras A, B, T, Z1, Z2 (any number)
    and a one-option family Q (Q1, Q2)."""
    extras = ("A", "B", "T", "Z1", "Z2")
    families = (
        Family("X", "Extras", Cardinality.ANY, extras),
        Family("Q", "Quality", Cardinality.EXACTLY_ONE, ("Q1", "Q2")),
    )
    options = tuple(
        Option(code, code, family.code, Decimal(0))
        for family in families
        for code in family.options
    )
    catalogue = Catalogue(
        "T",
        "Tiny",
        "Tiny make",
        "AUD",
        (TruckModel("M", "Model", Decimal(1)),),
        families,
        options,
        rules,
    )
    return Configuration.start(ConfiguratorEngine(catalogue, "M", DAY))


def test_change_may_need_two_choices_given_up() -> None:
    """T excludes A and Q1; with A and Q1 chosen, freeing T gives up both."""
    config = _tiny(Excludes("T", ("A", "Q1"))).choose("A").choose("Q1")
    change = config.freeing_change("T")
    assert change is not None
    assert change.give_up == (Choice("A"), Choice("Q1"))
    assert config.accept(change).choices == (Choice("T"),)


def test_change_prefers_giving_up_the_latest_choice() -> None:
    """T needs Z1 or Z2; Z1 excludes A and Z2 excludes B. With A then B chosen,
    either one frees T, and the later choice, B, is the one offered."""
    config = (
        _tiny(
            Requires("T", ("Z1", "Z2")),
            Excludes("Z1", ("A",)),
            Excludes("Z2", ("B",)),
        )
        .choose("A")
        .choose("B")
    )
    assert config.status("T").state is OptionState.BLOCKED
    change = config.freeing_change("T")
    assert change is not None
    assert change.give_up == (Choice("B"),)
    explanation = config.explain("T")
    assert explanation is not None
    assert [rule.sentence(config.engine.names) for rule in explanation.rules] == [
        "Extras T requires extras Z1 or Z2",
        "Extras Z1 excludes extras A",
        "Extras Z2 excludes extras B",
    ]
    assert explanation.choices == (Choice("A"), Choice("B"))


def test_change_that_replaces_a_family_choice_says_so() -> None:
    """With Q2 then A chosen, Q1 is blocked because A excludes it; the change
    gives up A and says that Q1 then replaces Q2."""
    config = _tiny(Excludes("A", ("Q1",))).choose("Q2").choose("A")
    change = config.freeing_change("Q1")
    assert change is not None
    assert change.give_up == (Choice("A"),)
    assert change.replaces == Choice("Q2")
    assert change.sentence.endswith("(quality Q1 replaces quality Q2)")
    assert config.accept(change).choices == (Choice("Q1"),)


def test_model_with_no_valid_truck_blocks_everything() -> None:
    """When T is both needed (Q1 requires T, and Q1 is the only quality left)
    and unavailable, no truck exists and every option reads blocked."""
    config = _tiny(
        Unavailable(("Q2", "T")),
        Requires("Q1", ("T",)),
    )
    assert not config.engine.consistent
    assert all(s.state is OptionState.BLOCKED for s in config.statuses.values())
    with pytest.raises(OptionBlocked):
        config.choose("A")


def test_restore_replays_saved_choices_on_newer_rules() -> None:
    """A rigid quoted in 2026 with D13K460 and the crane body reopens in 2027
    with the crane kept and D13K460 refused, since it leaves the rigid's list
    then; the engine family is open again."""
    saved = (Choice("D13K460"), Choice("BP-CRANE"), Choice("SF-LKA", include=False))
    catalogue = load_demo("volvo-fh.txt")
    engine = ConfiguratorEngine(catalogue, "FH-RG", date(2027, 1, 1))
    config, refused = Configuration.restore(engine, saved)
    assert refused == (Choice("D13K460"),)
    assert config.choices == (Choice("BP-CRANE"), Choice("SF-LKA", include=False))
    assert config.open_families() == ("ENGINE",)


def test_no_completed_truck_when_rules_contradict() -> None:
    """With no valid truck possible, asking for a completed truck is refused and
    the configuration is never complete."""
    config = _tiny(Unavailable(("Q1", "Q2")))
    assert not config.is_complete
    with pytest.raises(Refused, match="no valid Model can be built"):
        config.completed()
