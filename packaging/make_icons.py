"""Make the Windows .ico and macOS .icns application icons from resources/icons/billing-desktop.svg.

The SVG is the one source; the two generated files are committed (packaging/windows/, packaging/
macos/) so that a build needs neither this script nor Pillow. Run it after changing the SVG:

    python packaging/make_icons.py           # rewrite both files
    python packaging/make_icons.py --check   # exit 1 when a committed icon is missing

The SVG is rendered by QtSvg offscreen at every size the formats hold, and written with Pillow
(``pip install pillow``): the .ico holds 16-256 px PNG-compressed images, the .icns 16-1024 px.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "billing-desktop.svg"
ICO = ROOT / "packaging" / "windows" / "billing-desktop.ico"
ICNS = ROOT / "packaging" / "macos" / "billing-desktop.icns"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render_png(size: int) -> bytes:
    """The SVG rendered to a square PNG of ``size`` pixels, transparent around the rounded box."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {SVG} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def make_icons() -> list[Path]:
    try:
        from PIL import Image
    except ImportError:
        raise SystemExit(
            "make_icons: Pillow is needed to write .ico/.icns: pip install pillow"
        ) from None
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    rendered = {size: render_png(size) for size in sorted({*ICO_SIZES, *ICNS_SIZES})}
    images = {size: Image.open(io.BytesIO(png)).convert("RGBA") for size, png in rendered.items()}

    ICO.parent.mkdir(parents=True, exist_ok=True)
    largest_ico = images[max(ICO_SIZES)]
    # Pillow takes each listed size from the image of exactly that size when one is appended,
    # so small sizes are rendered from the vector, not scaled down from 256 px.
    largest_ico.save(
        ICO,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    ICNS.parent.mkdir(parents=True, exist_ok=True)
    largest_icns = images[max(ICNS_SIZES)]
    largest_icns.save(
        ICNS,
        format="ICNS",
        append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )
    return [ICO, ICNS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that both icon files exist"
    )
    args = parser.parse_args(argv)
    if args.check:
        missing = [str(path.relative_to(ROOT)) for path in (ICO, ICNS) if not path.is_file()]
        if missing:
            print(f"make_icons: missing {', '.join(missing)}: run packaging/make_icons.py")
            return 1
        return 0
    for path in make_icons():
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
