"""nncourse: build a neural network from scratch in numpy, from one neuron to MNIST."""

__version__ = "0.1.0"
