"""Imported by the extraction workers' forkserver (crawler/extract_pool.py): loading jieba's dictionary
and the division data here, once, lets every worker forked from it start warm."""

from __future__ import annotations

import logging

import jieba

from crawler.extraction import warm_up

jieba.setLogLevel(logging.WARNING)
warm_up()
