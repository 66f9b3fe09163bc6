"""``python -m symbackprop``: the same entry point as the ``symbackprop`` console script."""

from .cli import main

if __name__ == "__main__":
    main()
