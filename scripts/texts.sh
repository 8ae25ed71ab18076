#!/usr/bin/env bash
# Texts: extract the Russian source texts (babel.cfg), update the en/ru catalogs, compile them to .mo.
# Translate what `update` added (empty msgstr in locale/en/LC_MESSAGES/messages.po; Russian plural
# forms in locale/ru/...), then run this again so the committed .mo files match.
set -euo pipefail
cd "$(dirname "$0")/.."
locale=src/autopost/locale
pybabel=.venv/bin/pybabel
"$pybabel" --quiet extract -F babel.cfg --no-default-keywords -k N_ --no-location --sort-output -w 110 \
  --project autopost --copyright-holder "" -o "$locale/messages.pot" .
"$pybabel" --quiet update -i "$locale/messages.pot" -d "$locale" -D messages --no-fuzzy-matching --ignore-obsolete -w 110
"$pybabel" --quiet compile -d "$locale" -D messages --statistics
