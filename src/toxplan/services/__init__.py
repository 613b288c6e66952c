"""Use cases over the records. The only code that writes; it never commits (the caller's
unit of work does), so a refused request leaves nothing half-written."""
