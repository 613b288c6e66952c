"""Photos: image decoding and cleaning (Pillow) and face landmarks (MediaPipe Face Mesh).

The adapter around the pure photo geometry of the core (``domain/face_fit.py``,
``mesh_map.py``, ``warp.py``, ``photo_chart.py``): it turns image bytes into pixels and
landmarks, and nothing here decides anything clinical.
"""
