import re


def text(response) -> str:
    return response.get_data(as_text=True)


def field(page: str, name: str) -> str:
    """The HTML of one form field: its input, its hint and the errors beside it."""
    found = re.search(rf'<div class="field[^"]*" id="field-{re.escape(name)}">.*?</div>', page, re.S)
    assert found, f"no field {name} on the page"
    return found.group(0)
