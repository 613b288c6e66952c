"""Titration advice: the next course's dose in one area from a patient's past courses there.

``history`` describes past courses, ``rules`` evaluates the knowledge base's titration rules on
them, ``limits`` keeps a suggestion within the label's range, ``advisor`` puts it together.
"""

from toxplan.domain.titration.advisor import Advice, CourseView, Reason, Suggestion, advise
from toxplan.domain.titration.history import Course, PastEvent, PastInjection, Review
from toxplan.domain.titration.limits import LabelRange, label_range

__all__ = [
    "Advice",
    "Course",
    "CourseView",
    "LabelRange",
    "PastEvent",
    "PastInjection",
    "Reason",
    "Review",
    "Suggestion",
    "advise",
    "label_range",
]
