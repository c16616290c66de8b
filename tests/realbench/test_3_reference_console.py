"""(c) The reference document's console lines, VERBATIM, on the real bench.

docs/reference/balance_fix_summary.md, sections "Testing & Verification" and "If Discrepancies Still Occur":
each ```python block is fed as stdin to `bench --site SITE console` exactly as written (the shell line
`bench --site [your-site] console` in the first block says how to open that console, so it is what we run, not
a line we type into it); each `bench --site [your-site] execute ...` line of a ```bash block is run as written
with [your-site] replaced by the site. The site has the driver DRV-112001 (build.sh makes it through the app's
normal insert path). After a block, a probe line of ours prints what the block left behind, so its output can
be judged; the verbatim lines are never changed.

No block may print a traceback; each must print what the document promises (result dicts with
`discrepancy`, `drivers_with_discrepancies`, ...). Outputs are kept in ARTIFACTS/console/."""

import ast
import re
import shlex

import pytest

from tests.realbench.realbench import REPO, REPORT, bench, readable

DOC = REPO / "docs" / "reference" / "balance_fix_summary.md"
SECTIONS = (("## Testing & Verification", "## "), ("### If Discrepancies Still Occur", "### |## "))
OPEN_CONSOLE = re.compile(r"^bench --site \S+ console\s*$")


def section(text, heading, stop):
	start = text.index(heading)
	body = text[start + len(heading) :]
	end = re.search(rf"^(?:{stop})", body, re.M)
	return body[: end.start()] if end else body


def blocks():
	"""(id, language, code) for every fenced block of the two sections, named after the step it belongs to."""
	text = DOC.read_text()
	found = []
	for heading, stop in SECTIONS:
		body = section(text, heading, stop)
		title = heading.strip("# ")
		for m in re.finditer(
			r"^(?:\d+\. \*\*(?P<step>[^*]+)\*\*|#+ (?P<head>[^\n]+)|```(?P<lang>\w+)\n(?P<code>.*?)^```)",
			body,
			re.M | re.S,
		):
			if m.group("step") or m.group("head"):
				title = (m.group("step") or m.group("head")).strip().rstrip(":")
				continue
			found.append((f"{heading.strip('# ')}: {title}", m.group("lang"), m.group("code")))
	return found


BLOCKS = blocks()

# What each step must leave behind: probe lines (ours, run after the verbatim block) and the output expected.
EXPECT = {
	"Test Atomic Updates": ([], []),
	"Test Reconciliation": (["print('PROBE', sorted(result))"], [r"'discrepancy'", r"'calculated_balance'"]),
	"Test All Drivers": (
		["print('PROBE', sorted(result))"],
		[r"Drivers with issues: \d+", r"'drivers_with_discrepancies'"],
	),
	"Check Transaction Logs": (
		["print('PROBE transactions', type(transactions).__name__, len(transactions))"],
		[r"PROBE transactions list \d+"],
	),
	"Run Reconciliation": (["print('PROBE', sorted(result))"], [r"'discrepancy'", r"'transactions_count'"]),
	"Check for System Issues": (
		["print('PROBE errors', type(errors).__name__, len(errors))"],
		[r"PROBE errors list \d+"],
	),
}


def expectation(block_id):
	for key, value in EXPECT.items():
		if block_id.endswith(key):
			return value
	return [], []


def test_the_two_sections_have_the_blocks_we_run():
	ids = [b[0] for b in BLOCKS]
	assert len([b for b in BLOCKS if b[1] == "python"]) == 6, ids
	assert any(lang == "bash" and "execute" in code for _, lang, code in BLOCKS), ids


def _name(block_id):
	return re.sub(r"[^A-Za-z0-9]+", "_", block_id).strip("_")


ERROR_LINE = re.compile(r"^\w*(Error|Exception)\b.*:.*$", re.M)


def report(what, output, returncode):
	error = ERROR_LINE.search(output)
	if error:
		verdict = f"ERROR {error.group(0).strip()}"
	else:
		verdict = "ERROR (a traceback)" if "Traceback" in output else "ok, no traceback"
	REPORT.append(f"{what}: exit {returncode}, {verdict}")


def assert_clean(output, what):
	assert "Traceback" not in output and not ERROR_LINE.search(output), (
		f"{what} printed an error:\n{output[-4000:]}"
	)


@pytest.mark.parametrize(
	"block_id,lang,code",
	[b for b in BLOCKS if b[1] == "python"],
	ids=[b[0] for b in BLOCKS if b[1] == "python"],
)
def test_console_block_verbatim(facts, block_id, lang, code):
	lines = code.splitlines()
	verbatim = [line for line in lines if not OPEN_CONSOLE.match(line.replace("[your-site]", "SITE"))]
	probes, expected = expectation(block_id)
	stdin = "\n".join(verbatim) + "\n\n" + "".join(p + "\n\n" for p in probes)
	result = bench("--site", facts["site"], "console", stdin=stdin, timeout=300)
	output = readable(result.stdout)
	out_dir = facts.artifacts / "console"
	out_dir.mkdir(exist_ok=True)
	(out_dir / f"{_name(block_id)}.txt").write_text(
		f"--- stdin\n{stdin}\n--- output (exit {result.returncode})\n{output}"
	)
	print(f"\n[{block_id}] output:\n{output.strip()[-1500:]}")
	report(f"console [{block_id}]", output, result.returncode)
	assert result.returncode == 0, output[-3000:]
	assert_clean(output, f"console block '{block_id}'")
	for pattern in expected:
		assert re.search(pattern, output), f"console block '{block_id}': no {pattern!r} in:\n{output[-3000:]}"


@pytest.mark.parametrize(
	"block_id,line",
	[
		(b[0], line)
		for b in BLOCKS
		if b[1] == "bash"
		for line in b[2].splitlines()
		if re.match(r"bench --site \S+ execute ", line)
	],
)
def test_execute_line_verbatim(facts, block_id, line):
	args = shlex.split(line.replace("[your-site]", facts["site"]))
	assert args[:2] == ["bench", "--site"]
	result = bench(*args[1:], timeout=600)
	output = readable(result.stdout)
	out_dir = facts.artifacts / "console"
	out_dir.mkdir(exist_ok=True)
	(out_dir / f"{_name(block_id)}_execute.txt").write_text(
		f"--- {line}\n--- output (exit {result.returncode})\n{output}"
	)
	print(f"\n[{line}] exit {result.returncode}:\n{output.strip()[-800:]}")
	report(f"execute [{line}]", output, result.returncode)
	assert result.returncode == 0, output[-3000:]
	assert_clean(output, line)
	# `execute` prints the returned value as JSON (a dict here): the self-check's own verdict.
	last = output.strip().splitlines()[-1]
	verdict = ast.literal_eval(last.replace("true", "True").replace("false", "False").replace("null", "None"))
	assert verdict.get("passed") is True, f"{line}: the self-check did not pass:\n{output[-3000:]}"
