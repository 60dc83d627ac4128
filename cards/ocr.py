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
from contextlib import contextmanager
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


def _usual_gap(boxes: list, vertical: bool) -> float:
    gaps = sorted(
        (b[1] - a[3]) if vertical else (b[0] - a[2]) for a, b in zip(boxes, boxes[1:], strict=False) if a and b
    )
    # With fewer than three gaps there is no "usual" one to compare with.
    return max(0, gaps[len(gaps) // 2]) if len(gaps) >= 3 else 0


def join_words(words: list[str], boxes: list | None = None, vertical: bool = False, line_size: float = 0) -> str:
    """Join words as written: no space between two Japanese characters unless the card leaves a gap.

    Tesseract cuts Japanese into words of a character or two; a real gap (the
    space between family and given name, 山田　太郎) is wider than half a
    character, letter spacing is narrower.
    """
    text = ""
    previous = None
    # Letter spacing is even: a space only where the gap is well above the usual one.
    usual = _usual_gap(boxes, vertical) if boxes else 0
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
                if size > 0 and gap > 0.3 * size and gap > 2 * usual:
                    text += " "
        text += word
        previous = box
    return text


@contextmanager
def _recognized(image: Image.Image, lang: str, psm: int):
    """The result iterator of one reading (None when nothing was found), with the reader held."""
    reader = _reader()
    with reader.lock:
        api = reader.api(lang, psm)
        api.SetImage(image)
        api.Recognize()
        yield api.GetIterator()


def _read(image: Image.Image, lang: str, psm: int, vertical: bool) -> list[Line]:
    import tesserocr

    lines = []
    with _recognized(image, lang, psm) as iterator:
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
                            # The letter size: a column's width, a row's height.
                            sizes.append((x1 - x0) if vertical else (y1 - y0))
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
        if y1 - y0 < max(40, typical * 1.5):
            result.append(line)
            continue
        # A large line that is not plainly Latin is read with the Japanese model alone too, and
        # when still unsure at other letter sizes (隆 read as 隊 at one size is right at another).
        best = line
        latin = line.text.isascii() and line.confidence > 0.85
        tries = [("jpn+eng", LINE_HEIGHT)] if latin else [("jpn", LINE_HEIGHT), ("jpn+eng", LINE_HEIGHT)]
        tries += [] if latin else [("jpn", 40), ("jpn", 70)]
        for lang, height in tries:
            if height != LINE_HEIGHT and best.confidence >= 0.85:
                break
            crop = _line_crop(card, line.box, height)
            again = _read(crop, lang, tesserocr.PSM.SINGLE_LINE, vertical=False)
            if not again:
                continue
            candidate = Line(" ".join(a.text for a in again), again[0].confidence, line.size, line.box)
            garbled = _latin_in_cjk(best.text) or (best.text.isascii() and best.confidence < 0.7)
            if (
                lang == "jpn"
                and garbled
                and CJK.search(candidate.text)
                and not _latin_in_cjk(candidate.text)
                or candidate.confidence > best.confidence
                and not (_latin_in_cjk(candidate.text) and not garbled)
            ):
                best = candidate
        result.append(best)
    return result


LINE_HEIGHT = 52  # px: the letter height a single line is read at
MISSED_MAX = 6  # regions of unread ink read one by one, at most


def _line_crop(card: Image.Image, box: tuple[int, int, int, int], height: int = 0) -> Image.Image:
    """One line cut out with a margin, scaled to LINE_HEIGHT, on a white border (Tesseract needs both)."""
    from PIL import ImageOps

    x0, y0, x1, y1 = box
    pad = max(4, (y1 - y0) // 6)
    crop = card.crop((max(0, x0 - pad), max(0, y0 - pad), min(card.width, x1 + pad), min(card.height, y1 + pad)))
    factor = (height or LINE_HEIGHT) / max(1, y1 - y0)
    size = (max(1, round(crop.width * factor)), max(1, round(crop.height * factor)))
    crop = crop.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC)
    return ImageOps.expand(crop, border=16, fill=255)


def _uncovered_ink(card: Image.Image, lines: list[Line]) -> np.ndarray:
    """The card's dark pixels (255) outside every read line's box and away from the card's edge."""
    ink = (np.asarray(card.convert("L")) < 140).astype(np.uint8) * 255
    for line in lines:
        x0, y0, x1, y1 = line.box
        ink[max(0, y0 - 4) : y1 + 4, max(0, x0 - 4) : x1 + 4] = 0
    # The card's edge and the table left around it in a photo are no text (and would take the places).
    edge = max(8, min(card.size) // 40)
    ink[:edge], ink[-edge:], ink[:, :edge], ink[:, -edge:] = 0, 0, 0, 0
    return ink


def _read_missed(card: Image.Image, lines: list[Line]) -> tuple[list[Line], set[int]]:
    """Read the ink that no line covers: Tesseract's layout step takes large, spaced-out text
    (a name printed big in the middle of the card, 前 田 恵 子) for a picture and skips it."""
    import tesserocr

    if cv2 is None:
        return [], set()
    ink = _uncovered_ink(card, lines)
    # Join the letters of a line, across letter spacing and the gap between family and given name.
    merged = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (card.width // 25, 3)))
    contours, _h = cv2.findContours(merged, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    taken: set[int] = set()
    # The tallest first, and only a few: a name is large, and each read costs time.
    contours = sorted(contours, key=lambda c: cv2.boundingRect(c)[3], reverse=True)[:MISSED_MAX]
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if h < 14 or w < 20 or h > card.height * 0.4 or cv2.countNonZero(ink[y : y + h, x : x + w]) < h * 3:
            continue
        # The ink itself, not the widened shape that joined its letters.
        ix, iy, w, h = cv2.boundingRect(cv2.findNonZero(ink[y : y + h, x : x + w]))
        x, y = x + ix, y + iy
        box = (x, y, x + w, y + h)
        # A piece left over beside a line read on the same row (みら | いエンジニアリング): read them as one.
        for index, line in enumerate(lines):
            lx0, ly0, lx1, ly1 = line.box
            overlap = min(ly1, box[3]) - max(ly0, box[1])
            near = max(lx0 - box[2], box[0] - lx1) < max(ly1 - ly0, h)
            if not line.vertical and overlap > 0.5 * min(ly1 - ly0, h) and near:
                box = (min(box[0], lx0), min(box[1], ly0), max(box[2], lx1), max(box[3], ly1))
                taken.add(index)
        best = None
        # A single line, then the raw line (no layout step: it reads two characters that the line mode
        # drops), then at other letter sizes.
        for lang, psm, height in (
            ("jpn", tesserocr.PSM.SINGLE_LINE, LINE_HEIGHT),
            ("jpn", tesserocr.PSM.RAW_LINE, LINE_HEIGHT),
            ("jpn+eng", tesserocr.PSM.SINGLE_LINE, LINE_HEIGHT),
            ("jpn", tesserocr.PSM.SINGLE_LINE, 40),
            ("jpn", tesserocr.PSM.SINGLE_LINE, 70),
        ):
            if height != LINE_HEIGHT and best and best.confidence >= 0.8:
                break
            crop = _line_crop(card, box, height)
            read = _read(crop, lang, psm, vertical=False)
            if read:
                text = " ".join(r.text for r in read)
                candidate = Line(text, min(r.confidence for r in read), float(box[3] - box[1]), box)
                if best is None or candidate.confidence > best.confidence:
                    best = candidate
            if best and (best.confidence > 0.85 or (lang == "jpn" and best.confidence > 0.7 and CJK.search(best.text))):
                break
        if best and best.confidence > 0.4 and re.sub(r"\W", "", best.text):
            found.append(best)
    return found, taken


def _join_fragments(lines: list[Line]) -> list[Line]:
    """Join pieces of one printed line that were read apart (みら + いエンジニアリング株式会社)."""
    joined: list[Line] = []
    for line in sorted(lines, key=lambda item: item.box[0]):
        for index, other in enumerate(joined):
            ox0, oy0, ox1, oy1 = other.box
            x0, y0, x1, y1 = line.box
            overlap = min(oy1, y1) - max(oy0, y0)
            height = max(oy1 - oy0, y1 - y0)
            gap = x0 - ox1
            # A name set large with a wide space (藤田　誠) is read as two pieces of one size, far apart.
            alike = abs((oy1 - oy0) - (y1 - y0)) < 0.3 * height and CJK.search(other.text) and CJK.search(line.text)
            widest = 2.5 * height if alike and height > 50 else 0.8 * height
            if overlap > 0.6 * height and -4 <= gap < widest and not line.vertical:
                tight = CJK.search(other.text[-1:]) and CJK.search(line.text[:1]) and gap < 0.5 * height
                text = other.text + ("" if tight else " ") + line.text
                width = (ox1 - ox0) + (x1 - x0)
                confidence = (other.confidence * (ox1 - ox0) + line.confidence * (x1 - x0)) / max(1, width)
                box = (ox0, min(oy0, y0), x1, max(oy1, y1))
                joined[index] = Line(text, confidence, max(other.size, line.size), box)
                break
        else:
            joined.append(line)
    return sorted(joined, key=lambda line: (line.box[1], line.box[0]))


# A company form somewhere on the card: when none is read, a ㈱ (which the models do not know) may
# have been misread as some other character.
COMPANY_HINT = re.compile(
    r"株式会社|\(株\)|㈱|有限会社|\(有\)|㈲|合同会社|合資会社|合名会社|法人|\b(?:Inc|Ltd|LLC|GmbH|Corp|K\.K)\b", re.I
)
ABBREVIATED = {"株": "(株)"}


def _symbols(image: Image.Image, lang: str, psm: int) -> list[tuple[str, tuple[int, int, int, int], float]]:
    """Each character read on one line, with its box and confidence."""
    import tesserocr

    found = []
    with _recognized(image, lang, psm) as iterator:
        if iterator is None:
            return []
        level = tesserocr.RIL.SYMBOL
        while True:
            try:
                text, box = iterator.GetUTF8Text(level), iterator.BoundingBox(level)
            except RuntimeError:  # an empty result
                text, box = "", None
            if text and text.strip() and box:
                found.append((text.strip(), box, iterator.Confidence(level) / 100))
            if not iterator.Next(level):
                break
    return found


def _abbreviation(crop: Image.Image, box: tuple[int, int, int, int]) -> str:
    """'(株)' when the character in box is ㈱ (its middle, read alone, is 株); else ''."""
    from PIL import ImageOps

    x0, y0, x1, y1 = box
    width = x1 - x0
    # The whole cell first: (株) printed with plain brackets leaves 株 a cell of its own.
    for low, high in ((0.0, 1.0), (0.15, 0.85), (0.2, 0.8), (0.1, 0.9)):
        middle = crop.crop((x0 + int(width * low), max(0, y0 - 3), x0 + int(width * high), min(crop.height, y1 + 3)))
        if middle.width < 4 or middle.height < 8:
            return ""
        middle = middle.resize((max(1, round(middle.width * 60 / middle.height)), 60), Image.Resampling.BICUBIC)
        for symbol in _symbols(ImageOps.expand(middle, border=20, fill=255), "jpn", 10)[:1]:
            if symbol[0] in ABBREVIATED and symbol[2] >= 0.5:
                return ABBREVIATED[symbol[0]]
    return ""


def _reread_company_form(card: Image.Image, lines: list[Line]) -> list[Line]:
    """When no line carries a company form, look for ㈱ at either end of a few Japanese lines.

    Tesseract's Japanese model has no ㈱: it reads it as 井, 仙, 時... The
    character's middle, cut out and read alone, is a plain 株.
    """
    if any(COMPANY_HINT.search(_tight_cjk(line.text)) for line in lines):
        return lines
    candidates = [
        line
        for line in lines
        # Japanese lines, and short garbled ones (a logo and ㈱ beside the name can turn it all to "EE").
        if (len(CJK.findall(line.text)) >= 3 or line.confidence < 0.8 and len(line.text) <= 6)
        and not re.search(r"[@\d]", line.text)
        and not line.vertical
    ]
    result = list(lines)
    for line in sorted(candidates, key=lambda item: item.confidence)[:3]:
        crop = _line_crop(card, line.box)
        cells = _cells(crop)
        if len(cells) < 3:
            continue
        text = ""
        for index in (len(cells) - 1, len(cells) - 2, 0, 1):
            form = _abbreviation(crop, cells[index])
            if not form:
                continue
            # The rest of the line read again without the mark (and without a logo beside it).
            pad = max(4, (cells[index][3] - cells[index][1]) // 3)
            if index >= len(cells) - 2:
                rest = crop.crop((max(0, cells[0][0] - pad), 0, cells[index][0] - 1, crop.height))
            else:
                rest = crop.crop((cells[index][2] + 1, 0, min(crop.width, cells[-1][2] + pad), crop.height))
            from PIL import ImageOps

            read = _read(ImageOps.expand(rest, border=16, fill=255), "jpn", 7, vertical=False)
            name = _tight_cjk(" ".join(r.text for r in read)).strip("|[]()」』 ")
            if name and not name.startswith("式会社"):
                text = name + form if index >= len(cells) - 2 else form + name
            break
        if text:
            result[result.index(line)] = Line(text, max(line.confidence, 0.75), line.size, line.box, line.vertical)
            break
    return result


def _cells(crop: Image.Image) -> list[tuple[int, int, int, int]]:
    """The character cells of one line, left to right, from the columns that carry ink; a logo
    (taller than the letters) is left out."""
    ink = np.asarray(crop.convert("L")) < 140
    runs, start = [], None
    for x, inked in enumerate([*ink.any(axis=0), False]):
        if inked and start is None:
            start = x
        elif not inked and start is not None:
            rows = np.where(ink[:, start:x].any(axis=1))[0]
            runs.append((start, int(rows.min()), x, int(rows.max()) + 1))
            start = None
    if not runs:
        return []
    heights = sorted(y1 - y0 for _x0, y0, _x1, y1 in runs)
    usual = heights[len(heights) // 2]
    return [run for run in runs if run[3] - run[1] <= usual * 1.3 and run[2] - run[0] >= usual * 0.25]


def _tight_cjk(text: str) -> str:
    return re.sub(r"(?<=[\u3040-\u30ff\u3400-\u9fff])\s+(?=[\u3040-\u30ff\u3400-\u9fff])", "", text)


def _absorb_pieces(card: Image.Image, lines: list[Line]) -> list[Line]:
    """Read a large line again with the small pieces read beside it inside its height: one large
    character (亮) is sometimes read as two small lines, one above the other, and left out of the name."""
    import tesserocr

    if not lines:
        return lines
    heights = sorted(line.box[3] - line.box[1] for line in lines)
    typical = heights[len(heights) // 2]
    result = list(lines)
    for line in sorted(lines, key=lambda item: item.box[1] - item.box[3])[:2]:
        x0, y0, x1, y1 = line.box
        height = y1 - y0
        if height < max(40, typical * 1.5) or line.vertical or line not in result:
            continue
        pieces = [
            other
            for other in result
            if other is not line
            and not other.vertical
            and y0 - 0.1 * height <= other.box[1]
            and other.box[3] <= y1 + 0.1 * height
            and other.box[3] - other.box[1] < 0.8 * height
            and -0.2 * height < other.box[0] - x1 < 2.5 * height
        ]
        if not pieces:
            continue
        box = (x0, y0, max(p.box[2] for p in pieces), y1)
        best = None
        # The raw line mode too: the line mode drops a lone large character after a wide space.
        line_mode, raw = tesserocr.PSM.SINGLE_LINE, tesserocr.PSM.RAW_LINE
        for height_px, psm in (
            (LINE_HEIGHT, line_mode),
            (LINE_HEIGHT, raw),
            (40, line_mode),
            (40, raw),
            (70, line_mode),
        ):
            read = _read(_line_crop(card, box, height_px), "jpn", psm, vertical=False)
            if read and len(CJK.findall("".join(r.text for r in read))) > len(CJK.findall(line.text)):
                candidate = Line(" ".join(r.text for r in read), min(r.confidence for r in read), line.size, box)
                if best is None or candidate.confidence > best.confidence:
                    best = candidate
            if best and best.confidence >= 0.85:
                break
        grown = best and len(CJK.findall(best.text)) > len(CJK.findall(line.text))
        if grown and best.confidence >= 0.45 and not _latin_in_cjk(best.text):
            result = [other for other in result if other is not line and other not in pieces] + [best]
    return sorted(result, key=lambda item: (item.box[1], item.box[0]))


def _latin_in_cjk(text: str) -> bool:
    """Japanese text with stray Latin letters or digits in it (吉田 Ao): a misreading."""
    return bool(CJK.search(text)) and bool(re.search(r"[A-Za-z0-9]", text))


def _useful(lines: list[Line]) -> float:
    return sum(len(re.sub(r"\W", "", line.text)) * line.confidence for line in lines if line.confidence > 0.5)


# What vertical typesetting lays on its side: e-mail, web address, phone numbers and postcode.
SIDEWAYS = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
    r"|(?:https?://|www\.)\S+|\b[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|jp|net|org|io|biz|info)\b\S*"
    r"|\+?\(?\d[\d\-–() ]{7,}\d|\b\d{3}\s?-\s?\d{4}\b",
    re.IGNORECASE,
)
SIDEWAYS_LABEL = re.compile(r"電話|携帯|直通|代表|ファックス|ファクス|モバイル|FAX|TEL|〒", re.IGNORECASE)


def _turn_box(box: tuple[int, int, int, int], width: int) -> tuple[int, int, int, int]:
    """A box on the upright card as a box on the card turned a quarter left (columns become rows)."""
    x0, y0, x1, y1 = box
    return (y0, width - x1, y1, width - x0)


def _reread_columns(card: Image.Image, columns: list[Line]) -> list[Line]:
    """Read large columns (the name) again on their own, at the letter size the model knows best;
    a name set with wide letter spacing is otherwise cut into two columns and misread."""
    import tesserocr

    if not columns:
        return columns
    widths = sorted(c.box[2] - c.box[0] for c in columns)
    typical = widths[len(widths) // 2]
    large = [c for c in columns if c.box[2] - c.box[0] >= max(30, typical * 1.4)]
    rest = [c for c in columns if c not in large]
    groups: list[list[Line]] = []
    for column in sorted(large, key=lambda c: -(c.box[2] - c.box[0])):
        for group in groups:
            gx0, gx1 = min(c.box[0] for c in group), max(c.box[2] for c in group)
            if min(gx1, column.box[2]) - max(gx0, column.box[0]) > 0.4 * (column.box[2] - column.box[0]):
                group.append(column)
                break
        else:
            groups.append([column])
    for group in groups:
        box = (
            min(c.box[0] for c in group),
            min(c.box[1] for c in group),
            max(c.box[2] for c in group),
            max(c.box[3] for c in group),
        )
        best = max(group, key=lambda c: c.confidence * len(c.text))
        for height in (LINE_HEIGHT, 40, 70):
            if height != LINE_HEIGHT and best.confidence >= 0.85:
                break
            turned = _line_crop(card.rotate(90, expand=True), _turn_box(box, card.width), height)
            again = _read(turned.rotate(-90, expand=True), "jpn_vert", tesserocr.PSM.SINGLE_BLOCK_VERT_TEXT, True)
            if again:
                text = "".join(a.text for a in again) if len(again) > 1 else again[0].text
                candidate = Line(text, min(a.confidence for a in again), float(box[2] - box[0]), box, True)
                if candidate.confidence > best.confidence or len(group) > 1 and candidate.confidence > 0.5:
                    best = candidate
        if best.confidence < 0.6:
            best = _read_column_pieces(card, box) or best
        rest.append(Line(best.text, best.confidence, float(box[2] - box[0]), box, True))
    return rest


def _read_column_pieces(card: Image.Image, box: tuple[int, int, int, int]) -> Line | None:
    """A column with a wide space in it (藤田　　康介) read piece by piece; None when a piece is unsure."""
    import tesserocr

    x0, y0, x1, y1 = box
    ink = (np.asarray(card.convert("L"))[y0:y1, x0:x1] < 140).any(axis=1)
    width = x1 - x0
    pieces, start, blank = [], None, 0
    for y, inked in enumerate([*ink, False]):
        if inked:
            if start is None:
                start = y
            blank = 0
        elif start is not None:
            blank += 1
            if blank > 0.6 * width or y == len(ink):
                pieces.append((start, y - blank + 1))
                start, blank = None, 0
    if len(pieces) < 2:
        return None
    texts, confidences = [], []
    for top, bottom in pieces:
        piece = (x0, y0 + top, x1, y0 + bottom)
        turned = _line_crop(card.rotate(90, expand=True), _turn_box(piece, card.width))
        read = _read(turned.rotate(-90, expand=True), "jpn_vert", tesserocr.PSM.SINGLE_BLOCK_VERT_TEXT, True)
        text = "".join(r.text for r in read)
        if not read or not re.sub(r"\W", "", text):
            return None
        texts.append(text)
        confidences.append(min(r.confidence for r in read))
    if min(confidences) < 0.6:
        return None
    return Line(" ".join(texts), min(confidences), float(width), box, True)


def _missed_columns(card: Image.Image, columns: list[Line]) -> list[Line]:
    """Read the ink no column covers: a name set large and spaced out (山田　真由美) is taken for a
    picture by the layout step, as on horizontal cards (see _read_missed)."""
    import tesserocr

    if cv2 is None:
        return []
    ink = _uncovered_ink(card, columns)
    merged = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, card.height // 12)))
    contours, _h = cv2.findContours(merged, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in sorted(contours, key=lambda c: cv2.boundingRect(c)[2], reverse=True)[:MISSED_MAX]:
        x, y, w, h = cv2.boundingRect(contour)
        if w < 30 or h < w or w > card.width * 0.3 or cv2.countNonZero(ink[y : y + h, x : x + w]) < w * 3:
            continue
        ix, iy, w, h = cv2.boundingRect(cv2.findNonZero(ink[y : y + h, x : x + w]))
        box = (x + ix, y + iy, x + ix + w, y + iy + h)
        best = None
        for height in (LINE_HEIGHT, 40, 70):
            if best and best.confidence >= 0.85:
                break
            turned = _line_crop(card.rotate(90, expand=True), _turn_box(box, card.width), height)
            read = _read(turned.rotate(-90, expand=True), "jpn_vert", tesserocr.PSM.SINGLE_BLOCK_VERT_TEXT, True)
            text = "".join(r.text for r in read)
            if read and re.sub(r"\W", "", text):
                candidate = Line(text, min(r.confidence for r in read), float(w), box, True)
                if best is None or candidate.confidence > best.confidence:
                    best = candidate
        if best and best.confidence < 0.6:
            best = _read_column_pieces(card, box) or best
        if best and best.confidence > 0.4:
            found.append(best)
    return found


def read_vertical(card: Image.Image) -> list[Line]:
    """A card set vertically (縦書き): its columns read right to left as lines, the Latin ones sideways.

    The vertical Japanese model reads the columns; e-mail, web address and
    numbers lie on their side in vertical typesetting, so the card is also
    read turned a quarter left with the English model and those lines take
    their column's place (keeping a label such as 電話 or 携帯 from it). Every
    box is given on the turned card, where columns are rows, so the field
    rules see lines as on a horizontal card.
    """
    import tesserocr

    columns = _read(card, "jpn_vert", tesserocr.PSM.SINGLE_BLOCK_VERT_TEXT, vertical=True)
    columns = _reread_columns(card, [c for c in columns if re.sub(r"\W", "", c.text)])
    # Garbled columns go (their ink is looked at again below, with its true extent), unless they
    # carry a label for the numbers read sideways.
    columns = [c for c in columns if c.confidence >= 0.45 or SIDEWAYS_LABEL.search(c.text[:6])]
    columns += _missed_columns(card, columns)
    sideways = _read(card.rotate(90, expand=True), "eng", tesserocr.PSM.AUTO, vertical=False)
    lines, replaced = [], set()
    for line in sideways:
        found = SIDEWAYS.search(line.text)
        if not found or line.confidence < 0.3:
            continue
        text = line.text[found.start() :].strip()
        # The column this line lies in, on the upright card.
        x0, y0, x1, y1 = line.box[1], line.box[0], line.box[3], line.box[2]
        x0, x1 = card.width - x1, card.width - x0
        label = ""
        for index, column in enumerate(columns):
            cx0, cy0, cx1, cy1 = column.box
            across = min(x1, cx1) - max(x0, cx0)
            if across > 0.5 * min(x1 - x0, cx1 - cx0) and min(y1, cy1) - max(y0, cy0) > 0:
                replaced.add(index)
                head = SIDEWAYS_LABEL.search(column.text[:6])
                label = label or (head.group(0) if head else "")
        if not label and re.fullmatch(r"\d{3}\s?-\s?\d{4}", text):
            label = "〒"
        lines.append(Line(f"{label} {text}".strip(), line.confidence, line.size, line.box, True))
    for index, column in enumerate(columns):
        if index not in replaced:
            lines.append(Line(column.text, column.confidence, column.size, _turn_box(column.box, card.width), True))
    return sorted(lines, key=lambda line: (line.box[1], line.box[0]))


def read_lines(image: Image.Image) -> list[Line]:
    """The card's lines of text, read horizontally, or vertically when that reads more."""
    import tesserocr

    card = prepare(image)
    lines = _read(card, "jpn+eng", tesserocr.PSM.AUTO, vertical=False)
    # Garbled reads (a logo, letters split off a word): dropped, their ink read again below.
    lines = _reread_large(card, [line for line in lines if line.confidence >= 0.5])
    missed, taken = _read_missed(card, lines)
    lines = [line for index, line in enumerate(lines) if index not in taken] + missed
    lines = _join_fragments(sorted(lines, key=lambda line: (line.box[1], line.box[0])))
    lines = _absorb_pieces(card, lines)
    lines = _reread_company_form(card, lines)
    useful = _useful(lines)
    # Vertical text read across gives lines of a character or two.
    short = sum(1 for line in lines if len(re.sub(r"\W", "", line.text)) <= 2)
    if useful < LITTLE_TEXT or card.height > card.width * 1.15 or short > len(lines) / 2:
        vertical = read_vertical(card)
        if _useful(vertical) > useful * 1.1:
            return vertical
    return lines
