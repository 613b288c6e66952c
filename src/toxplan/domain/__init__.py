"""The pure clinical core: dose math, plans and safety rules. No I/O, no frameworks."""
