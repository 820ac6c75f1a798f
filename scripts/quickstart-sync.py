#!/usr/bin/env python3
"""Copies each quick-start file into the README regions that name it.

A region is `<!-- quickstart: docs/quickstart/x/File.cs -->` ... `<!-- /quickstart -->`. The files under
docs/quickstart/ are the one copy: tests/Coffer.Packaging.Tests builds and runs them as new apps, and fails when
a README region differs from its file (run this script, then commit both).
"""
import pathlib, re, sys

repo = pathlib.Path(__file__).resolve().parent.parent
region = re.compile(r"(<!-- quickstart: (?P<path>[^ ]+) -->\n)(?P<body>.*?)(<!-- /quickstart -->)", re.S)
fence = {".cs": "csharp", ".json": "json"}

def render(match):
    path = match.group("path")
    text = (repo / path).read_text()
    return f"{match.group(1)}```{fence[pathlib.Path(path).suffix]}\n{text}```\n{match.group(4)}"

for readme in [repo / "README.md", *sorted((repo / "src").glob("*/README.md"))]:
    before = readme.read_text()
    after = region.sub(render, before)
    if after != before:
        readme.write_text(after)
        print(f"updated {readme.relative_to(repo)}", file=sys.stderr)
