"""Small-cell suppression (SPEC §4a): hand-made tables and random ones."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from common.suppression import (
    OUTCOME_THRESHOLD,
    TOTAL,
    TURNOUT_THRESHOLD,
    Cell,
    Rate,
    Relation,
    Table,
    determined,
    display,
    suppress_table,
    table_relations,
)


def hidden_cells(result) -> set[tuple[str, str]]:
    cells = {(TOTAL, m) for m, c in result.total.items() if c.suppressed}
    for row, values in result.groups.items():
        cells |= {(row, m) for m, c in values.items() if c.suppressed}
    return cells


def test_a_count_from_one_to_four_is_hidden_and_zero_and_five_are_not() -> None:
    table = Table(groups={}, total={"a": 0, "b": 1, "c": 4, "d": 5, "e": 30})

    result = suppress_table(table, threshold=TURNOUT_THRESHOLD)

    assert result.total["a"] == Cell(0, False)
    assert result.total["b"] == Cell(None, True)
    assert result.total["c"] == Cell(None, True)
    assert result.total["d"] == Cell(5, False)
    assert result.total["e"] == Cell(30, False)


def test_a_lone_hidden_cell_in_a_row_takes_the_next_smallest_with_it() -> None:
    table = Table(groups={}, total={"a": 3, "b": 12, "c": 7, "d": 40})

    result = suppress_table(table, threshold=TURNOUT_THRESHOLD)

    assert [m for m, c in result.total.items() if c.suppressed] == ["a", "c"]


def test_a_hidden_group_cannot_be_got_back_by_subtracting_from_the_total() -> None:
    table = Table(
        groups={
            "courier": {"booked": 3},
            "food": {"booked": 20},
            "ride": {"booked": 9},
        },
        total={"booked": 32},
    )

    result = suppress_table(table, threshold=TURNOUT_THRESHOLD)

    assert result.groups["courier"]["booked"].suppressed
    # The next-smallest group goes too, the total stays.
    assert result.groups["ride"]["booked"].suppressed
    assert result.groups["food"]["booked"] == Cell(20, False)
    assert result.total["booked"] == Cell(32, False)


def test_a_small_total_hides_its_only_non_zero_group_too() -> None:
    table = Table(
        groups={"a": {"n": 0}, "b": {"n": 2}, "c": {"n": 0}},
        total={"n": 2},
    )

    result = suppress_table(table, threshold=TURNOUT_THRESHOLD)

    assert result.total["n"].suppressed
    assert result.groups["b"]["n"].suppressed


def test_a_rate_is_hidden_when_its_numerator_or_denominator_is() -> None:
    table = Table(
        groups={},
        total={"booked": 40, "checked_in": 3, "no_show": 30},
        rates={
            "turnout_rate": Rate("checked_in", ("booked",)),
            "no_show_rate": Rate("no_show", ("booked",)),
        },
    )

    result = suppress_table(table, threshold=TURNOUT_THRESHOLD)

    assert result.total["turnout_rate"] == Cell(None, True)
    # no_show (30) is the next-smallest of the row, so its rate goes as well.
    assert result.total["no_show_rate"] == Cell(None, True)
    assert result.total["booked"] == Cell(40, False)


def test_a_rate_over_zero_is_no_value_rather_than_hidden() -> None:
    table = Table(
        groups={},
        total={"booked": 0, "checked_in": 0},
        rates={"turnout_rate": Rate("checked_in", ("booked",))},
    )

    result = suppress_table(table, threshold=TURNOUT_THRESHOLD)

    assert result.total["turnout_rate"] == Cell(None, False)
    assert display(result.total["turnout_rate"], threshold=5, rate=True) == "\u2013"


def test_a_declared_row_sum_is_protected_like_a_column_total() -> None:
    table = Table(
        groups={},
        total={"screened": 200, "normal": 150, "recall": 45, "cancer": 5, "x": 11},
        row_relations=[(("screened",), ("normal", "recall", "cancer"))],
    )

    result = suppress_table(table, threshold=OUTCOME_THRESHOLD)

    hidden = {m for m, c in result.total.items() if c.suppressed}
    assert "cancer" in hidden
    assert len(hidden & {"screened", "normal", "recall", "cancer"}) >= 2


def test_cells_hidden_in_pairs_can_still_be_pinned_across_relations() -> None:
    # x + y = 10 and y = 4 fix both: the audit must notice x.
    relations = [
        Relation(left=(("r", "t"),), right=(("r", "x"), ("r", "y"))),
        Relation(left=(("s", "t"),), right=(("r", "y"),)),
    ]

    pinned = determined({("r", "x"), ("r", "y")}, relations)

    assert pinned == {("r", "x"), ("r", "y")}


def test_display_shows_the_threshold_for_hidden_cells_and_percent_for_rates() -> None:
    assert display(Cell(None, True), threshold=5) == "<5"
    assert display(Cell(None, True), threshold=10) == "<10"
    assert display(Cell(0.4215, False), threshold=5, rate=True) == "42.1%"
    assert display(Cell(12, False), threshold=5) == "12"


# --- Random tables: nothing between 1 and threshold - 1 can be read or derived.


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank by plain Gaussian elimination: deliberately not the module's code."""
    matrix = [list(r) for r in rows]
    rank, columns = 0, len(matrix[0]) if matrix else 0
    for col in range(columns):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(len(matrix)):
            if i != rank and matrix[i][col] != 0:
                factor = matrix[i][col] / matrix[rank][col]
                matrix[i] = [
                    a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)
                ]
        rank += 1
    return rank


def derivable(hidden: set, relations: list[Relation]) -> set:
    """Hidden cells fixed by the relations: e_i lies in the row space."""
    unknowns = sorted(hidden)
    rows = []
    for relation in relations:
        row = [Fraction(0)] * len(unknowns)
        for sign, cells in ((1, relation.left), (-1, relation.right)):
            for cell in cells:
                if cell in hidden:
                    row[unknowns.index(cell)] += sign
        if any(row):
            rows.append(row)
    if not rows:
        return set()
    base = _rank(rows)
    found = set()
    for i, cell in enumerate(unknowns):
        unit = [Fraction(int(j == i)) for j in range(len(unknowns))]
        if _rank([*rows, unit]) == base:
            found.add(cell)
    return found


small_counts = st.one_of(st.just(0), st.integers(1, 12), st.integers(13, 400))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    measures = draw(
        st.lists(st.sampled_from("abcdef"), min_size=1, max_size=5, unique=True)
    )
    groups = draw(
        st.lists(
            st.fixed_dictionaries(dict.fromkeys(measures, small_counts)),
            min_size=0,
            max_size=8,
        )
    )
    group_rows = {f"g{i}": row for i, row in enumerate(groups)}
    total = {m: sum(g[m] for g in groups) for m in measures}
    if not groups:
        total = {m: draw(small_counts) for m in measures}
    with_relation = len(measures) >= 3 and draw(st.booleans())
    relations = [((measures[0],), tuple(measures[1:3]))] if with_relation else []
    if with_relation:
        # Make the declared sum true in every row, as a real one would be.
        for row in (total, *group_rows.values()):
            row[measures[0]] = row[measures[1]] + row[measures[2]]
    rates = {"rate": Rate(measures[-1], (measures[0],))}
    return Table(groups=group_rows, total=total, row_relations=relations, rates=rates)


@settings(max_examples=100, deadline=None)
@given(
    table=tables(), threshold=st.sampled_from([TURNOUT_THRESHOLD, OUTCOME_THRESHOLD])
)
def test_no_small_count_can_be_read_or_derived_from_a_published_table(
    table: Table, threshold: int
) -> None:
    result = suppress_table(table, threshold=threshold)
    rows = {TOTAL: table.total, **table.groups}
    published = {TOTAL: result.total, **result.groups}
    hidden = hidden_cells(result)

    for row, values in rows.items():
        for measure, value in values.items():
            cell = published[row][measure]
            # Read: a small count is never printed; a printed count is the truth.
            if 0 < value < threshold:
                assert cell.suppressed
            if not cell.suppressed:
                assert cell.value == value
        # The SPEC's row rule: never exactly one hidden count in a row (a row of
        # one count has nothing to hide beside it).
        if len(values) > 1:
            assert sum((row, m) in hidden for m in values) != 1

    # Derived by subtraction: a column total minus every other published cell.
    for measure in table.total:
        if table.groups and all(measure in g for g in table.groups.values()):
            column = [(TOTAL, measure), *((g, measure) for g in table.groups)]
            assert sum(cell in hidden for cell in column) != 1

    # Derived by any combination of the sums a reader knows.
    small = {
        (row, m)
        for row, values in rows.items()
        for m, v in values.items()
        if 0 < v < threshold
    }
    assert not (derivable(hidden, table_relations(table)) & small)

    # A published rate never sits on a hidden side.
    rate = table.rates["rate"]
    for values in published.values():
        if not values["rate"].suppressed:
            assert not values[rate.numerator].suppressed
            assert not any(values[part].suppressed for part in rate.denominator)


@st.composite
def turnout_tables(draw: st.DrawFn) -> Table:
    """Tables shaped like the turnout report: statuses add up inside each group,
    groups add up to the totals, and booked = quota_used + no_show overall."""
    groups = {}
    for i in range(draw(st.integers(1, 7))):
        waiting, arrived, screened, no_show, cancelled = (
            draw(small_counts) for _ in range(5)
        )
        groups[f"g{i}"] = {
            "registered": draw(small_counts),
            "booked": waiting + arrived + screened + no_show,
            "checked_in": arrived + screened,
            "screened": screened,
            "no_show": no_show,
            "cancelled": cancelled,
        }
    total = {m: sum(g[m] for g in groups.values()) for m in groups["g0"]}
    total["quota_used"] = total["booked"] - total["no_show"]
    return Table(
        groups=groups,
        total=total,
        row_relations=[(("booked",), ("quota_used", "no_show"))],
        rates={
            "turnout_rate": Rate("checked_in", ("booked",)),
            "no_show_rate": Rate("no_show", ("booked",)),
        },
    )


@settings(max_examples=100, deadline=None)
@given(table=turnout_tables())
def test_a_turnout_table_lets_no_count_from_one_to_four_be_derived(
    table: Table,
) -> None:
    result = suppress_table(table, threshold=TURNOUT_THRESHOLD)
    hidden = hidden_cells(result)
    rows = {TOTAL: table.total, **table.groups}
    small = {
        (row, m)
        for row, values in rows.items()
        for m, v in values.items()
        if 0 < v < TURNOUT_THRESHOLD
    }

    assert small <= hidden
    assert not (derivable(hidden, table_relations(table)) & small)
    # Subtracting every other published group from a published total.
    for measure in table.groups["g0"]:
        column = [(TOTAL, measure), *((g, measure) for g in table.groups)]
        assert sum(cell in hidden for cell in column) != 1
    for row, values in {TOTAL: result.total, **result.groups}.items():
        for rate, parts in (
            ("turnout_rate", ("checked_in", "booked")),
            ("no_show_rate", ("no_show", "booked")),
        ):
            if not values[rate].suppressed:
                assert not any((row, p) in hidden for p in parts)
