"""pyqtgraph helpers (ARCHITECTURE: ui/charts). Charts export to PNG: pyqtgraph's SVG export is
broken on Qt >= 6.11."""
