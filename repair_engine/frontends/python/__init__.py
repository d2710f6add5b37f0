"""Static extraction of Keras models from Python source (see python_source.py)."""
