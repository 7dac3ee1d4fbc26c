"""The console's database (``store``) and the repository of tasking requests
(``tasking_store``). Domain records are imported from their features, never defined here."""
