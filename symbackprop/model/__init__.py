"""Stage 1, the architecture: layer sizes, activations, losses, bias conventions, their symbols, and the numbers
(parameters, inputs, targets) a network takes. Imports nothing of the later stages."""
