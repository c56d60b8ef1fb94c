#!/usr/bin/env bash
# Recompiles the fixture projects into ../resources/compilations/ with the Dataform CLI the
# project uses. Run it after changing a fixture; it needs npm and the npm registry.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for project in valid broken; do
  cp -r "$here/$project" "$work/$project"
  (
    cd "$work/$project"
    npm install --no-audit --no-fund --silent --no-save @dataform/cli@3.0.69
    node_modules/.bin/dataform compile . --json
  ) > "$here/../resources/compilations/$project.json"
done
