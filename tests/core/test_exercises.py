"""Exercises: every solution passes, known mistakes get their hints, nothing raises.

The solutions are computed by the core; here they are also checked against
independent answers worked by hand (or with scipy), so a checker that
agrees with a broken core still fails.
"""

import re

import numpy as np
import pytest
from scipy import signal

from meia_cnn import exercises as ex
from meia_cnn.exercises import EXERCISES, check, for_notebook, get, nb02, nb07, nb09, solution, solution_text
from meia_cnn.exercises._model import _text

IDS = list(EXERCISES)


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_solution_is_correct(exercise_id):
    feedback = check(exercise_id, solution(exercise_id))
    assert feedback.correct, feedback.message
    assert feedback.status == "correct"
    assert feedback.message.startswith("Correct")
    assert bool(feedback) is True


@pytest.mark.parametrize("exercise_id", IDS)
def test_an_unanswered_exercise_waits_and_raises_nothing(exercise_id):
    feedback = check(exercise_id, ...)
    assert feedback.status == "waiting"
    assert not feedback.correct
    assert "Waiting for an answer" in feedback.message and exercise_id in feedback.message


NEUTRAL = "more than one usual mistake gives this number"


def _hint_cases(exercise_id, variants):
    """(variant, params, value, its mistakes' hints, every other mistake's hint) for each known mistake."""
    exercise = get(exercise_id)
    for k in variants:
        p = exercise.params(k)
        sol = exercise.solve(p)
        mistakes = [(wrong(p), _text(hint, p)) for wrong, hint in exercise.mistakes]
        for value, _hint in mistakes:
            if np.shape(value) == np.shape(sol) and np.allclose(value, sol):
                assert k == 0, (exercise_id, k, "a drawn variant's mistake equals its solution")
                continue  # variant 0's numbers are the notebook's: that mistake is right there
            same = {h for v, h in mistakes if np.shape(v) == np.shape(value) and np.allclose(v, value)}
            others = {h for v, h in mistakes if h not in same}
            yield k, p, value, same, others


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_known_mistake_gets_its_own_hint_in_every_variant(exercise_id):
    """A mistake's number gets that mistake's hint (a neutral one when two mistakes give it), never another's."""
    for k, p, value, same, others in _hint_cases(exercise_id, VARIANTS):
        feedback = check(exercise_id, value, variant=k)
        assert feedback.status == "wrong" and feedback.message.startswith("Not yet: "), (exercise_id, k, feedback)
        if len(same) == 1:
            assert next(iter(same)) in feedback.message, (exercise_id, k, p, feedback)
        else:
            assert NEUTRAL in feedback.message and not any(h in feedback.message for h in same), (exercise_id, k)
        wrongly = [h for h in others if h in feedback.message and not any(h in s for s in same)]
        assert not wrongly, (exercise_id, k, p, value, feedback, wrongly)


@pytest.mark.parametrize("exercise_id", IDS)
def test_solution_text_shows_the_computed_answer(exercise_id):
    text = solution_text(exercise_id)
    sol = solution(exercise_id)
    assert text.strip()
    if isinstance(sol, (int, np.integer)) and not isinstance(sol, bool):
        assert f"{sol:,}".replace(",", "{,}") in text or str(sol) in text
    elif isinstance(sol, tuple):
        assert str(sol[0]) in text and str(sol[2]) in text


@pytest.mark.parametrize("exercise_id", IDS)
def test_garbage_answers_are_read_as_invalid_or_wrong_never_raise(exercise_id):
    for garbage in ("abc", None, [1, 2], {"x": 1}, float("nan"), True, -7, [[1, 2, 3]]):
        feedback = check(exercise_id, garbage)
        assert feedback.status in ("invalid", "wrong"), (garbage, feedback)
        assert not feedback.correct


def test_each_notebook_has_two_to_four_exercises():
    for number in range(0, 9):
        assert 2 <= len(for_notebook(number)) <= 4, number
    assert len(for_notebook(9)) >= 4
    assert [e.id for e in for_notebook("00")] == ["00.numbers", "00.kernel_numbers"]


# -- independent answers ------------------------------------------------------
def test_solutions_match_hand_worked_answers():
    # the slides' table, worked by hand with equation (3)
    assert solution("04.shape_table") == {
        "valid/1": ((28 - 3) // 1 + 1,) * 2 + (8,),
        "same/1": (28, 28, 8),
        "valid/2": ((28 - 3) // 2 + 1,) * 2 + (8,),
    }
    assert solution("01.conv_params") == (5 * 5 * 3 + 1) * 12 == 912
    assert solution("01.dense_params") == 3072 * (28 * 28 * 12) + 28 * 28 * 12
    assert solution("03.feature_map") == (60, 60, 10)
    assert solution("03.layer_params") == 760
    assert solution("04.output_size") == (15 - 3) // 2 + 1 == 7
    assert solution("04.same_zeros") == 4
    assert solution("05.pool_shape") == (15, 15, 16)
    assert solution("05.pool_params") == 0
    assert solution("06.one_by_one_params") == 192 * 16 + 16
    assert solution("06.inception_depth") == 128 + 192 + 96 + 64 == 480  # Szegedy et al., Table 1, (3b)
    assert solution("06.saving") == 28 * 28 * 32 * 5 * 5 * 192
    assert solution("07.flatten") == 4 * 4 * 16
    assert solution("07.model_params") == (9 + 1) * 8 + (72 + 1) * 16 + 256 * 10 + 10
    assert solution("08.lenet_c1") == (24, 24, 6)
    assert solution("08.alexnet_conv1") == ((195 - 11) // 4 + 1,) * 2 + (96,) == (47, 47, 96)
    assert solution("08.vgg_field") == 7
    assert solution("09.same_stride2") == (16, 16, 16)
    assert solution("09.chain") == (4, 4, 16)
    assert solution("09.params") == (9 * 16 + 1) * 32
    assert solution("09.pool_stride") == 27
    assert solution("09.macs") == 14 * 14 * 64 * 3 * 3 * 32
    assert solution("09.field_pool") == 1 + 2 + 1 + 2 * 2
    assert solution("01.shift") == 5
    assert solution("00.numbers") == 28 * 28 * 3
    assert solution("00.kernel_numbers") == 27


def test_convolution_exercises_match_scipy():
    assert solution("09.correlation") == pytest.approx(
        signal.correlate2d(nb09.PATCH_09, nb09.KERNEL_09, mode="valid")[0, 0]
    )
    assert solution("02.one_value") == pytest.approx(
        signal.convolve2d(nb02.PATCH_02, nb02.KERNEL_02, mode="valid")[0, 0]
    )
    np.testing.assert_allclose(
        solution("02.output_map"), signal.convolve2d(nb02.IMAGE_02, nb02.KERNEL_02, mode="valid")
    )
    # cross-correlating with the answer to 02.flip is convolving with K
    picture = np.random.default_rng(3).random((6, 7))
    np.testing.assert_allclose(
        signal.correlate2d(picture, solution("02.flip"), mode="valid"),
        signal.convolve2d(picture, nb02.KERNEL_02_FLIP, mode="valid"),
    )


def test_max_pool_exercise_by_hand():
    np.testing.assert_array_equal(solution("05.max_values"), [[4, 6], [2, 5]])


def test_notebook_07_counts_match_the_trainable_model():
    nn = pytest.importorskip("meia_cnn.nn")
    model = nn.reference_model()
    # the notebook prints this model's summary, so the exercises ask about larger digits
    assert model.n_params == nb07._ref_params() == (9 + 1) * 8 + (72 + 1) * 16 + 64 * 10 + 10
    assert model.output_shapes[-2] == (nb07._ref_flat(),)
    assert solution("07.model_params") != model.n_params


def test_notebook_08_exercises_ask_other_numbers_than_the_tables():
    arch = pytest.importorskip("meia_cnn.architectures")
    c1 = arch.summary("lenet5")["C1"].output_shape
    conv1 = arch.summary("alexnet")["conv1"].output_shape
    assert c1 == (28, 28, 6) and conv1 == (55, 55, 96)
    assert solution("08.lenet_c1") != c1 and solution("08.alexnet_conv1") != conv1


# -- specific hints -------------------------------------------------------------
def test_shape_table_hints_row_by_row():
    fb = check("04.shape_table", {"valid/1": (26, 26, 3), "same/1": (28, 28, 8), "valid/2": (14, 14, 8)})
    assert fb.status == "wrong"
    assert fb.message.startswith("1 of 3 rows right.")
    assert "width and height are right; the depth equals the number of kernels" in fb.message
    assert "round down" in fb.message
    fb = check("04.shape_table", [(28, 28, 8), (26, 26, 8), (12, 12, 8)])
    assert "'same' padding" in fb.message and "'valid' size" in fb.message
    assert "adds 1 after the division" in fb.message


def test_shape_table_partial_answers_wait_for_the_rest():
    fb = check("04.shape_table", {"valid/1": (26, 26, 8)})
    assert fb.status == "waiting" and "valid, stride 1: correct" in fb.message
    assert "same, stride 1: waiting" in fb.message
    fb = check("04.shape_table", {"valid/1": (26, 26, 8), "same/1": (..., ..., ...), "valid/2": (13, 13, 8)})
    assert fb.status == "waiting" and fb.message.startswith("2 of 3 rows right.")


def test_shape_table_rejects_unknown_rows_and_bad_rows():
    fb = check("04.shape_table", {"valid/3": (1, 1, 1)})
    assert fb.status == "invalid" and "'valid/3'" in fb.message
    fb = check("04.shape_table", [(26, 26), (28, 28, 8), (13, 13, 8)])
    assert not fb.correct and "give 3 numbers" in fb.message
    assert check("04.shape_table", "26, 28, 13").status == "invalid"


def test_structural_hints_for_shapes():
    assert "width and height are right" in check("03.feature_map", (60, 60, 7)).message
    assert "the depth is right" in check("03.feature_map", (59, 59, 10)).message
    assert "one side" in check("03.feature_map", (60, 61, 10)).message
    assert "the depth is right" in check("05.pool_shape", (12, 12, 16)).message


def test_the_feature_map_hint_says_the_width_loses_k_minus_1_in_total():
    message = check("03.feature_map", (64, 64, 10)).message
    assert "loses K − 1 positions in total" in message and "each side loses" not in message


def test_answers_of_other_types_are_accepted_when_equal():
    assert check("04.output_size", np.int64(7)).correct
    assert check("04.output_size", 7.0).correct
    assert check("03.feature_map", [60, 60, 10]).correct
    assert check("03.feature_map", np.array([60, 60, 10])).correct
    assert check("05.max_values", np.array([[4, 6], [2, 5]])).correct
    assert check("02.one_value", 4).correct


def test_unreadable_answers_say_what_is_expected():
    assert "whole number" in check("04.output_size", 6.5).message
    assert "give 3 numbers" in check("03.feature_map", (60, 60)).message
    assert "shape (2, 2)" in check("05.max_values", [1, 2, 3]).message


def test_unknown_exercise_is_a_value_error_naming_the_known_ones():
    with pytest.raises(ValueError, match=r"`exercise_id` must be one of .*04\.shape_table.*got 'nope'"):
        check("nope", 1)
    with pytest.raises(ValueError, match="exercise_id"):
        get(None)


def test_feedback_displays_as_text_and_html():
    fb = check("04.output_size", 7)
    assert repr(fb) == str(fb) == fb.message
    assert 'class="meia-feedback"' in fb._repr_html_() and "Correct" in fb._repr_html_()


def test_ids_follow_the_notebook_numbers():
    for exercise_id, exercise in EXERCISES.items():
        number, _, name = exercise_id.partition(".")
        assert re.fullmatch(r"\d\d[a-z]?", number) and name  # 04b follows 04
        assert exercise.notebook == number
        assert exercise.template.startswith("answer = ")


# -- variants: new numbers for every exercise -------------------------------------
VARIANTS = range(61)  # 0: the notebook's numbers; 1-60: new ones


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_variant_is_solved(exercise_id):
    for k in VARIANTS:
        assert check(exercise_id, solution(exercise_id, variant=k), variant=k).correct, (exercise_id, k)
        assert check(exercise_id, ..., variant=k).status == "waiting"


@pytest.mark.parametrize("exercise_id", IDS)
def test_variants_are_reproducible_and_differ_from_each_other(exercise_id):
    exercise = get(exercise_id)
    prompts = [exercise.prompt(k) for k in range(0, 21)]
    assert prompts == [exercise.prompt(k) for k in range(0, 21)]
    assert len(set(prompts)) >= 4, f"{exercise_id}: too few distinct variants"
    assert prompts[0] == ex.prompt(exercise_id)
    text = solution_text(exercise_id, variant=7)
    assert text and text == solution_text(exercise_id, variant=7)


def test_variants_are_drawn_from_a_hash_not_from_the_process():
    # sha256 of the key: the same on every machine, in every process, with any numpy
    assert ex.Draw("04.output_size/1/0").integer(0, 10**6) == ex.Draw("04.output_size/1/0").integer(0, 10**6)
    assert ex.Draw("a").integer(0, 2**63) == int.from_bytes(
        __import__("hashlib").sha256(b"a#0").digest()[:8], "big"
    ) % (2**63 + 1)
    assert solution("04.shape_table", variant=3) == {
        "valid/1": (16, 16, 25),
        "same/1": (18, 18, 25),
        "valid/2": (8, 8, 25),
    }


def test_table_variants_keep_the_row_hints():
    for k in range(1, 41):
        p = get("04.shape_table").params(k)
        sol = solution("04.shape_table", variant=k)
        w1, w2 = sol["valid/1"][0], sol["valid/2"][0]
        answer = {"valid/1": (w1, w1, p.depth), "same/1": sol["same/1"], "valid/2": (w2 + 1, w2 + 1, p.filters)}
        fb = check("04.shape_table", answer, variant=k)
        assert "not the input depth" in fb.message and "round down" in fb.message, (k, p, fb)


@pytest.mark.parametrize("variant", [-1, 10**12])
def test_a_variant_out_of_range_is_a_value_error(variant):
    with pytest.raises(ValueError, match=r"`variant` must be between 0 and"):
        check("04.output_size", 7, variant=variant)


def test_a_variant_that_is_not_a_whole_number_is_a_type_error():
    with pytest.raises(TypeError, match=r"`variant` must be a whole number, got 1.5"):
        solution("04.output_size", variant=1.5)


# -- answers a class may type: huge, long, odd ----------------------------------------
@pytest.mark.parametrize("exercise_id", IDS)
def test_huge_numbers_and_long_lists_are_refused_in_words(exercise_id):
    for answer in (
        10**400,
        -(10**400),
        10**16,
        1e300,
        [10**400] * 3,
        list(range(1_000_000)),
        "9" * 100_000,
        [[0] * 1000] * 1000,
        {"valid/1": list(range(10**6))},
    ):
        feedback = check(exercise_id, answer)
        assert not feedback.correct
        assert len(feedback.message) < 400
        if exercise_id == "04.shape_table" and isinstance(answer, list) and len(answer) == 3:
            assert feedback.message.count("cannot read it") == 3, feedback  # read row by row
            continue
        assert feedback.status == "invalid", (exercise_id, type(answer), feedback)
        assert feedback.message.startswith("Cannot read the answer")


def test_a_pasted_million_item_list_is_answered_quickly_in_a_sentence():
    answer = list(range(1_000_000))
    feedback = check("03.feature_map", answer)
    assert feedback.message == (
        "Cannot read the answer: it holds 1,000,000 items or more; an answer here is a few numbers (at most 1,000)."
    )
    assert "10**400" not in check("00.numbers", 10**400).message
    assert "401 digits" in check("00.numbers", 10**400).message
    assert "far too large" in check("02.one_value", __import__("fractions").Fraction(10**400)).message


# ---------------------------------------------------------------------------
# variants never state false facts about real networks
# ---------------------------------------------------------------------------
NETWORKS = ("LeNet", "AlexNet", "GoogLeNet", "VGG", "Inception")


def _real_figures():
    """The real networks' figures, from meia_cnn.architectures (which cites the papers)."""
    from meia_cnn import architectures

    _, lenet = architectures.layers("lenet5")
    c1 = next(layer for layer in lenet if layer.name == "C1")
    _, alexnet = architectures.layers("alexnet")
    pool = next(layer for layer in alexnet if layer.kind == "maxpool")
    conv1 = next(layer for layer in alexnet if layer.kind == "conv")
    _, vgg = architectures.layers("vgg16")
    _, googlenet = architectures.layers("googlenet")
    inception = {layer.name: layer.inception for layer in googlenet if layer.kind == "inception"}
    return {
        "lenet_c1": (c1.units, c1.size),
        "alexnet_pool": (pool.size, pool.stride),
        "alexnet_conv1": (conv1.units, conv1.size, conv1.stride),
        "vgg_kernels": {layer.size for layer in vgg if layer.kind == "conv"},
        "inception": inception,
    }


def _numbers(text):
    return [int(n) for n in re.findall(r"\d+", text.replace(",", ""))]


def test_the_kits_constants_are_the_real_networks_figures():
    real = _real_figures()
    assert real["lenet_c1"] == ex.nb08.LENET5_C1 == (6, 5)  # LeCun et al. (1998)
    assert real["alexnet_pool"] == ex.nb09.ALEXNET_POOL == (3, 2)  # Krizhevsky et al. (2012), 3.4
    assert real["vgg_kernels"] == {ex.nb08.VGG_KERNEL} == {3}  # Simonyan and Zisserman (2015)
    assert real["inception"]["inception (3b)"] == (128, 128, 192, 32, 96, 64)  # Szegedy et al. (2015), Table 1


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_variant_that_names_a_real_network_states_its_true_figures(exercise_id):
    """ "LeNet-5's C1 has 12 kernels" is false; "a LeNet-like layer with 12 kernels" is a question."""
    real, exercise, checked = _real_figures(), get(exercise_id), 0
    for variant in VARIANTS:
        text = exercise.prompt(variant)
        if not any(name in text for name in NETWORKS):
            continue
        before = checked
        found = re.search(r"LeNet-5's C1 has (\d+) kernels of \$(\d+) \\times", text)
        if found:
            checked += 1
            assert tuple(map(int, found.groups())) == real["lenet_c1"], (variant, text)
        found = re.search(r"(?<!-like network )(?<!A VGG-like network )\bVGG stacks \$(\d+) \\times", text)
        if found:
            checked += 1
            assert {int(found.group(1))} == real["vgg_kernels"], (variant, text)
        found = re.search(r"\$(\d+) \\times \d+\$ windows and stride (\d+) overlaps \(AlexNet pools this way\)", text)
        if found:
            checked += 1
            assert tuple(map(int, found.groups())) == real["alexnet_pool"], (variant, text)
        found = re.search(r"GoogLeNet's inception \((\w+)\) reads \$28 \\times 28 \\times (\d+)\$(.*)", text)
        if found:
            checked += 1
            counts = real["inception"][f"inception ({found.group(1)})"]
            stated = _numbers(found.group(3).replace("1\\times1", "").replace("3\\times3", "").replace("5\\times5", ""))
            assert stated == [counts[0], counts[2], counts[1], counts[4], counts[3], counts[5]], (variant, text)
        hypothetical = re.search(r"-like\b|in AlexNet's style|wider than AlexNet's", text)
        assert hypothetical or checked > before, f"variant {variant} names a network unchecked: {text}"
        if "LeNet-like" in text:
            assert "LeNet-5's C1 has 6 of $5 \\times 5$" in text


def test_an_inception_modules_reductions_are_narrower_than_the_convolutions_they_feed():
    exercise = get("06.inception_depth")
    for variant in VARIANTS:
        b = exercise.params(variant).b
        assert b[1] < b[2] and b[3] < b[4], (variant, b)


def _ceil_div(a, b):
    return -(-a // b)


# The usual mistakes, worked here from the question's numbers without the kit, and a phrase of the hint each
# must get: (exercise, mistake's answer from the variant's numbers, phrase of its hint)
USUAL_MISTAKES = [
    ("00.kernel_numbers", lambda p: 3 * p.k * p.k + 1, "a bias is not a weight"),
    ("00.kernel_numbers", lambda p: p.k * p.k, "that is one channel"),
    ("04.output_size", lambda p: _ceil_div(p.size - p.k, p.stride) + 1, "round down"),
    ("04.output_size", lambda p: p.size - p.k + 1, "that is stride 1"),
    ("04.output_size", lambda p: _ceil_div(p.size, p.stride), "'same' padding"),
    ("04b.output_size", lambda p: p.s * p.i, "the stride does not simply multiply the size"),
    ("04b.output_size", lambda p: p.s * (p.i - 1) + p.k - p.p, "2p in total"),
    ("04b.output_size", lambda p: p.s * (p.i - 1) + p.k, "subtract 2p"),
    ("05.pool_shape", lambda p: (_ceil_div(p.size - p.window, p.window) + 1,) * 2 + (p.depth,), "round down"),
    ("08.alexnet_conv1", lambda p: (_ceil_div(p.size - p.k, p.stride) + 1,) * 2 + (p.filters,), "round down"),
    ("09.same_stride2", lambda p: (p.size // p.stride,) * 2 + (p.filters,), "not ⌊I/s⌋"),
    ("09.same_stride2", lambda p: ((p.size - p.k) // p.stride + 1,) * 2 + (p.filters,), "that is valid padding"),
    ("09.pool_stride", lambda p: _ceil_div(p.size - p.window, p.stride) + 1, "round down"),
    ("09.pool_stride", lambda p: (p.size - p.window) // p.window + 1, "that is stride"),
    ("09.params", lambda p: p.k * p.k * p.depth * p.filters, "add one bias per kernel"),
]


@pytest.mark.parametrize("exercise_id, wrong, phrase", USUAL_MISTAKES, ids=[f"{e}-{h}" for e, _, h in USUAL_MISTAKES])
def test_a_usual_mistake_worked_by_hand_gets_its_hint_in_every_variant(exercise_id, wrong, phrase):
    exercise, checked = get(exercise_id), 0
    for k in VARIANTS:
        p = exercise.params(k)
        value, sol = wrong(p), exercise.solve(p)
        if value == sol:
            continue
        same = [w for e, w, _ in USUAL_MISTAKES if e == exercise_id and w is not wrong and w(p) == value]
        message = check(exercise_id, value, variant=k).message
        checked += 1
        if same:
            assert NEUTRAL in message, (k, p, value, message)
        else:
            assert phrase in message, (k, p, value, message)
    assert checked >= 50


def test_fallback_hints_give_the_formula_and_one_step_not_the_whole_computation():
    for exercise_id in ("09.params", "06.saving", "07.model_params", "04b.output_size", "08.alexnet_conv1"):
        exercise = get(exercise_id)
        for k in VARIANTS:
            sol = exercise.solution(k)
            text = check(exercise_id, 10**9 + 7, variant=k).message
            if isinstance(sol, tuple):
                text = check(exercise_id, (1, 1, 1), variant=k).message
            assert not re.search(r"\d+ · \d+ · \d+", text), (exercise_id, k, text)
            assert not re.search(r"⌊\(\d+ − \d+\)", text), (exercise_id, k, text)


def test_numbers_in_math_keep_their_thousands_together():
    """ "$… = 2,352$" sets "2, 352": inside math the kit writes 2{,}352."""
    written = 0
    for exercise_id in IDS:
        for k in VARIANTS:
            text = solution_text(exercise_id, variant=k) + get(exercise_id).prompt(k)
            for math in re.findall(r"\$[^$]+\$", text):
                assert not re.search(r"\d,\d{3}", math), (exercise_id, k, math)
                written += len(re.findall(r"\d\{,\}\d{3}", math))
    assert written > 100
