"""Element sets out, in the files partners read: CCSDS OMM (XML, KVN, JSON, CSV), TLE and
CZML. Every export goes through :func:`app.exchange.release.releasable` first (the operator's
clearance, the recipients, the element sets' own classification) and carries its marking.

One module per format: ``omm_out``, ``tle_out``, ``czml_out``; each hands back an
:class:`~app.exchange.release.ExportResult` (the text, what went out, what was left out and why)."""
