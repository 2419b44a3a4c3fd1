"""Pictures of computation graphs: DOT text in (``dot``), SVG/PNG/PDF out (``render``)."""
