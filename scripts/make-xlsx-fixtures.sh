#!/bin/sh
# Regenerates the LibreOffice-written workbooks in test/fixtures/xlsx/ from their flat ODS
# sources (committed beside them), so the reader is tested on files a real spreadsheet
# program wrote. CI has no LibreOffice: the .xlsx outputs are committed too.
#   sh scripts/make-xlsx-fixtures.sh
set -eu
dir="$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/xlsx"
for source in "$dir"/libreoffice-*.fods; do
  soffice --headless --convert-to xlsx --outdir "$dir" "$source"
done
# An OpenDocument spreadsheet, for the "save it as .xlsx or CSV" message.
soffice --headless --convert-to ods --outdir "$dir" "$dir/libreoffice-1900.fods"
