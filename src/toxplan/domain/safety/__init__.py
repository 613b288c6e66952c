"""The safety engine: pure rules from (plan, patient, history, date) to findings."""
