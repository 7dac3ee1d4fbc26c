"""Exercise scenarios: the YAML format (``format``), what a scenario names and must exist
(``references``), opening a file with every problem in one pass (``opening``), element
fitting for injected burns and fragments (``element_fit``, ``breakup``), and the
deterministic run (``run``)."""
