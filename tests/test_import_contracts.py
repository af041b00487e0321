"""The import direction in pyproject.toml holds, and it counts the imports that
sit inside functions: a circle hidden that way is still a circle."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_project_keeps_its_import_contracts() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_circle_closed_by_an_import_inside_a_function_breaks_the_contract(
    tmp_path: Path,
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("from pkg.tasks import run\n")
    (package / "tasks.py").write_text(
        "def run():\n    from pkg.services import run as again\n    return again\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_packages = ["pkg"]\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "no circles"\ntype = "acyclic_siblings"\nancestors = ["pkg"]\n'
    )

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "No cycles are allowed in pkg" in result.stdout
