import contextvars
import re

import pytest
from tests.conftest import township_scope_when_there_is_one


_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)


@pytest.fixture
def shown(app):
    """``shown(message)`` → the text a page shows for a lazy message, in the page's language
    (the township's default, zh_CN), HTML-escaped as the templates escape it."""
    from markupsafe import escape

    def render(message):
        with app.test_request_context():
            return str(escape(str(message)))

    def _shown(message):
        # A context of its own: the end of the request would close the test's township scope.
        return contextvars.Context().run(render, message)

    return _shown


def text(response) -> str:
    return response.get_data(as_text=True)


def field_block(page: str, name: str) -> str:
    """The field's block on the page: its label, its input and the errors beside it."""
    found = re.search(rf'<div class="field[^"]*" id="field-{name}">.*?</div>', page, re.S)
    assert found, f"no field {name} on the page"
    return found.group(0)


RULE_EN = ("The rule: fewer than 30 households, 3 to 5 members; 30 to 50 households, 5 to 7; "
           "more than 50 households, 7 to 9.")
