"""`fix --write`: all or nothing. A failure or a kill mid-write leaves the original
file byte-identical; no repair means the file untouched and a finding saying why."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from repair_engine import cli
from repair_engine.cli import main

BAD = textwrap.dedent(
    """\
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input(shape=(8, 8, 3)),
        layers.MaxPooling2D(pool_size=40),
        layers.Flatten(),
        layers.Dense(2),
    ])
    """
)


def test_a_failed_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch, capsys):
    f = tmp_path / "model.py"
    f.write_text(BAD)

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli.os, "fsync", broken_fsync)
    rc = main(["fix", "--write", "--no-verify", str(f)])
    assert rc != 0
    assert f.read_text() == BAD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]
    assert "cannot write" in capsys.readouterr().err


def test_a_process_killed_while_writing_leaves_a_whole_file(tmp_path):
    """The child blocks inside the write (after the temp file is opened, before
    os.replace) and is killed there: the target is the old text, never half."""
    f = tmp_path / "model.py"
    f.write_text(BAD)
    marker = tmp_path / "writing"
    child = textwrap.dedent(
        f"""\
        import os, sys, time
        from repair_engine import cli
        real = os.fsync
        def slow(fd):
            open({str(marker)!r}, "w").close()
            time.sleep(60)
        cli.os.fsync = slow
        sys.exit(cli.main(["fix", "--write", "--no-verify", {str(f)!r}]))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], cwd=os.getcwd())
    try:
        deadline = time.time() + 90
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the child never reached the write"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert f.read_text() == BAD


def test_no_repair_leaves_the_file_untouched_and_says_why(tmp_path, capsys):
    f = tmp_path / "model.py"
    # the weights are data: no source edit can fix their shape
    text = textwrap.dedent(
        """\
        import numpy as np
        import keras
        from keras import layers

        inputs = keras.Input(shape=(4,))
        dense = layers.Dense(3)
        outputs = dense(inputs)
        dense.set_weights([np.array([[1.0, 2.0]]), np.array([0.0])])
        model = keras.Model(inputs, outputs)
        """
    )
    f.write_text(text)
    main(["fix", "--write", "--no-verify", "--format", "json", str(f)])
    out = capsys.readouterr().out
    assert f.read_text() == text
    import json

    report = json.loads(out)
    entry = report["models"][0]
    assert entry["status"] == "invalid" and entry["repair"] is None
    assert any(d["code"] == "NNR601" and "no repair found" in d["message"] for d in entry["diagnostics"])
