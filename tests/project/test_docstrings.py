"""numpydoc sections over the public API, shapes written as scikit-image writes them.

Every public module-level function and public class has ``Parameters`` (if it takes
any), ``Returns`` (if it returns something) and ``Examples``; public methods have
``Parameters``/``Returns`` where they apply.  Shapes are written ``(M, N[, C]) array``,
never "ndarray of shape (M, N)".  Extend ``MODULES`` as more of the package is documented.
"""

import importlib
import inspect
import re

import pytest

MODULES = [
    "meia_cnn",
    "meia_cnn._validation",
    "meia_cnn.arithmetic",
    "meia_cnn.ops",
    "meia_cnn.data",
    "meia_cnn._datasets",
    "meia_cnn.architectures",
    "meia_cnn.nn.learn_kernel",
    "meia_cnn.kernels",
    "meia_cnn.i18n",
    "meia_cnn.nn",
    "meia_cnn.exercises",
    "meia_cnn.explain.stride_padding",
    "meia_cnn.explain.convolution",
    "meia_cnn.explain.pooling",
    "meia_cnn.explain.volume",
    "meia_cnn.explain.one_by_one",
    "meia_cnn.explain.inception",
    "meia_cnn.explain.architecture",
    "meia_cnn.explain.transposed",
    "meia_cnn.explain.learn_kernel",
    "meia_cnn.explain.template_matching",
    "meia_cnn.explain.sharing",
    "meia_cnn.explain.feature_maps",
    "meia_cnn.explain.training",
    "meia_cnn.widgets",
    "tools.slides",
    "tools.translate_notebooks",
]


def _section(doc, name):
    return re.search(rf"^\s*{name}\n\s*-{{{len(name)}}}\s*$", doc, re.M) is not None


def _public_objects(module_name):
    """Public functions, classes and methods a module defines (a package: also what it re-exports)."""
    module = importlib.import_module(module_name)
    is_package = hasattr(module, "__path__")
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        origin = getattr(obj, "__module__", "")
        if origin == module_name or (is_package and origin.startswith(module_name + ".")):
            yield f"{module_name}.{name}", obj, False
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        yield f"{module_name}.{name}.{attr}", member, True


def _takes_parameters(fn):
    params = [p for p in inspect.signature(fn).parameters.values() if p.name not in ("self", "cls")]
    return bool(params)


def _returns_something(fn):
    returns = inspect.signature(fn).return_annotation
    return returns not in (None, "None", inspect.Signature.empty)


def _missing_sections(obj, method):
    doc = inspect.getdoc(obj) or ""
    if not doc:
        return ["docstring"]
    missing = []
    fn = obj.__init__ if inspect.isclass(obj) else obj
    if inspect.isclass(obj):
        if _takes_parameters(fn) and not (_section(doc, "Parameters") or _section(doc, "Attributes")):
            missing.append("Parameters")
    else:
        if _takes_parameters(fn) and not _section(doc, "Parameters"):
            missing.append("Parameters")
        if _returns_something(fn) and not (_section(doc, "Returns") or _section(doc, "Yields")):
            missing.append("Returns")
    if not method and not _section(doc, "Examples"):
        missing.append("Examples")
    return missing


CASES = sorted(
    {(qual, obj, method) for m in MODULES for qual, obj, method in _public_objects(m)}, key=lambda case: case[0]
)


def test_the_api_is_not_empty():
    assert len(CASES) > 40


@pytest.mark.parametrize("qual, obj, method", CASES, ids=[case[0] for case in CASES])
def test_numpydoc_sections(qual, obj, method):
    assert _missing_sections(obj, method) == [], f"{qual} lacks these numpydoc sections"


@pytest.mark.parametrize("qual, obj, method", CASES, ids=[case[0] for case in CASES])
def test_shapes_are_written_as_scikit_image_does(qual, obj, method):
    doc = inspect.getdoc(obj) or ""
    assert not re.search(r"ndarray of shape|^\s*[\w, ]+ : .*array of shape", doc, re.M), (
        f"{qual}: write shapes as `x : (M, N[, C]) array`"
    )
