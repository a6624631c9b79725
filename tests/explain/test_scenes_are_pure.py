"""The explorers' scenes are pure: built, tested and type-checked with no widget library imported."""

import json
import subprocess
import sys

import numpy as np
import pytest

from meia_cnn.explain.convolution import convolution_scene, convolution_state
from meia_cnn.explain.stride_padding import stride_padding_scene, stride_padding_state
from meia_cnn.explain.transposed import transposed_conv_scene, transposed_conv_state

SCENES = {
    "convolution": (
        lambda state: convolution_scene(state, "ramp"),
        convolution_state,
        ((np.arange(36.0).reshape(6, 6), np.eye(3), np.linspace(0, 1, 64).reshape(8, 8)), {}),
    ),
    "stride_padding": (stride_padding_scene, stride_padding_state, ((5, 3), {"stride": 2, "padding": 1})),
    "transposed": (transposed_conv_scene, transposed_conv_state, ((2, 3), {"stride": 2, "output_padding": 1})),
}


@pytest.mark.parametrize("name", sorted(SCENES))
def test_a_scene_is_json_with_every_step_and_its_readout(name):
    scene_of, state_of, (args, kwargs) = SCENES[name]
    state = state_of(*args, **kwargs)
    scene = scene_of(state)
    assert json.loads(json.dumps(scene)) == scene  # what the page receives, as it is
    assert scene["readout"].startswith("<div>")
    steps = state.grid.steps if name == "convolution" else state.steps
    assert len(scene["steps"]) == len(steps) and all(step["readout"] for step in scene["steps"])


def test_building_every_scene_imports_no_widget_library():
    """The scene of each of the thirteen explorers, built in a fresh interpreter, imports no widget library."""
    code = "\n".join(
        [
            "import sys",
            "from meia_cnn.explain.stride_padding import stride_padding_scene, stride_padding_state",
            "from meia_cnn.explain.transposed import transposed_conv_scene, transposed_conv_state",
            "from meia_cnn.explain.convolution import convolution_scene, convolution_state, filtered_png",
            "import numpy as np",
            "state = convolution_state(np.ones((5, 5)), np.eye(3), np.ones((9, 9)))",
            "convolution_scene(state, 'ones'), filtered_png(state)",
            "stride_padding_scene(stride_padding_state(7, 3, stride=2, padding='same', dilation=2))",
            "transposed_conv_scene(transposed_conv_state(3, 3, stride=2, padding=1))",
            "from meia_cnn.explain.training import TrainingRun, curves_scene, kernels_picture, training_plan,"
            " training_scene",
            "plan = training_plan(2, 3, 2, seed=0)",
            "run = TrainingRun(plan, epochs_done=2, test_accuracy=0.9, seconds=1.0, kernels=np.ones((3, 3, 2)))",
            "training_scene(plan, run), curves_scene({'loss': [1.0]}, 2), kernels_picture(run.kernels)",
            "from meia_cnn.explain.template_matching import template_matching_pictures, template_matching_state,"
            " template_scene",
            "template_matching_pictures(template_matching_state(template_scene('coin'), column=8, row=10))",
            "from meia_cnn import exercises",
            "from meia_cnn.explain.exercise import feedback_html, solution_html, table_marks",
            "feedback_html(exercises.get('04.output_size').check_text('7'))",
            "solution_html(exercises.solution_text('04.shape_table'))",
            "table_marks(exercises.solution('04.shape_table'), exercises.solution('04.shape_table'))",
            "from meia_cnn.explain.volume import DEFAULT_ARRAY, channel_pngs, deck_png, volume_scene, volume_state",
            "state = volume_state(DEFAULT_ARRAY, 3, 3)",
            "volume_scene(state), volume_scene(state, 'photo'), channel_pngs(state.input), deck_png(state.feature_map)",
            "from meia_cnn.explain.feature_maps import feature_map_pictures, feature_map_scene, feature_map_state,"
            " layer_scales",
            "from meia_cnn.nn import digits_split, load_reference",
            "model, X = load_reference(), digits_split()[1]",
            "state = feature_map_state(model, X[0], 0, (1, 1, 1))",
            "feature_map_scene(state, image=0, count=len(X)), feature_map_pictures(state.network,"
            " layer_scales(model, X), (0.0, 16.0))",
            "from meia_cnn.explain.template_matching import template_matching_scene",
            "template_matching_scene(template_matching_state(template_scene('digit'), column=4, row=6))",
            "from meia_cnn.explain.architecture import architecture_scene, architecture_state",
            "architecture_scene(architecture_state('lenet5')), architecture_scene(architecture_state('vgg16', detail=True))",
            "from meia_cnn.explain.inception import inception_scene, inception_state",
            "inception_scene(inception_state((28, 28, 192), 64, 96, 128, 16, 32, 32))",
            "from meia_cnn.explain.learn_kernel import learn_kernel_scene, learn_kernel_state",
            "learn_kernel_scene(learn_kernel_state(steps=5))",
            "from meia_cnn.explain.one_by_one import one_by_one_inputs, one_by_one_scene, one_by_one_state",
            "x, w = one_by_one_inputs()",
            "one_by_one_scene(one_by_one_state(x, w, row=1, col=2), (float(x.min()), float(x.max())), 8)",
            "from meia_cnn.explain.pooling import pooling_scene, pooling_state",
            "pooled = pooling_state(np.arange(36.0).reshape(6, 6), 2, pooling='average')",
            "pooling_scene(pooled, 'camera', (512, 512), (256, 256))",
            "from meia_cnn.explain.sharing import parameter_sharing_state, sharing_scene",
            "sharing_scene(parameter_sharing_state(28, 1, 5, 6))",
            "print(sorted(m for m in ('ipywidgets', 'anywidget', 'traitlets', 'matplotlib') if m in sys.modules))",
        ]
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_scene_speaks_the_language_of_the_moment():
    import meia_cnn

    state = stride_padding_state(5, 3)
    meia_cnn.set_language("es")
    try:
        spanish = stride_padding_scene(state)["output"]["label"]
    finally:
        meia_cnn.set_language("en")
    assert spanish != stride_padding_scene(state)["output"]["label"]
    assert stride_padding_scene(state)["output"]["label"].startswith("Output G, 3 by 3 cells")
