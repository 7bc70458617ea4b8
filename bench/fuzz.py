"""Fuzz run: random and mutated inputs through ``extract()`` and the configuration loaders; counts crashes.

    python bench/fuzz.py                 # 10,000 inputs (about a minute or two on a shared 2-core machine)
    python bench/fuzz.py --count 500     # a quick look

A *crash* is any exception a caller is not promised: for ``extract()`` any exception at all; for the
loaders anything but their one-line error (``ConfigError`` / ``SubscriberError``). Seeds are the
repository's own pages and files (the mirror's notice texts, the extraction test pages, the bundled
``sources.toml``, a subscribers file), mutated by byte flips, splices, truncation, deep nesting, odd
charsets, control characters and type changes of TOML values. The rate is printed beside the rate of
the unmutated seeds measured in the same run (a ratio, not an absolute target).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tomllib
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)  # bench/ itself must not shadow top-level modules
sys.path.insert(0, str(ROOT))

SUBSCRIBERS = """[[subscriber]]
name = "zhejiang"
email = "ops@example.com"
provinces = ["浙江"]
kinds = ["pilot_places", "notice_new"]
mode = "digest"
digest_hour = 8
admin = false
lang = "both"
"""
SETTINGS_NAMES = ("CBECWATCH_DOWNLOAD_DELAY", "CBECWATCH_RETRY_TIMES", "CBECWATCH_OBEY_ROBOTS", "CBECWATCH_QUIET_DAYS",
                  "CBECWATCH_MAX_PAGE_BYTES", "CBECWATCH_CRAWL_SCHEDULE", "CBECWATCH_SCHEDULE_GOVCN",
                  "CBECWATCH_SMTP_URL", "CBECWATCH_DATABASE_URL", "CBECWATCH_DISABLED_SOURCES", "CBECWATCH_OBEY_ROBOT")
HTML = ('<html><head><meta charset="{charset}"><meta name="ArticleTitle" content="{title}">'
        '<meta name="PubDate" content="2019-12-24 10:00"></head><body><h1>{title}</h1>'
        '<div class="TRS_Editor">{body}</div></body></html>')
CHARSETS = ("utf-8", "gbk", "gb2312", "rot13", "x-unknown", "utf-16", "base64", "")
NOISE = ("\x00", "\x1b[2J", "\ufeff", "\u202e", "〔", "〕", "号", "年", "月", "日", "第", "省", "市", "《", "》", "<p>",
         "</div>", "<table><tr><td>", "&#x0;", "&amp;", "]]>", "<![CDATA[", "\r\n", "\u3000", "二〇一九年十二月")


def seeds() -> dict[str, list[str]]:
    from crawler.mirror.server import DEFAULT_ROOT

    texts = [p.read_text("utf-8") for p in sorted(DEFAULT_ROOT.rglob("*.txt"))]
    pages = [p.read_text("utf-8", errors="replace") for p in sorted((ROOT / "tests").rglob("*.htm*"))]
    pages += [HTML.format(charset="utf-8", title=text.splitlines()[0][:60], body="<p>" + text.replace("\n", "</p><p>"))
              for text in texts]
    tomls = [(ROOT / "crawler" / "sources.toml").read_text("utf-8"), SUBSCRIBERS]
    return {"text": texts, "html": pages, "toml": tomls}


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(9)
        at = rng.randrange(len(text) + 1)
        if kind == 0:  # random characters anywhere in the BMP
            text = text[:at] + "".join(chr(rng.randrange(1, 0xD7FF)) for _ in range(rng.randint(1, 20))) + text[at:]
        elif kind == 1:  # a meaningful token
            text = text[:at] + rng.choice(NOISE) + text[at:]
        elif kind == 2 and text:  # delete a slice
            text = text[:at] + text[at + rng.randint(1, 200):]
        elif kind == 3 and text:  # splice a slice elsewhere (repeats, half tags)
            start = rng.randrange(len(text))
            text = text[:at] + text[start:start + rng.randint(1, 400)] + text[at:]
        elif kind == 4:  # truncate
            text = text[:at]
        elif kind == 5:  # nesting
            depth = rng.randint(10, 300)
            text = text[:at] + "<div>" * depth + "跨境电子商务" + "</div>" * rng.randint(0, depth) + text[at:]
        elif kind == 6:  # a declared charset
            text = text.replace('charset="utf-8"', f'charset="{rng.choice(CHARSETS)}"', 1)
        elif kind == 7:  # TOML value of the wrong type
            text = text.replace("false", rng.choice(['"false"', "0", "[]", '"ture"']), 1).replace(
                '["浙江"]', rng.choice(['"浙江"', "[1]", "{}", '["浙江", 2]']), 1)
        else:  # one character flipped
            if text:
                text = text[:at] + chr(rng.randrange(0x20, 0x9FFF)) + text[at + 1:]
    return text[:60_000]  # hostile sizes are the extraction benchmark's business, not this run's


def _extract(text: str) -> None:
    from crawler.extraction import extract

    extract(text, url="https://www.gov.cn/zhengce/content/fuzz.htm")


def _subscribers(text: str) -> None:
    from appconfig.files import check_subscribers

    check_subscribers(tomllib.loads(text), "subscribers.toml")  # the model layer: no DNS lookups in a fuzz run


def _sources(text: str, scratch: Path) -> None:
    from crawler.declared import load_declared_sources

    path = scratch / "sources.toml"
    path.write_text(text, "utf-8", errors="surrogatepass")
    load_declared_sources(path)


def _settings(name: str, value: str) -> None:
    from appconfig.settings import load_alert_settings, load_settings

    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        load_settings()
        load_alert_settings()
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


def attempt(target: str, text: str, scratch: Path, rng: random.Random) -> None:
    if target == "extract":
        _extract(text)
    elif target == "subscribers":
        _subscribers(text)
    elif target == "sources":
        _sources(text, scratch)
    else:  # an environment variable cannot hold NUL
        _settings(rng.choice(SETTINGS_NAMES), text.replace("\x00", ""))


def run(count: int, seed: int, *, mutated: bool = True) -> dict[str, object]:
    from appconfig.errors import ConfigError
    from storage.subscribers import SubscriberError

    expected: tuple[type[BaseException], ...] = (ConfigError, SubscriberError, tomllib.TOMLDecodeError)
    rng = random.Random(seed)
    pool = seeds()
    crashes: Counter[str] = Counter()
    samples: list[str] = []
    per_target: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["CBECWATCH_HOME"] = scratch
        for i in range(count):
            target = ("extract", "extract", "subscribers", "sources", "settings")[i % 5]
            if target == "extract":
                base = rng.choice(pool["html"] + pool["text"])
            elif target == "settings":
                base = rng.choice(["2", "true", "interval:3600", "cron:30 7 * * 1-5", "sqlite:///x.db", "smtp://h"])
            else:
                base = pool["toml"][1] if target == "subscribers" else pool["toml"][0]
            text = mutate(base, rng) if mutated else base
            started = time.perf_counter()
            try:
                attempt(target, text, Path(scratch), rng)
            except expected:
                pass  # the promised one-line refusal
            except Exception as exc:
                crashes[f"{target}: {type(exc).__name__}"] += 1
                if len(samples) < 5:
                    samples.append(f"{target} #{i}: {traceback.format_exc(limit=3)}")
            seconds[target] += time.perf_counter() - started
            per_target[target] += 1
    total = sum(seconds.values())
    return {"inputs": count, "crashes": sum(crashes.values()), "by_class": dict(crashes), "samples": samples,
            "inputs_per_s": count / total if total else 0.0,
            "per_target": {t: {"inputs": n, "inputs_per_s": n / seconds[t]} for t, n in per_target.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    from crawler.extraction import warm_up

    warm_up()
    baseline = run(min(args.count, 500), args.seed, mutated=False)
    fuzzed = run(args.count, args.seed)
    ratio = fuzzed["inputs_per_s"] / baseline["inputs_per_s"]  # type: ignore[operator]
    print(f"fuzz: {fuzzed['inputs']} inputs, crashes = {fuzzed['crashes']}, "
          f"{fuzzed['inputs_per_s']:.0f} inputs/s ({ratio:.2f}× the unmutated seeds' {baseline['inputs_per_s']:.0f}/s)")
    for target, row in sorted(fuzzed["per_target"].items()):  # type: ignore[union-attr]
        print(f"  {target:<12} {row['inputs']:>6} inputs  {row['inputs_per_s']:>8.0f}/s")
    for name, n in sorted(fuzzed["by_class"].items()):  # type: ignore[union-attr]
        print(f"  CRASH {name}: {n}")
    for sample in fuzzed["samples"]:  # type: ignore[union-attr]
        print(sample)
    return 1 if fuzzed["crashes"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
