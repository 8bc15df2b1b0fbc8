"""The app reaches libraries only through their public, documented interfaces (issue 21):
no attribute with a leading underscore is used unless our own code defines it, save two that
the libraries document as their interface."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = ["app.py", "commands.py", "blueprints", "models", "services", "bench"]
DOCUMENTED = {
    "_meta",  # peewee: "Model._meta", the model's Metadata (docs: Models and Fields)
    "_value",  # WTForms: "the _value() method will be called ... to provide value=" (Input)
}


def _files():
    for name in SOURCES:
        path = ROOT / name
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def _defined_here():
    """Underscore names our code defines: functions, classes, attributes, module names."""
    names = set()
    for path in list(_files()) + sorted((ROOT / "tests").rglob("*.py")):
        text = path.read_text()
        names |= set(re.findall(r"(?:def|class)\s+(_\w+)", text))
        for line in text.splitlines():  # assignment targets, chained ones too
            for target in re.split(r"(?<![=!<>+\-*/|&])=(?!=)", line)[:-1]:
                if re.fullmatch(r"\s*[\w.]+(\s*,\s*[\w.]+)*\s*", target):
                    names |= set(re.findall(r"\.(_\w+)", target))
        names |= set(re.findall(r"^\s*(_\w+)(?:\s*,\s*\w+)*\s*=[^=]", text, re.M))
    return names


def test_no_private_attribute_of_a_library_is_used():
    ours = _defined_here()
    used = {}
    for path in _files():
        for match in re.finditer(r"\.(_[A-Za-z]\w*)", path.read_text()):
            name = match.group(1)
            if name not in ours and name not in DOCUMENTED:
                used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert used == {}


def test_no_private_module_is_imported():
    imports = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.M)
    private = {(str(path.relative_to(ROOT)), module) for path in _files()
               for module in imports.findall(path.read_text())
               if any(part.startswith("_") and not part.startswith("__")
                      for part in module.split("."))}
    assert private == set()
