"""Attachments of notices (附件): finding and fetching them (:mod:`.fetch`), reading their text and
tables (:mod:`.readers`), and turning goods-list tables into HS-code rows (:mod:`.goods`)."""
