"""What a bench installs from this repository is the app and nothing else.

`bench get-app` clones the whole repository into apps/tuktuk_management and pip-installs it; the wheel built
from the repository must therefore hold the `tuktuk_management` package alone (never frappe_lite's `frappe`,
the simulator, the system tests or the benchmarks), with every non-Python file a bench needs (DocType JSON,
form scripts, modules.txt, patches.txt, fixtures)."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_THE_APP = ("frappe_lite", "mpesa_sandbox", "tests", "benchmarks", "demo", "docs", "sites")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
	"""The app's wheel, built from a copy of the working tree (so no build/ or egg-info lands in it)."""
	tmp = tmp_path_factory.mktemp("package")
	src = tmp / "src"
	shutil.copytree(
		ROOT,
		src,
		ignore=shutil.ignore_patterns(".git", ".venv", "sites", "__pycache__", "*.egg-info", "build", "dist"),
	)
	out = tmp / "dist"
	proc = subprocess.run(
		[sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
		capture_output=True,
		text=True,
		timeout=600,
	)
	assert proc.returncode == 0, proc.stdout + proc.stderr
	(path,) = out.glob("tuktuk_management-*.whl")
	return zipfile.ZipFile(path)


def test_wheel_holds_only_the_app(wheel):
	tops = {name.split("/")[0] for name in wheel.namelist()}
	dist_info = {t for t in tops if t.endswith(".dist-info")}
	assert tops - dist_info == {"tuktuk_management"}, tops
	assert not any(name.startswith(("frappe/", "frappe_lite/")) for name in wheel.namelist())
	for outside in OUTSIDE_THE_APP:
		assert outside not in tops


def test_wheel_carries_what_a_bench_needs(wheel):
	names = set(wheel.namelist())
	for needed in (
		"tuktuk_management/hooks.py",
		"tuktuk_management/modules.txt",
		"tuktuk_management/patches.txt",
		"tuktuk_management/fixtures/role.json",
		"tuktuk_management/tuktuk_management/doctype/tuktuk_driver/tuktuk_driver.json",
		"tuktuk_management/tuktuk_management/doctype/tuktuk_driver/tuktuk_driver.js",
	):
		assert needed in names, needed
	app_json = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tuktuk_management").rglob("*.json")}
	assert app_json <= names, sorted(app_json - names)


def test_metadata_as_a_bench_reads_it(wheel):
	(metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
	text = wheel.read(metadata).decode()
	requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
	# frappe comes from the bench (or frappe_lite), never as a dependency pip would fetch.
	assert not any(line.split(":", 1)[1].strip().lower().startswith("frappe") for line in requires)
	pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
	assert pyproject["tool"]["bench"]["frappe-dependencies"]["frappe"].startswith(">=15")
	assert "version" in pyproject["project"]["dynamic"]
	import tuktuk_management

	assert f"Version: {tuktuk_management.__version__}" in text


def test_no_document_points_outside_the_repository():
	"""Every relative link in the repository's Markdown resolves inside it; no absolute machine path."""
	import re

	link = re.compile(r"\]\(([^)#\s]+)")
	bad = []
	for md in ROOT.rglob("*.md"):
		if any(part in (".venv", ".git", "sites", "node_modules") for part in md.parts):
			continue
		text = md.read_text()
		for target in link.findall(text):
			if "://" in target or target.startswith("mailto:"):
				continue
			resolved = (md.parent / target).resolve()
			if not resolved.is_relative_to(ROOT) or not resolved.exists():
				bad.append(f"{md.relative_to(ROOT)} -> {target}")
		for needle in ("../shared/", "/work/"):
			if needle in text:
				bad.append(f"{md.relative_to(ROOT)} mentions {needle}")
	assert not bad, bad
