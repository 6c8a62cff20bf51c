"""The README's layout table names what is in the tree, and the tree has what the table names."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _layout_rows() -> list[tuple[str, str]]:
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    table = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| `")]
    return [(paths.strip(), what.strip()) for paths, what in rows]


def test_every_path_the_layout_table_names_exists():
    for paths, what in _layout_rows():
        for path in re.findall(r"`([^`]+)`", paths):
            assert os.path.exists(os.path.join(ROOT, path)), path
        # files named in the description live in the row's (first) folder
        folder = re.findall(r"`([^`]+/)`", paths)
        for name in re.findall(r"`([\w/]+(?:\.py|/))`", what):
            if "NN" in name:  # a pattern (test_lesson_NN.py), not a file
                continue
            if folder and not name.startswith(("minitf/", "lessons/", "tests/", "benchmarks/")):
                assert os.path.exists(os.path.join(ROOT, folder[0], name)), (folder[0], name)


def test_the_layout_table_describes_every_part_of_the_package_and_every_layer_family():
    named = " ".join(paths + " " + what for paths, what in _layout_rows())
    for entry in sorted(os.listdir(os.path.join(ROOT, "minitf"))):
        if entry in ("__init__.py", "__pycache__") or entry.endswith((".pyc", ".txt")):
            continue
        assert f"minitf/{entry}" in named or f"minitf/{entry}/" in named, entry
    layers = os.path.join(ROOT, "minitf", "keras", "layers")
    for family in sorted(os.listdir(layers)):
        if os.path.isdir(os.path.join(layers, family)) and family != "__pycache__":
            assert f"`{family}/`" in named, family
    for folder in ("lessons/", "tests/", "parity_tests/", "benchmarks/", "tools/"):
        assert f"`{folder}`" in named, folder
