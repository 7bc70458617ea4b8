"""Page counts that list pages only state in their paging script.

TRS static publishing (MOF and its departments, many ministries) writes no page links into the HTML:
the browser builds them from ``createPageHTML(pageCount, currentIndex, "index", "htm")``, where the
index is 0-based and page *n* > 1 is ``index_<n-1>.htm`` [lead: the TRS page script, #24728928686].
Some pages also set ``var countPage = N`` first; others (zhs.mof.gov.cn, 2026-09) carry only the
literal call ``createPageHTML(50, 1, "index", "htm")`` [confirmed: #71582059322, 2026-09-29].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CALL = re.compile(r"createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*[\"']([\w.-]+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)")
_COUNT_VAR = re.compile(r"\bcountPage\s*=\s*(\d+)")


@dataclass(frozen=True)
class TrsPaging:
    pages: int  # how many list pages there are
    stem: str = "index"
    ext: str = "htm"

    def url_of(self, page: int) -> str:
        """The file name of 1-based *page*, relative to the list's directory."""
        return f"{self.stem}.{self.ext}" if page <= 1 else f"{self.stem}_{page - 1}.{self.ext}"


def trs_paging(text: str) -> TrsPaging | None:
    """The paging a TRS list page states: the literal call's count, else ``var countPage``."""
    call = _CALL.search(text)
    count = _COUNT_VAR.search(text)
    if call and call.group(1).isdigit():
        return TrsPaging(int(call.group(1)), call.group(3), call.group(4))
    if count:
        return TrsPaging(int(count.group(1)), *(call.group(3, 4) if call else ("index", "htm")))
    return None
