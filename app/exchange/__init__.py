"""Exchange with partners, in the files they read: element sets out (CCSDS OMM as XML, KVN,
JSON or CSV; TLE; CZML) and ephemerides in and out (CCSDS OEM, KVN and XML). Every export goes
through :func:`app.exchange.release.releasable` first (the operator's clearance, the recipients,
the element sets' own classification) and carries its marking.

One module per format and direction: ``omm_out``, ``tle_out``, ``czml_out``, ``oem_out``; each
hands back an :class:`~app.exchange.release.ExportResult` (the text, what went out, what was
left out and why). OEMs are read by the catalog's readers (``app.catalog.ingest.oem``): an OEM's objects join
the catalog as ephemeris objects."""
