"""The module the ``wladna`` entry point ``fhir`` names.

No hook of wladna_core fits an export of case records: renderers write report tables, and
event hooks hear of changes, not of requests for a file.  The plug-in is registered so that
``wladna plugins`` lists it with its distribution and version; its API is
:func:`wladna_fhir.to_bundle` and :func:`wladna_fhir.from_bundle`, which applications call.
"""

from __future__ import annotations

from wladna_fhir import CaseBundle, InvalidBundle, from_bundle, to_bundle

__all__ = ["CaseBundle", "InvalidBundle", "from_bundle", "to_bundle"]
