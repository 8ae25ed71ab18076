#!/usr/bin/env bash
# Texts: extract the Russian source texts (babel.cfg), update the en/ru catalogs, compile them to .mo.
# Translate what `update` added (empty msgstr in locale/en/LC_MESSAGES/messages.po; Russian plural
# forms in locale/ru/...), then run this again so the committed .mo files match.
set -euo pipefail
cd "$(dirname "$0")/.."
locale=src/autopost/locale
pybabel=.venv/bin/pybabel
pot="$locale/messages.pot"
"$pybabel" --quiet extract -F babel.cfg --no-default-keywords -k N_ --no-location --sort-output -w 110 \
  --project autopost --copyright-holder "" -o "$pot.new" .
# Same texts as before: keep the old template (its POT-Creation-Date) so a re-run changes no file.
undated() { grep -v '^"POT-Creation-Date:' "$1"; }
if [[ -f "$pot" ]] && cmp -s <(undated "$pot") <(undated "$pot.new"); then
  rm "$pot.new"
else
  mv "$pot.new" "$pot"
fi
"$pybabel" --quiet update -i "$pot" -d "$locale" -D messages --no-fuzzy-matching --ignore-obsolete -w 110
"$pybabel" --quiet compile -d "$locale" -D messages --statistics
