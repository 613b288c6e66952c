"""Input limits, declared once and shared by every surface and by the database columns.

The API and page schemas, the CLI, the services and the column definitions all take their
text lengths, list sizes and the request body size from here, so what a surface accepts is
exactly what the database stores, on SQLite as on PostgreSQL, and so whatever is stored can
be backed up and restored. Text never carries NUL characters (PostgreSQL refuses them).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

NO_NUL = r"^[^\x00]*$"
"""Text never carries NUL bytes (PostgreSQL refuses them in text columns)."""

# --- text lengths, in characters ------------------------------------------------------------
ID = 36
"""A record id as stored (a UUID)."""
ID_INPUT = 100
"""A record id as a caller may send it: longer than any stored id, so a wrong one is 'not found'."""
NAME = 200
"""Names of people and clinics, a consent's signer."""
EMAIL = 320
PHONE = 50
FACT = 500
"""A condition, medication or allergy as written on the patient's lists."""
CODE = 20
"""An ICD-10 or ATC code."""
KEY = 60
"""Ids of products, indications, sites and needles as the records store them."""
LOT_NUMBER = 60
FORM_VERSION = 50
NOTE = 2000
"""Free text: notes, concerns, descriptions, override reasons."""
ADDENDUM = 5000
SEARCH = 200
"""A patient search."""

# --- list sizes ---------------------------------------------------------------------------
FACTS = 100
"""Entries of one patient list (conditions, medications, allergies) in one request."""
INJECTIONS = 200
"""Injections of one treatment or planned check."""
HISTORY = 1000
"""Past treatments in one check request (far more than 400 days of any patient's visits)."""
OVERRIDES = 200
SITES = 200
"""Sites named by one adverse event."""
PLAN_INDICATIONS = 10

# --- pages and requests -------------------------------------------------------------------
PAGE_SIZE = 200
"""Rows per page of a list."""
OFFSET = 1_000_000_000
"""Far beyond any clinic; bounded so a huge number never reaches the database driver."""
BODY_BYTES = 1_000_000
"""Largest request body: a check of 200 injections with a long history is under 100 kB."""

# --- pydantic types -------------------------------------------------------------------------
Id = Annotated[str, Field(min_length=1, max_length=ID_INPUT, pattern=NO_NUL)]
Name = Annotated[str, Field(min_length=1, max_length=NAME, pattern=NO_NUL)]
Email = Annotated[str, Field(min_length=3, max_length=EMAIL, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]
Phone = Annotated[str, Field(max_length=PHONE, pattern=NO_NUL)]
Fact = Annotated[str, Field(min_length=1, max_length=FACT, pattern=NO_NUL)]
Code = Annotated[str, Field(min_length=1, max_length=CODE, pattern=NO_NUL)]
Key = Annotated[str, Field(min_length=1, max_length=KEY, pattern=NO_NUL)]
LotNumber = Annotated[str, Field(min_length=1, max_length=LOT_NUMBER, pattern=NO_NUL)]
FormVersion = Annotated[str, Field(min_length=1, max_length=FORM_VERSION, pattern=NO_NUL)]
Note = Annotated[str, Field(min_length=1, max_length=NOTE, pattern=NO_NUL)]
Reason = Annotated[str, Field(min_length=10, max_length=NOTE, pattern=NO_NUL)]
AddendumText = Annotated[str, Field(min_length=1, max_length=ADDENDUM, pattern=NO_NUL)]
