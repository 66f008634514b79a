"""Publish: HTML pages, data exports and the batch runner behind the command line.

Importing ``jsonschema`` (through nbformat, which papermill and nbconvert need) builds 38 parser grammars of
the optional ``rfc3987_syntax`` package when it is installed (JupyterLab's dependencies bring it): about 0.8 s
of every process that publishes, for a check of IRI strings that no notebook schema asks for (nbformat's
schemas use no ``format``). jsonschema skips that checker when the import fails, so the publishing processes
mark the module as unavailable before anything imports jsonschema. Kernels and JupyterLab are not affected.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
