"""The catalog: element sets read from files (``ingest``), the SGP4 satellite array
(``catalog``), filters, classification, owners and maneuver detection."""

from app.catalog.catalog import Catalog

__all__ = ["Catalog"]
