"""Ingestion: load files (text, PDF, OCR, .docx), parse extracts into records, store them."""
