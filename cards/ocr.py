"""Read the text of a card photo with Tesseract 5, line by line, with the size of the letters.

The binding is tesserocr: it keeps one loaded Tesseract per worker process
(the Japanese model takes about half a second to load, which pytesseract would
pay again for every call as it starts the `tesseract` program each time), and
it gives each word's box and confidence directly. Its wheels on PyPI (for
Python 3.12 and 3.13, manylinux) carry the library; the language data comes
from Debian's tesseract-ocr-jpn, -jpn-vert and -eng packages.

A photo is first made easy to read: the card is found on the table and
straightened (OpenCV: its outline, then a perspective warp), uneven light is
evened out, small print is enlarged. Cards set vertically (縦書き) are read
again with the vertical Japanese model when the horizontal reading finds
little.
"""

import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

try:
    import cv2
except ImportError:  # pragma: no cover - a dependency; without it photos are read as they are
    cv2 = None

LANGUAGES = ("jpn", "jpn_vert", "eng")
DEBIAN_PACKAGES = {
    "jpn": "tesseract-ocr-jpn",
    "jpn_vert": "tesseract-ocr-jpn-vert",
    "eng": "tesseract-ocr-eng",
}
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)
# The card's long side is read at this length: Tesseract reads best with letters 20-40 px tall.
READ_WIDTH = 1800
# Fewer useful characters than this from the horizontal reading: try vertical too.
LITTLE_TEXT = 40
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60]")


@dataclass(frozen=True)
class Line:
    """One line of text as read: its words joined, mean confidence (0-1), letter size in px, box."""

    text: str
    confidence: float
    size: float
    box: tuple[int, int, int, int]
    vertical: bool = False


@dataclass(frozen=True)
class Status:
    available: bool
    missing: tuple[str, ...]  # what to install, named as Debian (or PyPI) names it
    tessdata: str = ""


def _tessdata_dir() -> str:
    configured = os.environ.get("TESSDATA_PREFIX", "")
    for folder in (configured, *TESSDATA_DIRS):
        if folder and (Path(folder) / "jpn.traineddata").exists():
            return folder
    return configured or TESSDATA_DIRS[0]


def status() -> Status:
    """Whether the card reader can run here, and if not what is missing."""
    missing = []
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        missing.append("tesserocr")
    folder = _tessdata_dir()
    missing += [DEBIAN_PACKAGES[lang] for lang in LANGUAGES if not (Path(folder) / f"{lang}.traineddata").exists()]
    return Status(available=not missing, missing=tuple(missing), tessdata=folder)


class _Reader:
    """One Tesseract per language setup, loaded once per process and used by one thread at a time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.apis = {}

    def api(self, lang: str, psm: int):
        import tesserocr

        key = (lang, psm)
        if key not in self.apis:
            api = tesserocr.PyTessBaseAPI(path=_tessdata_dir(), lang=lang, psm=psm, oem=tesserocr.OEM.LSTM_ONLY)
            # Card text is short lines with much space between: keep inter-word spaces as read.
            api.SetVariable("preserve_interword_spaces", "1")
            self.apis[key] = api
        return self.apis[key]


@cache
def _reader() -> _Reader:
    return _Reader()


# --- Making the photo readable -------------------------------------------------------------


def _order(points: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array([points[s.argmin()], points[d.argmin()], points[s.argmax()], points[d.argmax()]], dtype="float32")


def find_card(rgb: np.ndarray) -> np.ndarray | None:
    """The card's four corners in a photo, or None when the card fills the picture or is not found."""
    if cv2 is None:
        return None
    height, width = rgb.shape[:2]
    scale = 800 / max(height, width)
    small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    area = small.shape[0] * small.shape[1]
    candidates = []
    edges = cv2.dilate(cv2.Canny(gray, 30, 100), np.ones((3, 3), np.uint8), iterations=2)
    _t, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    for mask in (edges, otsu):
        contours, _h = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            hull = cv2.convexHull(contour)
            share = cv2.contourArea(hull) / area
            if not 0.2 < share < 0.97:
                continue
            approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            if len(approx) != 4:
                approx = cv2.boxPoints(cv2.minAreaRect(hull))
            candidates.append((share, np.asarray(approx, dtype="float32").reshape(4, 2)))
    if not candidates:
        return None
    _share, corners = max(candidates, key=lambda c: c[0])
    return _order(corners / scale)


def straighten(rgb: np.ndarray) -> np.ndarray:
    """The card cut out of the photo and seen from straight above (unchanged when not found)."""
    corners = find_card(rgb)
    if corners is None:
        return rgb
    tl, tr, br, bl = corners
    width = int(max(np.linalg.norm(br - bl), np.linalg.norm(tr - tl)))
    height = int(max(np.linalg.norm(tr - br), np.linalg.norm(tl - bl)))
    if width < 200 or height < 120:
        return rgb
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype="float32")
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(rgb, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def even_out(gray: np.ndarray) -> np.ndarray:
    """Divide by the blurred page so shade, uneven light and pale coloured grounds turn white."""
    if cv2 is None:
        return gray
    kernel = max(31, (min(gray.shape) // 8) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    background = cv2.GaussianBlur(background, (kernel, kernel), 0)
    flat = cv2.divide(gray, background, scale=255)
    return cv2.normalize(flat, None, 0, 255, cv2.NORM_MINMAX)


def prepare(image: Image.Image) -> Image.Image:
    """A grey, straight, evenly lit copy of the card at the width Tesseract reads best."""
    rgb = np.asarray(image.convert("RGB"))
    rgb = straighten(rgb)
    if cv2 is not None:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        factor = READ_WIDTH / max(gray.shape)
        interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interpolation)
        gray = even_out(gray)
        return Image.fromarray(gray)
    gray = Image.fromarray(rgb).convert("L")
    factor = READ_WIDTH / max(gray.size)
    return gray.resize((round(gray.width * factor), round(gray.height * factor)), Image.Resampling.LANCZOS)


# --- Reading ------------------------------------------------------------------------------


def join_words(words: list[str], boxes: list | None = None, vertical: bool = False, line_size: float = 0) -> str:
    """Join words as written: no space between two Japanese characters unless the card leaves a gap.

    Tesseract cuts Japanese into words of a character or two; a real gap (the
    space between family and given name, 山田　太郎) is wider than half a
    character, letter spacing is narrower.
    """
    text = ""
    previous = None
    for index, word in enumerate(words):
        word = word.strip()
        box = boxes[index] if boxes and index < len(boxes) else None
        if not word:
            continue
        if text:
            if not (CJK.match(text[-1]) and CJK.match(word[0])):
                text += " "
            elif box and previous:
                if vertical:
                    gap, size = box[1] - previous[3], line_size or previous[2] - previous[0]
                else:
                    gap, size = box[0] - previous[2], line_size or previous[3] - previous[1]
                if size > 0 and gap > 0.5 * size:
                    text += " "
        text += word
        previous = box
    return text


def _read(image: Image.Image, lang: str, psm: int, vertical: bool) -> list[Line]:
    import tesserocr

    reader = _reader()
    lines = []
    with reader.lock:
        api = reader.api(lang, psm)
        api.SetImage(image)
        api.Recognize()
        iterator = api.GetIterator()
        if iterator is None:
            return []
        level, word_level = tesserocr.RIL.TEXTLINE, tesserocr.RIL.WORD
        while True:
            box = iterator.BoundingBox(level)
            if box is not None:
                words, confidences, sizes, boxes = [], [], [], []
                # Walk the words of this line.
                while True:
                    word = iterator.GetUTF8Text(word_level)
                    word_box = iterator.BoundingBox(word_level)
                    if word and word.strip():
                        words.append(word)
                        boxes.append(word_box)
                        confidences.append(iterator.Confidence(word_level) / 100)
                        if word_box:
                            x0, y0, x1, y1 = word_box
                            sizes.append((x1 - x0) / max(1, len(word.strip())) if vertical else (y1 - y0))
                    if iterator.IsAtFinalElement(level, word_level):
                        break
                    if not iterator.Next(word_level):
                        break
                line_size = (box[2] - box[0]) if vertical else (box[3] - box[1])
                text = unicodedata.normalize("NFKC", join_words(words, boxes, vertical, line_size)).strip()
                if text:
                    sizes.sort()
                    size = sizes[len(sizes) // 2] if sizes else 0.0
                    lines.append(Line(text, sum(confidences) / len(confidences), float(size), tuple(box), vertical))
            if not iterator.Next(level):
                break
    return lines


def _reread_large(card: Image.Image, lines: list[Line]) -> list[Line]:
    """Read large lines (the name, most often) again at the letter size Tesseract knows best.

    Its models are trained on text some 30-50 px tall; a name printed four
    times larger than the rest is often misread at the card's scale.
    """
    import tesserocr

    if not lines:
        return lines
    sizes = sorted(line.box[3] - line.box[1] for line in lines)
    typical = sizes[len(sizes) // 2]
    result = []
    for line in lines:
        x0, y0, x1, y1 = line.box
        if y1 - y0 < max(60, typical * 1.5):
            result.append(line)
            continue
        pad = (y1 - y0) // 5
        crop = card.crop((max(0, x0 - pad), max(0, y0 - pad), min(card.width, x1 + pad), min(card.height, y1 + pad)))
        factor = 64 / (y1 - y0)
        crop = crop.resize(
            (max(1, round(crop.width * factor)), max(1, round(crop.height * factor))), Image.Resampling.LANCZOS
        )
        # A lone kanji printed large is often taken for Latin letters by the English model: read
        # a line that has Japanese in it with the Japanese model alone.
        # A large line that is not plainly Latin is read with the Japanese model alone too.
        best = line
        langs = ["jpn+eng"] if line.text.isascii() and line.confidence > 0.85 else ["jpn", "jpn+eng"]
        for lang in langs:
            again = _read(crop, lang, tesserocr.PSM.SINGLE_LINE, vertical=False)
            if not again:
                continue
            candidate = Line(" ".join(a.text for a in again), again[0].confidence, line.size, line.box)
            garbled = _latin_in_cjk(best.text) or (best.text.isascii() and best.confidence < 0.7)
            if candidate.confidence > best.confidence or (lang == "jpn" and garbled and CJK.search(candidate.text)):
                best = candidate
        result.append(best)
    return result


def _latin_in_cjk(text: str) -> bool:
    """Japanese text with stray Latin letters or digits in it (吉田 Ao): a misreading."""
    return bool(CJK.search(text)) and bool(re.search(r"[A-Za-z0-9]", text))


def _useful(lines: list[Line]) -> float:
    return sum(len(re.sub(r"\W", "", line.text)) * line.confidence for line in lines if line.confidence > 0.5)


def read_lines(image: Image.Image) -> list[Line]:
    """The card's lines of text, read horizontally, or vertically when that reads more."""
    import tesserocr

    card = prepare(image)
    lines = _reread_large(card, _read(card, "jpn+eng", tesserocr.PSM.AUTO, vertical=False))
    useful = _useful(lines)
    if useful < LITTLE_TEXT or card.height > card.width * 1.15:
        vertical = _read(card, "jpn_vert+eng", tesserocr.PSM.AUTO, vertical=True)
        if _useful(vertical) > useful * 1.2:
            return vertical
    return lines
