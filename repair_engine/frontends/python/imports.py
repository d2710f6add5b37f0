"""Import resolution: every way of spelling a Keras object -> one canonical path.

`keras`, `tensorflow.keras`, `tf.keras`, `tensorflow.python.keras`,
`tensorflow.compat.v1.keras`, `tf_keras`, `keras_core` and `keras.src` all
become `keras`; legacy submodules (`keras.layers.core`,
`keras.layers.convolutional`, `keras.engine.topology`, ...) collapse to the
public name: `keras.layers.convolutional.Conv2D` -> `keras.layers.Conv2D`,
`keras.models.Sequential` -> `keras.Sequential`, `keras.layers.Input` ->
`keras.Input`.
"""

from __future__ import annotations

from .signatures import ALIASES, MERGE_FUNCTIONS, SIGNATURES

_PREFIXES = (
    "tensorflow.python.keras",
    "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras",
    "tensorflow.keras",
    "tensorflow.contrib.keras",
    "tf_keras",
    "keras_core",  # Keras Core, the Keras 3 preview: the same API
    "keras.src",
    "keras.api._v2.keras",
    "keras._tf_keras.keras",
)

# last segment -> canonical path, for names that live outside keras.layers
_TOP = {
    "Sequential": "keras.Sequential",
    "Model": "keras.Model",
    "Functional": "keras.Model",
    "Input": "keras.Input",
}

# Keras 1/2 layer class names that Keras 3 no longer has (handled in legacy.py)
LEGACY_CLASSES = {
    "Merge",
    "merge",
    "AtrousConvolution1D",
    "AtrousConvolution2D",
    "Deconvolution2D",
    "Deconvolution3D",
    "Conv2DTranspose",
    "Highway",
    "MaxoutDense",
    "TimeDistributedDense",
    "CuDNNLSTM",
    "CuDNNGRU",
    "ThresholdedReLU",
    "AtrousConv2D",
}


def is_layer_class_name(name: str) -> bool:
    return name in SIGNATURES or name in ALIASES or name in LEGACY_CLASSES or name == "InputLayer"


def canonical(path: str) -> str:
    """A dotted path as imported/written -> canonical path (or unchanged when not Keras)."""
    for p in _PREFIXES:
        if path == p or path.startswith(p + "."):
            path = "keras" + path[len(p) :]
            break
    if path == "tf" or path.startswith("tf."):  # only reached through canonical() of written text
        path = "tensorflow" + path[2:]
        return canonical(path) if path.startswith("tensorflow.keras") else path
    if not (path == "keras" or path.startswith("keras.")):
        return path
    parts = path.split(".")
    last = parts[-1]
    if len(parts) >= 3 and last in _TOP and parts[1] in ("models", "engine", "layers", "src"):
        return _TOP[last]
    if len(parts) >= 3 and parts[1] == "layers":
        if last[:1].isupper() or last in MERGE_FUNCTIONS or last == "merge":
            return "keras.layers." + last
    if len(parts) >= 3 and parts[1] == "engine" and (last[:1].isupper() or last == "merge"):
        return "keras.layers." + last
    if len(parts) == 2 and last in _TOP:
        return _TOP[last]
    return path


def is_keras(path: str) -> bool:
    return path == "keras" or path.startswith("keras.")


def star_names(module: str) -> dict[str, str]:
    """What `from <module> import *` binds, for Keras modules we understand."""
    module = canonical(module)
    out: dict[str, str] = {}
    if module == "keras.layers" or (module.startswith("keras.layers.") and module.count(".") == 2):
        for name in list(SIGNATURES) + list(LEGACY_CLASSES) + ["InputLayer"]:
            out[name] = "keras.layers." + name
        for name in MERGE_FUNCTIONS:
            out[name] = "keras.layers." + name
        out["Input"] = "keras.Input"
    elif module in ("keras.models", "keras"):
        out.update({"Sequential": "keras.Sequential", "Model": "keras.Model"})
        if module == "keras":
            out.update({"Input": "keras.Input", "layers": "keras.layers", "models": "keras.models"})
    return out


# Functions that hand Keras submodules over at run time, as keras-applications
# and segmentation_models do: `backend, layers, models, keras_utils =
# get_submodules_from_kwargs(kwargs)`. Whatever module the caller passes, it is a
# Keras (the library's contract), so the result is read as Keras' own submodules.
RUNTIME_SUBMODULES = {
    "get_submodules_from_kwargs": ("keras.backend", "keras.layers", "keras.models", "keras.utils"),
}


def runtime_submodules(path: str) -> tuple | None:
    """The canonical submodule paths a call to `path` returns, or None."""
    return RUNTIME_SUBMODULES.get(path.rsplit(".", 1)[-1])
