"""Compare Odoo test logs of a vanilla database and of databases with the suite (bin/test-compat).

Usage: compat_report.py COMPATIBILITY.md VANILLA_LOG SUITE_LOG [CONTROLS_OFF_LOG]

A test is named ``module: Class.test_method`` (the module is the addon whose tests logged it). The intended
differences are the rows of COMPATIBILITY.md's table whose first cell is such a name in backquotes.
Exit status 1 when a test fails only with the suite and is not listed, or fails with the controls off
but not on vanilla.
"""

import re
import sys

FAILURE = re.compile(r" ERROR \S+ odoo\.addons\.(\w+)\.tests[\w.]*: (?:FAIL|ERROR): (.+)$")
# A class that failed to set up is logged by the test suite itself, with the class's dotted path.
SETUP_FAILURE = re.compile(
    r" ERROR \S+ odoo\.tests\.suite: (?:FAIL|ERROR): (\w+) \(odoo\.addons\.(\w+)\.tests\.[\w.]*?(\w+)\)"
)
SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
LISTED = re.compile(r"^\|\s*`([\w]+: [\w.]+)`\s*\|", re.M)


def read_log(path):
    failures, summary = set(), "no test summary (the run did not finish: see the log)"
    with open(path, errors="replace") as log:
        for line in log:
            match = FAILURE.search(line)
            if match:
                failures.add(f"{match.group(1)}: {match.group(2).strip()}")
            match = SETUP_FAILURE.search(line)
            if match:
                failures.add(f"{match.group(2)}: {match.group(3)}.{match.group(1)}")
            found = SUMMARY.search(line)
            if found and "when loading database" in line:
                summary = found.group(0)
    return failures, summary


def main(doc_path, vanilla_path, suite_path, off_path=None):
    with open(doc_path) as doc:
        intended = set(LISTED.findall(doc.read()))
    vanilla, vanilla_summary = read_log(vanilla_path)
    suite, suite_summary = read_log(suite_path)
    print(f"vanilla Odoo:        {vanilla_summary}")
    print(f"with the suite:      {suite_summary}")
    unexpected = 0
    only_suite = sorted(suite - vanilla)
    print(f"failing only with the suite: {len(only_suite)}")
    for name in only_suite:
        mark = "intended  " if name in intended else "UNEXPECTED"
        unexpected += name not in intended
        print(f"  {mark} {name}")
    fixed = sorted(vanilla - suite)
    if fixed:
        print(f"failing on vanilla only (environment): {len(fixed)}")
        for name in fixed:
            print(f"  {name}")
    if off_path:
        off, off_summary = read_log(off_path)
        print(f"suite, controls off: {off_summary}")
        off_only = sorted(off - vanilla)
        print(f"failing only with the suite, controls off: {len(off_only)}")
        for name in off_only:
            unexpected += 1
            print(f"  UNEXPECTED {name}")
    for summary in (vanilla_summary, suite_summary):
        if not SUMMARY.search(summary):
            unexpected += 1
    print(f"compat: {'OK' if not unexpected else f'{unexpected} unexpected difference(s)'}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
