"""Keras 3 layer constructor signatures as the frontend reads them: positional
parameter names per class, class aliases and the merge functions.

The positional order comes from the generated semantics/signature_data.py
(scripts/gen_signatures.py, checked against the installed Keras), so the
frontend and the argument checks read one table.
"""

from ...semantics.signature_data import SIGNATURES as _GENERATED

# Keras 3 class aliases: name as importable -> the class it is
# (GroupQueryAttention is kept as written: it is the only public name of GroupedQueryAttention and the
# name the semantics register)
ALIASES = {
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "Convolution1D": "Conv1D",
    "Convolution1DTranspose": "Conv1DTranspose",
    "Convolution2D": "Conv2D",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3D": "Conv3D",
    "Convolution3DTranspose": "Conv3DTranspose",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
}

# keras.layers functions building a merge layer: name -> class
MERGE_FUNCTIONS = {
    "add": "Add",
    "average": "Average",
    "concatenate": "Concatenate",
    "dot": "Dot",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "multiply": "Multiply",
    "subtract": "Subtract",
}

# class -> positional parameter names, in Keras 3's order
SIGNATURES: dict[str, tuple[str, ...]] = {kind: tuple(sig["positional"]) for kind, sig in _GENERATED.items()}
