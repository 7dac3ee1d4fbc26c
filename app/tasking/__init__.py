"""Coalition tasking: the request record and its workflow, feasibility against the sensors,
and the JSON/CSV exchange files."""
