"""Contract-shaped (cli-contract.md JSON v1) reports and sources shared by the bot tests."""

CNN_PATH = "models/cnn.py"
CNN_SOURCE = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.Flatten(),
    layers.Dense(10),
])
"""
CNN_FIXED_LINE = "    keras.Input(shape=(28, 28, 1)),"


def cnn_report(line_edit_line: int = 5, with_alternative: bool = True) -> dict:
    diag = {
        "code": "NNR101",
        "kind": "rank_mismatch",
        "severity": "error",
        "message": "Conv2D expects a 4-D input (batch, rows, cols, channels) but receives 3-D (None, 28, 28)",
        "file": CNN_PATH,
        "line": 6, "col": 5, "end_line": 6, "end_col": 44,
        "layer": "conv2d",
        "expected": "ndim=4",
        "actual": "ndim=3",
        "related": [{"file": CNN_PATH, "line": 5, "col": 5, "message": "the input shape (28, 28) declared here flows into conv2d"}],
    }
    alternatives = []
    if with_alternative:
        alternatives = [{
            "cost": 2.0,
            "edits": [{"op": "replace_layer", "file": CNN_PATH, "line": 6, "description": "replace Conv2D by Conv1D"}],
            "diff": "--- a/models/cnn.py\n+++ b/models/cnn.py\n@@ -6 +6 @@\n-    layers.Conv2D(32, 3, activation=\"relu\"),\n+    layers.Conv1D(32, 3, activation=\"relu\"),\n",
        }]
    return {
        "version": 1,
        "tool": {"name": "nnrepair", "version": "0.1.0"},
        "models": [{
            "file": CNN_PATH,
            "name": "model",
            "line": 4,
            "status": "invalid",
            "input_shapes": [[None, 28, 28]],
            "output_shapes": None,
            "diagnostics": [diag],
            "repair": {
                "cost": 1.0,
                "verified": True,
                "edits": [{"op": "set_input_shape", "file": CNN_PATH, "line": 5, "description": "change input shape (28, 28) -> (28, 28, 1)"}],
                "diff": "--- a/models/cnn.py\n+++ b/models/cnn.py\n@@ -5 +5 @@\n-    keras.Input(shape=(28, 28)),\n+    keras.Input(shape=(28, 28, 1)),\n",
                "alternatives": alternatives,
                "line_edits": [{"file": CNN_PATH, "start_line": line_edit_line, "end_line": line_edit_line, "new_lines": [CNN_FIXED_LINE]}],
                "output_shapes_before": None,
                "output_shapes_after": [[None, 10]],
            },
        }],
    }


def valid_report() -> dict:
    return {
        "version": 1,
        "tool": {"name": "nnrepair", "version": "0.1.0"},
        "models": [{
            "file": CNN_PATH, "name": "model", "line": 4, "status": "valid",
            "input_shapes": [[None, 28, 28, 1]], "output_shapes": [[None, 10]], "diagnostics": [], "repair": None,
        }],
    }


def added_file_patch(text: str) -> str:
    lines = text.splitlines()
    return f"@@ -0,0 +1,{len(lines)} @@\n" + "\n".join("+" + s for s in lines)
