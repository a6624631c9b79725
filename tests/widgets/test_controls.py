"""The control table (widgets/_controls.py): what a row builds, checks and reads."""

import ipywidgets as widgets
import pytest

from meia_cnn import i18n
from meia_cnn.widgets._controls import Control, check_arguments
from meia_cnn.widgets._messages import Refusal


def test_a_choice_is_a_slider_over_the_options_that_can_wait_to_be_let_go():
    row = Control("learning_rate", "choice", "Learning rate η", options=(0.02, 0.1, 1.1), continuous=False)
    control = row.build(0.1)
    assert isinstance(control, widgets.SelectionSlider)
    assert control._options_labels == ("0.02", "0.1", "1.1") and control.value == 0.1
    assert control.continuous_update is False and control.description == "Learning rate η"
    assert row.read(control) == 0.1 and row.check(1.1) == 1.1
    with pytest.raises(ValueError, match=r"`learning_rate` must be one of 0.02, 0.1, 1.1, got 0.3"):
        row.check(0.3)
    control.close()


def test_sliders_update_while_dragged_unless_told():
    assert Control("n", "int", "n", range=(0, 3)).build(1).continuous_update is True
    assert Control("n", "int", "n", range=(0, 3), continuous=False).build(1).continuous_update is False


def test_a_row_can_say_its_own_sentence_when_a_value_cannot_be_used():
    menu = Control(
        "kernel_size", "menu", "Kernel size", options=(1, 3, 5, 7), refusal="Choose a kernel size: 1, 3, 5 or 7."
    )
    control = menu.build(3)
    control.value = None
    with pytest.raises(Refusal, match=r"^Choose a kernel size: 1, 3, 5 or 7\.$"):
        menu.read(control)
    plain = Control("kernel_size", "menu", "Kernel size", options=(1, 3, 5, 7))
    with pytest.raises(Refusal, match=r"^Choose one of the options of Kernel size\.$"):
        plain.read(control)
    seed = Control("seed", "int", "Seed", range=(0, 9), refusal="The seed must be a whole number from {lo} to {hi}.")
    with i18n.using_language("es"):
        slider = seed.build(2)
        sentence = seed._refusal("range", slider, 0, 9)
    assert sentence == "La semilla debe ser un número entero entre 0 y 9."
    control.close()
    slider.close()


def test_a_bool_is_no_number_among_the_options():
    row = Control("kernel_size", "menu", "Kernel size", options=(1, 3, 5, 7))
    with pytest.raises(ValueError, match=r"`kernel_size` must be one of 1, 3, 5, 7, got True"):
        check_arguments([row], {"kernel_size": True})
    assert Control("flag", "toggle", "Flag", options=(False, True)).check(True) is True


def test_a_control_without_a_label_has_none_in_any_language():
    row = Control("operation", "toggle", "", options=("convolution", "cross-correlation"))
    with i18n.using_language("es"):
        control = row.build("convolution")
    assert control.description == ""  # not the catalogue's header, which gettext("") gives
    control.close()
