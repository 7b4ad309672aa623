"""The overview's tests build cases as the board's do."""
from tests.board.conftest import _township_in_scope, desk  # noqa: F401  (fixtures)
