"""Discovery (issue 10, item 5): a model file whose Keras import is indirect,
through another file of the repository, is not skipped."""

from __future__ import annotations

import os

from repair_engine.discover import collect

NETS = "from tensorflow.keras import layers, Model, Input\n\ndef unet(shape):\n    i = Input(shape)\n    return Model(i, layers.Conv2D(2, 3)(i))\n"


def _names(root) -> set:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        files, _ = collect(["."])
    finally:
        os.chdir(cwd)
    return {f.path for f in files}


def test_a_file_calling_a_model_factory_of_the_repository_is_found(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "nets.py").write_text(NETS)
    (tmp_path / "train.py").write_text("from models.nets import (\n    unet,  # the net\n)\n\nnet = unet((28, 28, 1))\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "rel.py").write_text("import models.nets\nnet = models.nets.unet((8, 8, 1))\n")
    (tmp_path / "models" / "zoo.py").write_text("from .nets import unet as u\nbig = u((64, 64, 3))\n")
    assert _names(tmp_path) == {"models/nets.py", "train.py", "scripts/rel.py", "models/zoo.py"}


def test_a_file_that_only_mentions_an_import_is_not_a_model_file(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "nets.py").write_text(NETS)
    (tmp_path / "docs.py").write_text("from models.nets import unet\nprint(unet.__doc__)\n")  # no call
    (tmp_path / "plain.py").write_text("from helpers import thing\nthing()\n")  # not Keras
    (tmp_path / "helpers.py").write_text("def thing():\n    return 1\n")
    assert _names(tmp_path) == {"models/nets.py"}


def test_taken_files_keep_the_walk_order(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "nets.py").write_text(NETS)
    (tmp_path / "a" / "use.py").write_text("from .nets import unet\nm = unet((4, 4, 1))\n")
    (tmp_path / "b.py").write_text(NETS)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        files, _ = collect(["."])
    finally:
        os.chdir(cwd)
    assert [f.path for f in files] == ["b.py", "a/nets.py", "a/use.py"]  # os.walk: a folder's files, then its folders
