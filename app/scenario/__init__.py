"""Exercise scenarios: the YAML format (``format``), element fitting for injected burns and
fragments (``element_fit``, ``breakup``), and the deterministic run (``run``)."""
