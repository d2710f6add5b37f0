"""A small CNN for 28x28 grayscale images with a shape bug (nnrepair finds and fixes it)."""
import keras
from keras import layers

num_classes = 10

model = keras.Sequential([
    keras.Input(shape=(28, 28)),  # grayscale images, but the channel axis is missing
    layers.Conv2D(32, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Flatten(),
    layers.Dense(num_classes, activation="softmax"),
])
