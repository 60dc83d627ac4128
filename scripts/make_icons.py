"""Draw the app's PNG icons (home screen, install prompt, notices) from the same design as static/img/icon.svg.

Run once after changing the design, with Pillow installed (it is not a dependency of
the app): `python scripts/make_icons.py`. The PNGs are committed under static/img/.
"""

from pathlib import Path

from PIL import Image, ImageDraw

GREEN = (47, 111, 98, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "img"


def draw(size: int, *, maskable: bool = False, rounded: bool = True) -> Image.Image:
    """The mark on a green tile; a maskable icon fills the square and keeps the mark in the safe 80 %."""
    scale = 4  # draw large, then shrink: smooth edges without anti-aliasing support
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable or not rounded:
        pen.rectangle((0, 0, big, big), fill=GREEN)
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 14 // 64, fill=GREEN)
    inset = 0.1 if maskable else 0.0
    unit = big * (1 - 2 * inset) / 64

    def at(x: float, y: float) -> tuple[float, float]:
        return (big * inset + x * unit, big * inset + y * unit)

    points = [at(22, 24), at(42, 24), at(32, 44)]
    pen.line([*points, points[0]], fill=WHITE, width=max(1, round(3 * unit)), joint="curve")
    for x, y in points:
        r = 7 * unit
        pen.ellipse((x - r, y - r, x + r, y + r), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192).save(OUT / "icon-192.png", optimize=True)
    draw(512).save(OUT / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS rounds the corners itself and shows transparency as black.
    draw(180, rounded=False).save(OUT / "apple-touch-icon.png", optimize=True)
    draw(96).save(OUT / "badge-96.png", optimize=True)


if __name__ == "__main__":
    main()
