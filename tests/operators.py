"""Operators for tests that build a ``Store`` directly (the console and the command line
identify the operator from the connection instead)."""

from app.common.user_settings import Operator

OFFICER_ROLES = ("watch_officer", "tasking_approver")


def officer(name: str = "officer", nation: str = "GBR", clearance: str = "SECRET",
            roles: tuple[str, ...] = OFFICER_ROLES) -> Operator:
    """A watch officer who may also approve tasking, cleared to SECRET by default."""
    return Operator(name, nation, roles, clearance)
