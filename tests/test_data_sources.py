"""Datasets and generators read statically (data_values.py): every argument is bound
to the Keras 3.15 signature; one that changes the element structure and is not
modelled (channels_first, subset="both", labels=None, another format) is never
read as the default."""

from __future__ import annotations

import ast

import pytest

from repair_engine.frontends.python.data_values import Batches
from repair_engine.frontends.python.evaluator import Evaluator
from repair_engine.frontends.python.source import Spans
from repair_engine.frontends.python.values import ArrayVal

PRELUDE = "import numpy as np, keras\nfrom keras.preprocessing.image import ImageDataGenerator\n"


def value(expr: str):
    src = PRELUDE + f"v = {expr}\n"
    ev = Evaluator(ast.parse(src), Spans("t.py", src), "t.py")
    ev.run()
    return ev.module_env.vars["v"].value


IDFD = "keras.utils.image_dataset_from_directory"


@pytest.mark.parametrize(
    "expr,x,y",
    [
        (f"{IDFD}('d', image_size=(64, 64))", (None, 64, 64, 3), (None,)),
        (
            f"{IDFD}('d', image_size=(64, 64), color_mode='grayscale', label_mode='binary')",
            (None, 64, 64, 1),
            (None, 1),
        ),
        (f"{IDFD}('d', 'inferred', 'categorical', image_size=(8, 8))", (None, 8, 8, 3), (None, None)),
        (f"{IDFD}('d', labels=None, image_size=(8, 8))", (None, 8, 8, 3), None),
        (f"{IDFD}('d', image_size=(8, 8), batch_size=None)", (8, 8, 3), ()),
        ("keras.utils.text_dataset_from_directory('d', max_length=20)", (None,), (None,)),
        ("keras.utils.timeseries_dataset_from_array(np.zeros((50, 3)), None, 10)", (None, 10, 3), None),
        (
            "keras.utils.timeseries_dataset_from_array(np.zeros((50, 3)), np.zeros(50), 10, batch_size=4)",
            (None, 10, 3),
            (None,),
        ),
        ("ImageDataGenerator().flow(np.zeros((10, 8, 8, 3)), np.zeros((10, 2)), batch_size=4)", (4, 8, 8, 3), (4, 2)),
        ("ImageDataGenerator().flow(np.zeros((3, 8, 8, 3)), np.zeros(3))", (3, 8, 8, 3), (3,)),
        (
            "ImageDataGenerator(validation_split=0.2).flow(np.zeros((9, 8, 8, 3)), subset='training')",
            (None, 8, 8, 3),
            None,
        ),
        (
            "ImageDataGenerator().flow_from_directory('d', target_size=(32, 32), class_mode='sparse')",
            (None, 32, 32, 3),
            (None,),
        ),
        (
            "ImageDataGenerator().flow_from_directory('d', (32, 32), 'grayscale', class_mode=None)",
            (None, 32, 32, 1),
            None,
        ),
    ],
)
def test_element_structure(expr, x, y):
    v = value(expr)
    assert isinstance(v, Batches), v
    assert v.x == ArrayVal(x)
    assert (v.y.shape if v.y is not None else None) == y


@pytest.mark.parametrize(
    "expr",
    [
        f"{IDFD}('d', image_size=(8, 8), data_format='channels_first')",
        f"{IDFD}('d', image_size=(8, 8), validation_split=0.2, subset='both')",
        f"{IDFD}('d', image_size=(8, 8), format='grain')",
        f"{IDFD}('d', image_size=(8, 8), bogus=1)",
        f"{IDFD}('d', image_size=size)",
        "ImageDataGenerator(data_format='channels_first').flow_from_directory('d', target_size=(8, 8))",
        "ImageDataGenerator().flow_from_dataframe(df, class_mode='raw', target_size=(8, 8))",
        "ImageDataGenerator().flow_from_directory('d', target_size=(8, 8), bogus=True)",
        "ImageDataGenerator().flow(np.zeros((10, 8, 8, 3)), [np.zeros(10), np.zeros(10)])",
    ],
)
def test_unmodelled_arguments_stay_unknown(expr):
    assert not isinstance(value(expr), Batches)
