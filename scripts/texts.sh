#!/usr/bin/env bash
# Texts: extract the English source texts (babel.cfg), update the en/ru catalogs, compile them to .mo.
# Translate what `update` added to Russian (empty msgstr in locale/ru/LC_MESSAGES/messages.po; a plural
# needs Russian's three forms), then run this again so the committed .mo files match. The en catalog's
# msgstr stay empty: English is the msgid itself.
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
