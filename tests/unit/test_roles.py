"""The one list of roles: the enum, its named sets and the database's constraint agree."""

from __future__ import annotations

from toxplan.db.models import User
from toxplan.primitives import roles
from toxplan.primitives.roles import ROLE_SETS, Role, in_order


def test_the_enum_values_are_exactly_what_the_database_allows() -> None:
    allowed = User.__table__.c.role.type.enums  # the CHECK constraint of users.role
    assert list(allowed) == [role.value for role in Role]


def test_every_named_set_is_a_non_empty_set_of_roles() -> None:
    for name, members in ROLE_SETS.items():
        assert members, name
        assert members <= frozenset(Role), name
        assert all(isinstance(member, Role) for member in members), name


def test_every_module_level_set_is_listed_for_the_templates() -> None:
    module_sets = {name for name, value in vars(roles).items() if isinstance(value, frozenset)}
    assert module_sets == set(ROLE_SETS)


def test_the_sets_say_who_does_what() -> None:
    assert roles.TREATING < roles.CLINICAL_RECORD_READERS < roles.ALL_ROLES
    assert Role.FRONT_DESK not in roles.CLINICAL_RECORD_READERS
    assert {Role.MEDICAL_DIRECTOR, Role.ADMIN} == roles.OVERSIGHT


def test_a_role_is_the_stored_text() -> None:
    assert Role("medical_director") is Role.MEDICAL_DIRECTOR
    assert Role.ADMIN == "admin"
    assert f"{Role.FRONT_DESK}" == "front_desk"
    assert in_order(roles.ALL_ROLES) == list(Role)
