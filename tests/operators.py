"""Operators for tests that build a ``Store`` directly (the console and the command line
identify the operator from the connection instead)."""

from app.common.user_settings import Operator

OFFICER_ROLES = ("watch_officer", "tasking_approver")


def officer(name: str = "officer", nation: str = "GBR", clearance: str = "SECRET",
            roles: tuple[str, ...] = OFFICER_ROLES) -> Operator:
    """A watch officer who may also approve tasking, cleared to SECRET by default."""
    return Operator(name, nation, roles, clearance)


# login -> (nation, roles, clearance); logins are cluster-wide roles, so the names say "floor test"
CREW = {
    "ft_gbr_officer": ("GBR", ("watch_officer",), "SECRET"),
    "ft_usa_approver": ("USA", ("watch_officer", "tasking_approver"), "SECRET"),
    "ft_usa_low": ("USA", ("watch_officer", "tasking_approver"), "CONFIDENTIAL"),
    "ft_fra_trainee": ("FRA", ("trainee",), "SECRET"),
    "ft_gbr_exercise": ("GBR", ("exercise_controller",), "SECRET"),
    "ft_admin": ("GBR", ("floor_admin",), "UNCLASSIFIED"),
}
