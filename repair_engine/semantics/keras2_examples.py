"""Layer examples whose verdict differs between Keras 3 and Keras 2 (tf-keras 2.21), one verdict per target.

tests/test_keras2_examples.py builds each with Keras 3 and with tf-keras and checks our semantics
under both targets. A verdict is the output shape (batch axis included), a diagnostic kind (str)
when that Keras rejects the layer, or BUILDS: Keras builds it and our semantics leave the output
unknown (a Keras 3 check that Keras 2 does not make; semantics/keras2_lenient.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BUILDS = "builds"


@dataclass(frozen=True)
class TargetExample:
    kind: str
    args: dict
    inputs: Any
    keras3: Any
    keras2: Any
    note: str = ""


TARGET_EXAMPLES = (
    TargetExample(
        "LeakyReLU", {"negative_slope": 0.2}, (None, 5), (None, 5), "invalid_argument", "Keras 2 spells it alpha"
    ),
    TargetExample(
        "LeakyReLU", {"alpha": 0.2}, (None, 5), (None, 5), (None, 5), "the Keras 2 spelling; Keras 3 still reads it"
    ),
    TargetExample(
        "Dense", {"units": 3, "dynamic": False}, (None, 5), "invalid_argument", (None, 3), "Layer(dynamic=) is Keras 2"
    ),
    TargetExample(
        "SpatialDropout2D", {"rate": 0.1, "trainable": False}, (None, 4, 4, 3), "invalid_argument", (None, 4, 4, 3)
    ),
    TargetExample("Dense", {"units": 0}, (None, 5), "invalid_argument", (None, 0), "Keras 2 builds a 0-unit Dense"),
    TargetExample(
        "Conv1D",
        {"filters": 4, "kernel_size": 3},
        (None, 9, 9, 4),
        "rank_mismatch",
        BUILDS,
        "Keras 2 folds the extra axis",
    ),
    TargetExample(
        "Add", {}, [(None, 2, 3), (None, None)], (None, 2, None), (None, 2, 3), "TensorFlow's static broadcast"
    ),
    TargetExample("Maximum", {}, [(None, 5), (None, None)], (None, None), (None, 5)),
    TargetExample(
        "EinsumDense",
        {"equation": "abc,cd->abd", "output_shape": (None, 4)},
        (None, 7, 5),
        (None, None, 4),
        (None, 7, 4),
        "Keras 2 fills the undefined output axis from the input",
    ),
    TargetExample(
        "AdaptiveAveragePooling1D", {"output_size": 2}, (None, 8, 3), (None, 2, 3), "invalid_argument", "Keras 3 only"
    ),
    TargetExample("RMSNormalization", {}, (None, 8, 3), (None, 8, 3), "invalid_argument", "Keras 3 only"),
    TargetExample(
        "GlobalAveragePooling1D", {"keepdims": True}, (None, 10, 3), (None, 1, 3), (None, 1, 3), "same in both"
    ),
    # checks only Keras 2 makes (semantics/keras2_rules.py)
    TargetExample(
        "SeparableConv1D",
        {"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
        (None, 9, 3),
        (None, 3, 4),
        "invalid_argument",
        "strides > 1 with dilation_rate > 1",
    ),
    TargetExample(
        "Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2}, (None, 9, 9, 3), (None, 4, 4, 4), (None, 4, 4, 4)
    ),
    TargetExample("Dot", {"axes": 0}, [(None, 4), (None, 4)], (4, 1), "invalid_argument", "the batch axis"),
    TargetExample("ZeroPadding2D", {"padding": -1}, (None, 5, 5, 2), (None, 3, 3, 2), "invalid_argument"),
    TargetExample(
        "RandomTranslation",
        {"height_factor": -0.5, "width_factor": 0.1},
        (None, 5, 5, 2),
        (None, 5, 5, 2),
        "invalid_argument",
    ),
    TargetExample("RandomRotation", {"factor": -0.5}, (None, 5, 5, 2), (None, 5, 5, 2), "invalid_argument"),
    TargetExample("LSTM", {"units": 3, "unroll": True}, (None, None, 5), (None, 3), "undefined_dim"),
    TargetExample("LSTM", {"units": 3, "unroll": True}, (None, 4, 5), (None, 3), (None, 3)),
    TargetExample("Dense", {"units": True}, (None, 3), (None, 1), "invalid_argument"),
    TargetExample("BatchNormalization", {"axis": 1.7}, (None, 3, 4), (None, 3, 4), "invalid_argument"),
    TargetExample(
        "CategoryEncoding", {"num_tokens": 5, "output_mode": "one_hot"}, (None, 4), (None, 4, 5), "rank_mismatch"
    ),
    TargetExample("CategoryEncoding", {"num_tokens": 5, "output_mode": "one_hot"}, (None, 1), (None, 5), (None, 5)),
    TargetExample(
        "CategoryEncoding", {"num_tokens": 5, "output_mode": "multi_hot"}, (None, 4, 2), (None, 4, 5), "rank_mismatch"
    ),
    TargetExample(
        "EinsumDense",
        {"equation": "...c,cd->...d", "output_shape": (4,)},
        (None, 1, 3, 5, 3),
        (None, 5, 3, 1, 4),
        (None, 1, 3, 5, 4),
    ),
    TargetExample("Softmax", {"axis": 5}, (None, 4), (None, 4), "invalid_argument"),
    TargetExample(
        "SpatialDropout2D",
        {"rate": 0.1, "data_format": "Channels_First"},
        (None, 8, 3, 5),
        (None, 8, 3, 5),
        "invalid_argument",
    ),
    TargetExample(
        "TextVectorization",
        {"output_mode": "multi_hot", "vocabulary": ["a", "b"]},
        (None, 4),
        (None, 4, 3),
        "rank_mismatch",
    ),
    TargetExample(
        "GaussianDropout", {"rate": 1.1}, (None, 5), "invalid_argument", (None, 5), "a waived check keeps the shape"
    ),
    TargetExample(
        "AveragePooling2D", {"strides": 2}, (None, 4, 4, 3), "invalid_argument", (None, 2, 2, 3), "pool_size=2 default"
    ),
    TargetExample("Dense", {"units": 3.0}, (None, 5), "invalid_argument", (None, 3), "tf-keras calls int(units)"),
    TargetExample("BatchNormalization", {"axis": "1"}, (None, 4, 2), (None, 4, 2), "invalid_argument"),
    TargetExample("Reshape", {"target_shape": (None, 12)}, (None, 4, 3), (None, None, 12), "invalid_argument"),
    TargetExample(
        "ConvLSTM2D", {"filters": 4, "kernel_size": 3}, (None, 3, 10, 11, None), "undefined_dim", "undefined_dim"
    ),
    TargetExample("Dense", {"units": 3, "kernel_regularizer": "l1_l2"}, (None, 5), "invalid_argument", (None, 3)),
    TargetExample("Dense", {"units": 3, "bias_constraint": "maxnorm"}, (None, 5), "invalid_argument", (None, 3)),
    TargetExample(
        "AveragePooling3D",
        {"pool_size": 2, "padding": "Valid"},
        (None, 4, 4, 4, 1),
        "invalid_argument",
        (None, 2, 2, 2, 1),
    ),
    TargetExample("UpSampling1D", {"size": "3"}, (None, 8, 3), "invalid_argument", (None, 24, 3)),
)
