"""Loading the frameworks under comparison, lazily and without ever crashing the run.

The *subject* is minitf. For self-testing the harness before minitf exists, another
module can stand in for it (``--subject-module tensorflow``); its column is still
called ``minitf`` and the run's metadata records what really ran.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from types import ModuleType

from .skips import Skip

DEFAULT_SUBJECT = "minitf"
SUBJECT_ENV = "MINITF_BENCH_SUBJECT"  # same switch as --subject-module, for scripts


class Framework:
    """A module imported on first use; remembers why it could not be imported."""

    def __init__(self, label: str, module_name: str) -> None:
        self.label = label
        self.module_name = module_name
        self._module: ModuleType | None = None
        self._error: str | None = None
        self._tried = False

    def load(self) -> ModuleType | None:
        """The module, or None when it cannot be imported (see :attr:`error`)."""
        if not self._tried:
            self._tried = True
            try:
                self._module = importlib.import_module(self.module_name)
            except Exception as exc:  # noqa: BLE001 - a broken install must not crash the run
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                self._error = f"{self.label} import failed: {type(exc).__name__}: {first}"
        return self._module

    @property
    def error(self) -> str | None:
        """Why the import failed, or None."""
        self.load()
        return self._error

    @property
    def attempted(self) -> bool:
        """True once an import has been tried (successfully or not)."""
        return self._tried

    @property
    def loaded(self) -> bool:
        """True once the import has been tried and worked (never triggers an import)."""
        return self._module is not None

    def require(self) -> ModuleType:
        """The module, or raise :class:`Skip` with the import error as reason."""
        module = self.load()
        if module is None:
            raise Skip(self._error or f"{self.label} unavailable")
        return module

    def version(self) -> str | None:
        """``__version__`` if imported, else the installed distribution's version, else None.

        Never imports the module just to learn its version (TensorFlow takes seconds).
        """
        if self._module is not None:
            return str(getattr(self._module, "__version__", "unknown"))
        return installed_version(self.module_name)


def installed_version(module_name: str) -> str | None:
    """Version of the distribution providing ``module_name``, without importing it."""
    candidates = {
        "tensorflow": ["tensorflow", "tensorflow-cpu", "tf-nightly"],
        "minitf": ["minitf"],
    }.get(module_name, [module_name])
    for dist in candidates:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def subject_module_name(cli_value: str | None) -> str:
    """The module that plays minitf: the CLI flag, else ``$MINITF_BENCH_SUBJECT``, else minitf."""
    return cli_value or os.environ.get(SUBJECT_ENV) or DEFAULT_SUBJECT
