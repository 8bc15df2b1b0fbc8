"""Layers point one way: blueprints use services, services use models, never the reverse."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMPORTS = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.M)


@pytest.mark.parametrize("layer, below", [("models", ("services", "blueprints", "app")),
                                          ("services", ("blueprints", "app"))])
def test_a_layer_imports_nothing_above_it(layer, below):
    wrong = {(str(path.relative_to(ROOT)), module)
             for path in sorted((ROOT / layer).rglob("*.py"))
             for module in IMPORTS.findall(path.read_text())
             if module.split(".")[0] in below}
    assert wrong == set()
