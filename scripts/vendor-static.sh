#!/usr/bin/env bash
# Copies the front-end packages pinned in package-lock.json into static/vendor, which is
# committed so that pages render with no network. Run after changing package.json.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
rm -rf static/vendor && mkdir -p static/vendor/bootstrap/css static/vendor/bootstrap/js static/vendor/htmx static/vendor/swagger-ui
mkdir -p static/vendor/tom-select
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.rtl.min.css static/vendor/bootstrap/css/
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/js/
cp node_modules/bootstrap/LICENSE static/vendor/bootstrap/
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
cp node_modules/htmx.org/LICENSE static/vendor/htmx/
# The API's browsable documentation (/api/docs/) runs Swagger UI from here, not from a CDN.
cp node_modules/swagger-ui-dist/{swagger-ui.css,swagger-ui-bundle.js,swagger-ui-standalone-preset.js} static/vendor/swagger-ui/
cp node_modules/swagger-ui-dist/{favicon-32x32.png,LICENSE,NOTICE} static/vendor/swagger-ui/
# Searchable multi-selects (organisations, groups, programmes): the build with its plugins, and its
# Bootstrap 5 theme (pmpp.form_rendering.SearchableSelectMultiple, js/searchable-select.js).
cp node_modules/tom-select/dist/js/tom-select.complete.min.js node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css static/vendor/tom-select/
cp node_modules/tom-select/LICENSE static/vendor/tom-select/
# Source maps are not shipped: drop the references so browsers don't request them.
sed -i '/sourceMappingURL/d' static/vendor/bootstrap/css/*.css static/vendor/bootstrap/js/*.js
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||; s|^//# sourceMappingURL=.*$||' static/vendor/swagger-ui/*.css static/vendor/swagger-ui/*.js
# axe-core checks the pages in the browser tests (tests/browser/test_accessibility.py): it is
# copied beside them, outside static/, so that no user's page can ever load it.
rm -rf tests/browser/vendor && mkdir -p tests/browser/vendor/axe-core
cp node_modules/axe-core/{axe.min.js,LICENSE} tests/browser/vendor/axe-core/
sed -i 's|/\*# sourceMappingURL=[^*]*\*/||; s|//# sourceMappingURL=.*$||' static/vendor/tom-select/*.css static/vendor/tom-select/*.js
node -e '
const lock = require("./package-lock.json");
const out = {};
for (const name of ["bootstrap", "htmx.org", "swagger-ui-dist", "tom-select", "axe-core"]) out[name] = lock.packages["node_modules/" + name].version;
require("fs").writeFileSync("static/vendor/VERSIONS.json", JSON.stringify(out, null, 2) + "\n");
'
echo "Vendored: $(cat static/vendor/VERSIONS.json | tr -d '\n ')"
