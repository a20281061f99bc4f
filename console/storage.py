"""Static files in production: content-hashed names, so a changed file is a new URL.

Browsers may keep every hashed file for a year (WhiteNoise marks them immutable). The console's
ES modules import one another by relative path (app.js → controllers/index.js → each controller
→ the vendored libraries), so those import statements are rewritten to the hashed names too;
otherwise a changed controller would be loaded from a stale copy behind an unchanged entry point.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Static `import … from "./x.js";` / `export … from "./x.js";` / `import "./x.js";`, as Django's
# own module patterns have them, for our modules only (static/js/): third-party files such as
# django-htmx's carry `import("../htmx")` in JSDoc comments, which Django's pattern for dynamic
# imports would take for a file to hash.
_OUR_MODULE_IMPORTS = (
    "js/*.js",
    (
        (
            r"""(?P<matched>import(?s:(?P<import>[\s\{].*?|\*\s*as\s*\w+))"""
            r"""\s*from\s*['"](?P<url>[./].*?)["']\s*;)""",
            """import%(import)s from "%(url)s";""",
        ),
        (
            r"""(?P<matched>export(?s:(?P<exports>[\s\{].*?))\s*from\s*["'](?P<url>[./].*?)["']\s*;)""",
            """export%(exports)s from "%(url)s";""",
        ),
        (r"""(?P<matched>import\s*['"](?P<url>[./].*?)["']\s*;)""", """import"%(url)s";"""),
    ),
)


class ConsoleStaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = (*CompressedManifestStaticFilesStorage.patterns, _OUR_MODULE_IMPORTS)
